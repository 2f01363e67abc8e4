"""What the retention purge and a child's erasure reach beyond the records themselves
(portal/lifecycle/forgetting.py): the audit trail's copies of the text, staff's notes on
needs, Contact messages and their answers, and the outbox."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.audit.services import log_action, object_type_of
from portal.checkins.models import CheckIn
from portal.followups.services import followup_ask
from portal.lifecycle import forgetting, services
from portal.mentoring import services as mentoring
from portal.mentoring.models import (
    Mentee,
    NoSessionMonth,
    NoSessionReason,
    ProgramSettings,
    SessionLogRevision,
)
from portal.notifications.emails import render_email
from portal.notifications.models import Notification
from portal.safeguarding import services as safeguarding
from portal.safeguarding.models import NeedNote, ResourceNeed, SafetyConcern
from portal.support import services as support
from portal.support.models import SupportRequest
from tests.conftest import edit_input, log_session


def events_of(obj):
    return AuditEvent.objects.filter(object_type=object_type_of(obj), object_id=obj.pk)


def written(events) -> str:
    return str([(e.old_values, e.new_values, e.note) for e in events])


# --- The retention purge ------------------------------------------------------------------


@pytest.fixture
def corrected_old_session(match_a, staff_user):
    """A session four years ago, corrected by staff (the audit entry keeps the notes
    before and after), with a need that staff followed up with notes."""
    now = timezone.now().replace(second=0, microsecond=0)
    match_a.start_date = (now - dt.timedelta(days=6 * 365)).date()
    match_a.save()
    held = now - dt.timedelta(days=4 * 365)
    session = log_session(
        match_a,
        held,
        notes="Jane talked about her brother.",
        resource_needs=["food"],
        resource_needs_details="No food at home.",
    )
    session = mentoring.session_log_update(
        session=session,
        user=staff_user,
        data=edit_input(session, notes="Jane talked about her brother and her dad."),
        reason="The mentor asked for the fix.",
        now=held + dt.timedelta(days=2),
    )
    need = ResourceNeed.objects.get(session=session)
    safeguarding.need_update(
        need=need, user=staff_user, status="referred", note="Called Jane's mum."
    )
    safeguarding.need_update(need=need, user=staff_user, status="closed")  # no note
    program = ProgramSettings.load()
    program.session_notes_retention_years = 3
    program.save()
    return session, need


def test_the_purge_blanks_the_notes_kept_in_a_staff_correction(corrected_old_session, staff_user):
    session, _ = corrected_old_session
    correction = events_of(session).get(action="session.corrected")
    assert "Jane" in written([correction])

    assert services.sessions_purge_expired() == 1

    correction.refresh_from_db()
    assert "Jane" not in written([correction])
    placeholder = services.RETENTION_PLACEHOLDER
    assert correction.old_values["notes"] == correction.new_values["notes"] == placeholder
    # Who, when, why and which fields stay.
    assert correction.actor == staff_user
    assert correction.note == "The mentor asked for the fix."
    assert correction.new_values["hours"] == correction.old_values["hours"]
    assert correction.new_values["resource_needs_details"] == placeholder


def test_the_purge_blanks_staff_notes_on_a_need_and_their_audit_copy(
    corrected_old_session, staff_user
):
    session, need = corrected_old_session
    assert services.sessions_purge_expired() == 1

    placeholder = services.RETENTION_PLACEHOLDER
    texts = list(NeedNote.objects.filter(need=need).values_list("text", flat=True))
    assert texts == [placeholder, ""]  # the note without text stays without
    updates = events_of(need).filter(action="need.updated")
    assert [event.note for event in updates] == [placeholder, ""]
    assert {event.actor for event in updates} == {staff_user}
    assert "Jane" not in written(events_of(need))
    purged = events_of(need).get(action="need.notes_purged")
    assert (purged.actor, purged.note) == (None, "Older than 3 years.")

    # Twice: nothing more, and no second entry.
    assert services.sessions_purge_expired() == 0
    assert events_of(need).filter(action="need.notes_purged").count() == 1


def test_the_purge_leaves_concerns_and_their_audit_trail(match_a):
    """Safety concerns follow their own retention (docs/district/RETENTION.md)."""
    now = timezone.now().replace(second=0, microsecond=0)
    match_a.start_date = (now - dt.timedelta(days=6 * 365)).date()
    match_a.save()
    session = log_session(
        match_a,
        now - dt.timedelta(days=4 * 365),
        safety_concern=True,
        safety_concern_details="Jane has bruises.",
    )
    concern = SafetyConcern.objects.get(session=session)
    program = ProgramSettings.load()
    program.session_notes_retention_years = 3
    program.save()

    assert services.sessions_purge_expired() == 1

    assert "Jane has bruises." in written(events_of(concern))


# --- The erasure: every kind of record ----------------------------------------------------


def test_every_kind_of_record_about_a_child_says_how_it_reaches_the_child():
    kinds = set(forgetting.models_with_child_text())
    assert kinds >= {Mentee, SessionLogRevision, NeedNote, NoSessionMonth}
    assert kinds <= set(forgetting.MENTEE_LOOKUPS)


def test_the_erasure_refuses_a_kind_it_cannot_reach(match_a, admin_user, monkeypatch):
    lookups = dict(forgetting.MENTEE_LOOKUPS)
    del lookups[NoSessionMonth]
    monkeypatch.setattr(forgetting, "MENTEE_LOOKUPS", lookups)
    with pytest.raises(ImproperlyConfigured, match="NoSessionMonth"):
        services.mentee_erase(mentee=match_a.mentee, user=admin_user, reason="Letter.")
    assert Mentee.objects.get(pk=match_a.mentee_id).first_name == "Jane"  # nothing done


def test_the_erasure_scrubs_the_audit_entry_of_a_declared_month(match_a, admin_user):
    now = timezone.now()
    declared = mentoring.no_session_month_declare(
        mentor=match_a.mentor,
        year=timezone.localtime(now).year,
        month=timezone.localtime(now).month,
        reason=NoSessionReason.OTHER,
        details="Jane was ill.",
        user=match_a.mentor.user,
        now=now,
    )
    entry = events_of(declared).get(action="no_session_month.declared")
    assert entry.new_values["details"] == "Jane was ill."

    services.mentee_erase(mentee=match_a.mentee, user=admin_user, reason="School letter.")

    entry.refresh_from_db()
    assert entry.new_values["details"] == "[the child] was ill."
    assert entry.new_values["reason"] == NoSessionReason.OTHER
    assert entry.actor == match_a.mentor.user


def test_the_erasure_scrubs_audit_entries_of_every_kind_of_record(match_a, staff_user, admin_user):
    """One audit entry naming the child on a record of every kind: none keeps the name,
    and the erased kinds lose their text."""
    now = timezone.now().replace(second=0, microsecond=0)
    session = log_session(
        match_a,
        now - dt.timedelta(hours=3),
        notes="Jane wrote.",
        safety_concern=True,
        safety_concern_details="Jane is scared.",
        resource_needs=["food"],
        resource_needs_details="Jane has no lunch.",
    )
    concern = SafetyConcern.objects.get(session=session)
    safeguarding.concern_add_note(concern=concern, user=staff_user, text="Called Jane's school.")
    need = ResourceNeed.objects.get(session=session)
    NeedNote.objects.create(
        need=need, author=staff_user, text="Jane's mum.", status_from="open", status_to="open"
    )
    NoSessionMonth.objects.create(
        mentor=match_a.mentor,
        year=2020,
        month=1,
        reason=NoSessionReason.OTHER,
        details="Jane was ill.",
        declared_by=match_a.mentor.user,
    )
    SessionLogRevision.objects.create(
        session=session, action="updated", changed_by=staff_user, new_values={}
    )
    CheckIn.objects.create(
        match=match_a,
        recorded_by=staff_user,
        recorded_at=now,
        with_whom="guardian",
        how="call",
        on_date=match_a.start_date,
        notes="Jane's gran is ill.",
    )
    followup_ask(session=session, user=staff_user, question="Is Jane all right?")
    records = forgetting.records_about(match_a.mentee)
    entries = []
    for model, found in records.items():
        record = found.first()
        assert record is not None, model.__name__
        field = model.CHILD_TEXT_FIELDS[0]
        entries.append(
            log_action(
                actor=staff_user,
                action=f"{model._meta.model_name}.changed",
                obj=record,
                old={field: "Jane, before."},
                new={field: "Jane, after.", "said": ["Jane smiled."]},
                note="Jane's record.",
            )
        )

    services.mentee_erase(mentee=match_a.mentee, user=admin_user, reason="School letter.")

    for entry in entries:
        entry.refresh_from_db()
        assert "Jane" not in written([entry]), entry.object_type
        assert entry.actor == staff_user
    erased = {e.object_type: e for e in entries}
    assert erased["mentoring.sessionlog"].new_values["notes"] == services.ERASED_PLACEHOLDER
    assert erased["safeguarding.neednote"].new_values["text"] == services.ERASED_PLACEHOLDER
    assert erased["checkins.checkin"].new_values["notes"] == services.ERASED_PLACEHOLDER
    assert CheckIn.objects.get().notes == services.ERASED_PLACEHOLDER
    assert erased["safeguarding.safetyconcern"].new_values["description"] == ("[the child], after.")
    assert erased["mentoring.mentee"].new_values["first_name"] == services.ERASED_NAME


# --- The erasure: Contact messages and the outbox -----------------------------------------


@pytest.fixture
def contact_messages(match_a, staff_user):
    """A Contact message from the child's mentor, answered by staff, and one from
    somebody else that also says "Jane"."""
    mentor = match_a.mentor.user
    from_mentor = support.support_request_create(
        name=mentor.full_name,
        email=mentor.email,
        topic="mentee",
        message="I cannot see my mentee Jane on my page.",
    )
    with_reply = support.support_request_reply(
        request=from_mentor, user=staff_user, reply="Jane's match is back on your page."
    )
    other = support.support_request_create(
        name="Pat Lee", email="pat@example.org", topic="other", message="Jane from Roosevelt."
    )
    return with_reply, other


def test_the_erasure_removes_the_childs_name_from_the_mentors_contact_messages(
    contact_messages, match_a, admin_user
):
    from_mentor, other = contact_messages
    services.mentee_erase(mentee=match_a.mentee, user=admin_user, reason="School letter.")

    from_mentor.refresh_from_db()
    assert from_mentor.message == "I cannot see my mentee [the child] on my page."
    assert from_mentor.reply == "[the child]'s match is back on your page."
    assert from_mentor.name == "Mentor Jane"  # the mentor's own name is theirs
    answered = events_of(from_mentor).get(action="support_request.answered")
    assert answered.new_values["reply"] == "[the child]'s match is back on your page."
    removed = events_of(from_mentor).get(action="support_request.child_name_removed")
    assert "Jane" not in removed.note and removed.actor is None
    # A message from anybody else may be about another child of the same first name.
    assert SupportRequest.objects.get(pk=other.pk).message == "Jane from Roosevelt."
    erased = AuditEvent.objects.get(action="mentee.erased")
    assert erased.new_values["contact_messages"] == 1


def test_the_erasure_removes_the_childs_name_from_emails_about_their_records(
    contact_messages, match_a, admin_user
):
    from_mentor, _ = contact_messages
    reply_email = Notification.objects.get(template="support-reply", subject_id=from_mentor.pk)
    assert "Jane's match" in render_email(reply_email.template, reply_email.context)[1]

    services.mentee_erase(mentee=match_a.mentee, user=admin_user, reason="School letter.")

    reply_email.refresh_from_db()
    assert reply_email.context["reply"] == "[the child]'s match is back on your page."
    assert reply_email.context["name"] == "Mentor Jane"  # the person it is addressed to
    subject, text, html = render_email(reply_email.template, reply_email.context)
    assert "Jane's match" not in text + html + subject
    assert AuditEvent.objects.get(action="mentee.erased").new_values["emails"] == 1


def test_the_erasure_removes_the_name_from_a_concern_email_but_not_the_schools(
    match_a, staff_user, admin_user
):
    concern = safeguarding.concern_raise(
        match=match_a, description="Jane is scared.", raised_by=staff_user
    )
    row = Notification.objects.filter(subject_type="concern", subject_id=concern.pk).first()
    # A value written by hand into an email's context, as an older template might have.
    Notification.objects.filter(pk=row.pk).update(
        context={**row.context, "summary": "About Jane.", "site_name": "Jane Addams School"}
    )

    services.mentee_erase(mentee=match_a.mentee, user=admin_user, reason="School letter.")

    row.refresh_from_db()
    assert row.context["summary"] == "About [the child]."
    assert row.context["site_name"] == "Jane Addams School"
