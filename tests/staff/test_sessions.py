"""Staff sessions: filters, correction with a reason, reviews that lock an entry."""

import datetime as dt

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.mentoring.models import ProgramSettings, SessionLog
from portal.mentoring.services import mentor_may_change
from tests.conftest import log_session


@pytest.fixture
def recent(match_a):
    when = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3)
    return log_session(match_a, when, quarter_hours=4)


def correction_data(session, **overrides):
    local = timezone.localtime(session.starts_at, ProgramSettings.load().tz)
    data = {
        "match": session.match_id,
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "hours": "1.00",
        "type_of_mentoring": session.type_of_mentoring_id,
        "interaction": session.interaction_id,
        "attendance": "met",
        "notes": session.notes,
        "reason": "Mentor called: it was an hour and a half.",
    }
    data.update(overrides)
    return data


def test_filters_by_month_school_late_and_flagged(october, staff_client, school_b):
    def count(query):
        return staff_client.get(f"/staff/sessions/?{query}").context["page"].paginator.count

    assert count("month=2025-10") == 5
    assert count(f"month=2025-10&site={school_b.pk}") == 1
    assert count("month=2025-10&late=on") == 1
    assert count("month=2025-10&attendance=mentee_absent") == 1
    assert count("mentor=cal@") == 2
    assert count("month=2025-10&flagged=on") == 0
    assert count("month=2025-10&reviewed=no") == 5


def test_flagged_finds_concerns_and_needs(staff_client, match_a):
    when = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3)
    from portal.mentoring import services
    from portal.mentoring.models import Choice, ChoiceList

    services.session_log_create(
        user=match_a.mentor.user,
        data=services.SessionInput(
            match=match_a,
            starts_at=when,
            quarter_hours=4,
            type_of_mentoring=Choice.objects.get(
                list=ChoiceList.TYPE_OF_MENTORING, is_default=True
            ),
            interaction=Choice.objects.get(list=ChoiceList.INTERACTION, is_default=True),
            attendance="met",
            notes="She needs a coat.",
            resource_needs=["clothing"],
        ),
    )
    log_session(match_a, when - dt.timedelta(days=1))
    response = staff_client.get("/staff/sessions/?flagged=on")
    assert response.context["page"].paginator.count == 1


def test_a_correction_needs_a_reason(staff_client, recent):
    response = staff_client.post(
        f"/staff/sessions/{recent.pk}/correct/", correction_data(recent, hours="1.50", reason="")
    )
    assert response.status_code == 200
    assert "Say why you are correcting this entry." in response.content.decode()
    recent.refresh_from_db()
    assert recent.quarter_hours == 4


def test_a_correction_keeps_and_shows_the_old_values(staff_client, staff_user, recent):
    response = staff_client.post(
        f"/staff/sessions/{recent.pk}/correct/", correction_data(recent, hours="1.50")
    )
    assert response.status_code == 302
    recent.refresh_from_db()
    assert recent.quarter_hours == 6
    event = AuditEvent.objects.get(action="session.corrected")
    assert (event.actor, event.old_values["hours"], event.new_values["hours"]) == (
        staff_user,
        "1.00",
        "1.50",
    )
    page = staff_client.get(f"/staff/sessions/{recent.pk}/").content.decode()
    assert "Mentor called: it was an hour and a half." in page
    assert '<td class="notes">1.00</td><td class="notes">1.50</td>' in page


def test_reviewing_one_entry_locks_it_for_its_mentor(staff_client, recent):
    assert mentor_may_change(recent)
    response = staff_client.post(f"/staff/sessions/{recent.pk}/review/")
    assert response.status_code == 302
    recent.refresh_from_db()
    assert recent.reviewed_at is not None
    assert not mentor_may_change(recent)


def test_reviewing_in_bulk(october, staff_client, staff_user):
    ids = list(SessionLog.objects.live().values_list("pk", flat=True)[:3])
    response = staff_client.post(
        "/staff/sessions/review/", {"sessions": ids, "next": "month=2025-10"}
    )
    assert response["Location"] == "/staff/sessions/?month=2025-10"
    assert SessionLog.objects.filter(reviewed_by=staff_user).count() == 3
    assert AuditEvent.objects.filter(action="session.reviewed").count() == 3
    # Reviewing again changes nothing and records nothing more.
    staff_client.post("/staff/sessions/review/", {"sessions": ids})
    assert AuditEvent.objects.filter(action="session.reviewed").count() == 3


def test_bulk_review_with_nothing_chosen_says_so(staff_client, db):
    response = staff_client.post("/staff/sessions/review/", {}, follow=True)
    assert "Choose at least one entry" in response.content.decode()
