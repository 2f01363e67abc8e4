"""Retention and erasure (ASVS 5.0 V14.2): old notes are blanked when the program says
so, and a child's records are erased at the school's request, by administrators only."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.lifecycle import services
from portal.mentoring.models import MatchStatus, Mentee, ProgramSettings, SessionLog
from portal.safeguarding import services as safeguarding
from portal.safeguarding.models import ResourceNeed, SafetyConcern
from portal.schedule import SCHEDULED_JOBS
from tests.conftest import log_session


@pytest.fixture
def old_and_new(match_a):
    """A session four years ago (with a concern and a need) and one last week."""
    now = timezone.now().replace(second=0, microsecond=0)
    match_a.start_date = (now - dt.timedelta(days=6 * 365)).date()
    match_a.save()
    old = log_session(
        match_a,
        now - dt.timedelta(days=4 * 365),
        notes="Jane talked about her brother.",
        safety_concern=True,
        safety_concern_details="Jane has bruises.",
        resource_needs=["food"],
        resource_needs_details="No food at home.",
    )
    recent = log_session(match_a, now - dt.timedelta(days=7), notes="Jane was happy.")
    return old, recent


def set_retention(years):
    program = ProgramSettings.load()
    program.session_notes_retention_years = years
    program.save()


def test_retention_is_off_by_default(old_and_new):
    assert ProgramSettings.load().session_notes_retention_years is None
    assert services.sessions_purge_expired() == 0
    assert SessionLog.objects.get(pk=old_and_new[0].pk).notes == "Jane talked about her brother."


def test_the_purge_blanks_notes_past_retention_and_audits_it(old_and_new):
    old, recent = old_and_new
    set_retention(3)
    assert services.sessions_purge_expired() == 1
    old.refresh_from_db()
    assert old.notes == services.RETENTION_PLACEHOLDER
    assert old.resource_needs_details == ""
    assert old.quarter_hours == 4 and old.starts_at  # the record of service stays
    assert "Jane" not in str(list(old.revisions.values_list("old_values", "new_values")))
    assert ResourceNeed.objects.get(session=old).details == ""
    assert SessionLog.objects.get(pk=recent.pk).notes == "Jane was happy."
    event = AuditEvent.objects.get(action="session.notes_purged")
    assert (event.object_id, event.actor) == (old.pk, None)
    # Concerns follow their own retention: kept as they are.
    assert SafetyConcern.objects.get(session=old).description == "Jane has bruises."


def test_the_purge_is_idempotent(old_and_new):
    set_retention(3)
    assert services.sessions_purge_expired() == 1
    assert services.sessions_purge_expired() == 0
    call_command("purge_expired", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert AuditEvent.objects.filter(action="session.notes_purged").count() == 1


def test_the_worker_runs_the_purge():
    assert SCHEDULED_JOBS["purge_expired"].run is services.sessions_purge_expired


@pytest.fixture
def erasable(match_a, staff_user, site_contact_a):
    now = timezone.now().replace(second=0, microsecond=0)
    session = log_session(
        match_a,
        now - dt.timedelta(hours=3),
        notes="Jane said her dad shouts. Jane cried.",
        safety_concern=True,
        safety_concern_details="Jane is scared of going home.",
        resource_needs=["clothing"],
        resource_needs_details="Jane has no winter coat.",
    )
    concern = SafetyConcern.objects.get(session=session)
    safeguarding.concern_add_note(concern=concern, user=staff_user, text="Called Jane's school.")
    return session, concern


def test_only_an_administrator_can_erase(erasable, staff_user, mentor_a):
    mentee = erasable[0].match.mentee
    for user in (staff_user, mentor_a):
        with pytest.raises(PermissionDenied):
            services.mentee_erase(mentee=mentee, user=user, reason="Asked by the school.")
    assert Mentee.objects.get(pk=mentee.pk).first_name == "Jane"


def test_erasing_a_mentee_erases_notes_and_keeps_concerns_without_the_name(erasable, admin_user):
    session, concern = erasable
    mentee = session.match.mentee
    summary = services.mentee_erase(mentee=mentee, user=admin_user, reason="School letter 3/3.")
    assert (summary.sessions, summary.concerns, summary.needs) == (1, 1, 1)

    session.refresh_from_db()
    assert session.notes == services.ERASED_PLACEHOLDER
    assert "Jane" not in str(list(session.revisions.values_list("old_values", "new_values")))
    assert ResourceNeed.objects.get(session=session).details == ""
    mentee.refresh_from_db()
    assert (mentee.first_name, mentee.status) == ("Erased", "inactive")
    assert session.match.__class__.objects.get(pk=session.match_id).status == MatchStatus.CLOSED

    concern = SafetyConcern.objects.get(pk=concern.pk)  # kept
    assert concern.description == "[the child] is scared of going home."
    assert concern.notes.get().text == "Called [the child]'s school."
    event = AuditEvent.objects.get(action="mentee.erased")
    assert (event.actor, event.note, event.object_id) == (
        admin_user,
        "School letter 3/3.",
        mentee.pk,
    )
    assert "Jane" not in str(list(AuditEvent.objects.values_list("old_values", "new_values")))

    # Twice: nothing more to do, one more audit entry saying so.
    again = services.mentee_erase(mentee=mentee, user=admin_user, reason="Again.")
    assert again.sessions == 0


def test_the_erase_page_is_for_administrators(erasable, client, staff_user, admin_user):
    mentee = erasable[0].match.mentee
    url = f"/records/mentees/{mentee.pk}/erase/"
    client.force_login(staff_user)
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x", "confirm": "on"}).status_code == 403
    client.force_login(admin_user)
    page = client.get(url)
    assert page.status_code == 200 and b"Erase Jane D.'s records?" in page.content
    refused = client.post(url, {"reason": ""})
    assert b"Say why the records are erased." in refused.content
    assert Mentee.objects.get(pk=mentee.pk).first_name == "Jane"
    done = client.post(url, {"reason": "School request.", "confirm": "on"})
    assert done.status_code == 302
    assert Mentee.objects.get(pk=mentee.pk).first_name == "Erased"
