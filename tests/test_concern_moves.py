"""A concern follows its session (issue 11, item 2).

When a session is moved to another match (the mentor's edit or a staff correction), its
concern and needs move with it in the same transaction: the concern's match and school
change, the new school's contacts and staff are told, the old school's contact loses it,
and the move is on the audit trail. Unticking the box never deletes a concern: it is
marked as withdrawn for staff to decide, and ticking it again clears that."""

import datetime as dt
from unittest import mock

import pytest
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.mentoring import services as session_services
from portal.mentoring.models import Match, Mentee, ProgramSettings, SessionLog
from portal.notifications.models import Notification
from portal.safeguarding import services
from portal.safeguarding.models import ConcernStatus, NeedStatus, ResourceNeed, SafetyConcern
from tests.conftest import CONCERN_DESCRIPTION as DESCRIPTION
from tests.conftest import CONCERN_NOTES as NOTES
from tests.conftest import edit_input, log_session, two_hours_ago


@pytest.fixture
def other_match(match_a, school_b, site_contact_b) -> Match:
    """Mentor A's second match, with Marcus at school B."""
    mentee = Mentee.objects.create(first_name="Marcus", last_initial="T", site=school_b, grade="5")
    return Match.objects.create(
        mentor=match_a.mentor, mentee=mentee, site=school_b, start_date=match_a.start_date
    )


@pytest.fixture
def same_school_match(match_a, school_a) -> Match:
    """Mentor A's second match, with Lily at school A."""
    mentee = Mentee.objects.create(first_name="Lily", last_initial="R", site=school_a, grade="3")
    return Match.objects.create(
        mentor=match_a.mentor, mentee=mentee, site=school_a, start_date=match_a.start_date
    )


@pytest.fixture
def session_a(match_a, staff_user, admin_user) -> SessionLog:
    """Mentor A's session at school A, with a concern and two needs."""
    return log_session(
        match_a,
        two_hours_ago(),
        entered_at=timezone.now(),
        notes=NOTES,
        safety_concern=True,
        safety_concern_details=DESCRIPTION,
        resource_needs=["food", "clothing"],
    )


def concern_of(session: SessionLog) -> SafetyConcern:
    return SafetyConcern.objects.select_related("site", "match").get(session=session)


def edit_data(session: SessionLog, **overrides) -> dict:
    """What the mentor's edit form sends back for ``session``, unchanged unless told."""
    local = timezone.localtime(session.starts_at, ProgramSettings.load().tz)
    data = {
        "match": session.match_id,
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "attendance": session.attendance,
        "hours": f"{session.quarter_hours / 4:.2f}",
        "type_of_mentoring": session.type_of_mentoring_id,
        "interaction": session.interaction_id,
        "activity": "",
        "notes": session.notes,
        "resource_needs": session.resource_needs,
        "resource_needs_details": session.resource_needs_details,
    }
    if session.safety_concern:
        data["safety_concern"] = "on"
        data["safety_concern_details"] = session.safety_concern_details
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def move(session: SessionLog, to: Match, *, user=None, reason: str = "") -> SessionLog:
    """Move ``session`` to ``to`` through the service, keeping everything else."""
    return session_services.session_log_update(
        session=SessionLog.objects.get(pk=session.pk),
        user=user or session.match.mentor.user,
        data=edit_input(session, match=to),
        reason=reason,
    )


def moved_emails(concern: SafetyConcern):
    return Notification.objects.filter(
        subject_type="concern", subject_id=concern.pk, template="concern-moved"
    )


# --- The concern and needs follow the session -----------------------------------------------


def test_moving_a_session_to_another_school_moves_its_concern_there(session_a, other_match):
    move(session_a, other_match)

    concern = concern_of(session_a)
    assert concern.match == other_match
    assert concern.site == other_match.site
    assert concern.description == DESCRIPTION


def test_moving_a_session_moves_its_needs_to_the_new_match(session_a, other_match):
    move(session_a, other_match)

    assert set(ResourceNeed.objects.values_list("match", flat=True)) == {other_match.pk}


def test_needs_already_referred_or_closed_move_with_their_session(
    session_a, other_match, staff_user
):
    food, clothing = ResourceNeed.objects.order_by("kind")
    services.need_update(need=food, user=staff_user, status=NeedStatus.CLOSED, note="Food bank")
    services.need_update(need=clothing, user=staff_user, status=NeedStatus.REFERRED)

    move(session_a, other_match)

    assert set(ResourceNeed.objects.values_list("match", "status")) == {
        (other_match.pk, NeedStatus.CLOSED),
        (other_match.pk, NeedStatus.REFERRED),
    }


def test_the_old_schools_contact_no_longer_sees_the_moved_concern(
    client, session_a, other_match, site_contact_a
):
    move(session_a, other_match)
    concern = concern_of(session_a)

    client.force_login(site_contact_a)
    assert client.get(f"/concerns/{concern.pk}/").status_code == 404
    assert DESCRIPTION not in client.get("/concerns/?show=all").content.decode()


def test_the_new_schools_contact_reads_the_moved_concern(
    client, session_a, other_match, site_contact_b
):
    move(session_a, other_match)
    concern = concern_of(session_a)

    client.force_login(site_contact_b)
    response = client.get(f"/concerns/{concern.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert DESCRIPTION in page
    assert "Marcus T." in page
    assert "Jane D." not in page
    assert f"/concerns/{concern.pk}/" in client.get("/concerns/").content.decode()


def test_the_new_schools_contacts_and_staff_are_told_the_concern_was_moved(
    session_a, other_match, staff_user, admin_user
):
    concern = concern_of(session_a)

    move(session_a, other_match)

    assert set(moved_emails(concern).values_list("to", flat=True)) == {
        "contact-b@example.org",
        "staff@example.org",
        "admin@example.org",
    }


def test_the_moved_email_says_it_was_moved_without_notes_description_or_child_name(
    session_a, other_match
):
    concern = concern_of(session_a)
    move(session_a, other_match)

    email = moved_emails(concern).get(to="contact-b@example.org")
    stored = str(email.context)
    subject = render_to_string("emails/concern-moved-subject.txt", email.context)
    text = render_to_string("emails/concern-moved-body.txt", email.context)
    html = render_to_string("emails/concern-moved-body.html", email.context)
    assert "Roosevelt Middle" in subject
    assert "moved to your school" in text
    assert "Marcus Hill" in text
    assert f"/concerns/{concern.pk}/" in text
    for content in (stored, subject, text, html):
        for secret in (DESCRIPTION, NOTES, "Jane", "Marcus T", "Lincoln"):
            assert secret not in content


def test_the_move_is_on_the_concerns_audit_trail_with_old_and_new_match_and_school(
    session_a, other_match, match_a, school_a, school_b, mentor_a
):
    concern = concern_of(session_a)

    move(session_a, other_match)

    event = AuditEvent.objects.get(
        object_type="safeguarding.safetyconcern", object_id=concern.pk, action="concern.moved"
    )
    assert event.actor == mentor_a
    assert event.old_values["match"] == match_a.pk
    assert event.old_values["site"] == school_a.pk
    assert event.new_values["match"] == other_match.pk
    assert event.new_values["site"] == school_b.pk


def test_each_moved_need_is_on_its_audit_trail(session_a, other_match, match_a):
    move(session_a, other_match)

    events = AuditEvent.objects.filter(object_type="safeguarding.resourceneed", action="need.moved")
    assert events.count() == 2
    assert {e.old_values["match"] for e in events} == {match_a.pk}
    assert {e.new_values["match"] for e in events} == {other_match.pk}


def test_an_acknowledged_concern_moved_to_another_school_waits_for_that_schools_acknowledgement(
    session_a, other_match, site_contact_a
):
    concern = concern_of(session_a)
    services.concern_acknowledge(concern=concern, user=site_contact_a, note="Called the family")

    move(session_a, other_match)

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.NEW
    assert concern.acknowledged_by is None
    assert concern.acknowledgement_note == ""
    event = AuditEvent.objects.get(object_id=concern.pk, action="concern.moved")
    assert event.old_values["status"] == ConcernStatus.ACKNOWLEDGED
    assert event.old_values["acknowledgement_note"] == "Called the family"


def test_a_closed_concern_moves_with_its_session_but_nobody_is_emailed(
    session_a, other_match, staff_user
):
    concern = concern_of(session_a)
    services.concern_close(concern=concern, user=staff_user, outcome="Spoke with the family.")

    move(session_a, other_match, user=staff_user, reason="Logged on the wrong child")

    concern.refresh_from_db()
    assert (concern.match, concern.site, concern.status) == (
        other_match,
        other_match.site,
        ConcernStatus.CLOSED,
    )
    assert not moved_emails(concern).exists()
    assert AuditEvent.objects.filter(object_id=concern.pk, action="concern.moved").exists()


def test_a_move_within_the_same_school_changes_the_child_and_emails_nobody(
    client, session_a, same_school_match, site_contact_a
):
    concern = concern_of(session_a)

    move(session_a, same_school_match)

    concern.refresh_from_db()
    assert concern.match == same_school_match
    assert not moved_emails(concern).exists()
    client.force_login(site_contact_a)
    assert "Lily R." in client.get(f"/concerns/{concern.pk}/").content.decode()


def test_a_session_changed_without_a_new_match_moves_nothing(session_a, mentor_a):
    concern = concern_of(session_a)
    data = edit_data(session_a, notes=NOTES + " We also drew.")
    session = SessionLog.objects.get(pk=session_a.pk)
    session_services.session_log_update(
        session=session,
        user=mentor_a,
        data=edit_input(
            session,
            notes=data["notes"],
            safety_concern=True,
            safety_concern_details=DESCRIPTION,
        ),
    )

    assert not AuditEvent.objects.filter(action__in=["concern.moved", "need.moved"]).exists()
    assert not moved_emails(concern).exists()


def test_when_the_move_cannot_be_stored_the_session_and_concern_stay_where_they_were(
    session_a, other_match, match_a
):
    concern = concern_of(session_a)
    with (
        mock.patch(
            "portal.safeguarding.services.notification_queue",
            side_effect=DatabaseError("outbox down"),
        ),
        pytest.raises(DatabaseError),
    ):
        move(session_a, other_match)

    session_a.refresh_from_db()
    concern.refresh_from_db()
    assert session_a.match == match_a
    assert concern.match == match_a
    assert set(ResourceNeed.objects.values_list("match", flat=True)) == {match_a.pk}


# --- Through the pages ----------------------------------------------------------------------


def test_the_mentors_edit_to_their_other_match_moves_the_concern(
    client_a, session_a, other_match, site_contact_b
):
    response = client_a.post(
        f"/sessions/{session_a.pk}/edit/", edit_data(session_a, match=other_match.pk)
    )

    assert response.status_code == 302
    concern = concern_of(session_a)
    assert concern.site == other_match.site
    assert moved_emails(concern).filter(to="contact-b@example.org").exists()


def test_a_staff_correction_to_another_match_moves_the_concern(
    client, session_a, other_match, staff_user, site_contact_a, site_contact_b
):
    client.force_login(staff_user)
    response = client.post(
        f"/staff/sessions/{session_a.pk}/correct/",
        edit_data(session_a, match=other_match.pk, reason="Logged on the wrong child"),
    )

    assert response.status_code == 302
    concern = concern_of(session_a)
    assert concern.match == other_match
    client.force_login(site_contact_a)
    assert client.get(f"/concerns/{concern.pk}/").status_code == 404
    client.force_login(site_contact_b)
    assert client.get(f"/concerns/{concern.pk}/").status_code == 200


def test_another_mentor_cannot_move_the_session(client, session_a, mentor_b, match_b):
    client.force_login(mentor_b)
    response = client.post(
        f"/sessions/{session_a.pk}/edit/", edit_data(session_a, match=match_b.pk)
    )

    assert response.status_code == 404
    assert concern_of(session_a).match == session_a.match


# --- Withdrawn by the mentor ---------------------------------------------------------------


def untick(client, session: SessionLog):
    return client.post(
        f"/sessions/{session.pk}/edit/",
        edit_data(session, safety_concern=None, safety_concern_details=None),
    )


def test_unticking_the_box_keeps_the_concern_and_records_the_withdrawal(
    client_a, session_a, mentor_a
):
    concern = concern_of(session_a)

    assert untick(client_a, session_a).status_code == 302

    concern.refresh_from_db()
    assert concern.description == DESCRIPTION
    assert concern.status == ConcernStatus.NEW
    assert concern.withdrawn_by == mentor_a
    assert concern.withdrawn_at is not None
    event = AuditEvent.objects.get(object_id=concern.pk, action="concern.withdrawn")
    assert event.actor == mentor_a


def test_the_concern_page_tells_staff_the_mentor_withdrew_it_and_to_decide(
    client, client_a, session_a, staff_user
):
    concern = concern_of(session_a)
    untick(client_a, session_a)

    client.force_login(staff_user)
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert "The mentor withdrew this concern on" in page
    assert "decide whether to close it" in page
    assert DESCRIPTION in page


def test_the_concern_list_marks_a_withdrawn_concern(client, client_a, session_a, staff_user):
    untick(client_a, session_a)

    client.force_login(staff_user)
    page = client.get("/concerns/").content.decode()
    assert "Withdrawn by the mentor" in page


def test_the_staff_session_page_says_the_mentor_withdrew_the_concern(
    client, client_a, session_a, staff_user
):
    concern = concern_of(session_a)
    untick(client_a, session_a)

    client.force_login(staff_user)
    page = client.get(f"/staff/sessions/{session_a.pk}/").content.decode()
    assert "The mentor withdrew this concern on" in page
    assert f"/concerns/{concern.pk}/" in page


def test_the_schools_contact_sees_that_the_mentor_withdrew_it(
    client, client_a, session_a, site_contact_a
):
    concern = concern_of(session_a)
    untick(client_a, session_a)

    client.force_login(site_contact_a)
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert "The mentor withdrew this concern on" in page
    assert "program staff will decide whether to close it" in page


def test_ticking_the_box_again_clears_the_withdrawal(client_a, session_a, mentor_a):
    concern = concern_of(session_a)
    untick(client_a, session_a)
    session_a.refresh_from_db()

    response = client_a.post(
        f"/sessions/{session_a.pk}/edit/",
        edit_data(session_a, safety_concern="on", safety_concern_details=DESCRIPTION),
    )

    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.withdrawn_at is None
    assert concern.withdrawn_by is None
    assert SafetyConcern.objects.count() == 1
    event = AuditEvent.objects.get(object_id=concern.pk, action="concern.withdrawal_cleared")
    assert event.actor == mentor_a
    assert event.old_values["withdrawn_by"] == mentor_a.pk


def test_adding_the_concern_again_after_saving_clears_the_withdrawal(client_a, session_a, mentor_a):
    concern = concern_of(session_a)
    untick(client_a, session_a)

    session_services.session_log_add_flags(
        session=SessionLog.objects.get(pk=session_a.pk),
        user=mentor_a,
        concern_details=DESCRIPTION,
    )

    concern.refresh_from_db()
    assert concern.withdrawn_at is None


def test_a_withdrawn_concern_moves_with_its_session_still_withdrawn(
    client_a, session_a, other_match, mentor_a
):
    untick(client_a, session_a)
    session_a.refresh_from_db()

    move(session_a, other_match)

    concern = concern_of(session_a)
    assert concern.site == other_match.site
    assert concern.withdrawn_by == mentor_a


def test_a_second_mentors_session_is_untouched_by_the_first_ones_move(
    session_a, other_match, match_b
):
    theirs = log_session(
        match_b,
        two_hours_ago(),
        entered_at=timezone.now(),
        safety_concern=True,
        safety_concern_details="Marcus was scared.",
    )

    move(session_a, other_match)

    assert concern_of(theirs).match == match_b


def test_the_mentor_is_told_the_withdrawn_concern_stays_with_staff(client_a, session_a):
    response = untick(client_a, session_a)

    page = client_a.get(response["Location"]).content.decode()
    assert "The concern you reported stays with program staff" in page


def test_the_new_school_gets_the_programs_full_time_to_acknowledge_from_the_move(
    session_a, other_match
):
    concern = concern_of(session_a)
    SafetyConcern.objects.filter(pk=concern.pk).update(
        raised_at=timezone.now() - dt.timedelta(hours=30)
    )
    assert services.concerns_escalate() == 1  # school A did not acknowledge in time

    move(session_a, other_match)

    assert services.concerns_escalate() == 0
    assert services.concerns_escalate(now=timezone.now() + dt.timedelta(hours=25)) == 1


def test_the_sessions_history_names_the_match_before_and_after_the_move(
    client, session_a, other_match, staff_user
):
    move(session_a, other_match, user=staff_user, reason="Logged on the wrong child")

    revision = SessionLog.objects.get(pk=session_a.pk).revisions.last()
    assert revision.changes() == [
        ("match", "Jane D. at Lincoln Elementary", "Marcus T. at Roosevelt Middle")
    ]
    client.force_login(staff_user)
    page = client.get(f"/staff/sessions/{session_a.pk}/").content.decode()
    assert "Marcus T. at Roosevelt Middle" in page
