"""Closing a match well (SPEC 8): who asked and why, the last meeting, the closure
conversations, notes; logging stops at the end date; the match's length is kept."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from portal.audit.models import AuditEvent
from portal.mentoring import rules
from portal.mentoring.models import Choice, ChoiceList, Match, MatchStatus, ProgramSettings
from portal.staff import services as staff_services
from tests.conftest import log_session, session_form, session_input, signed_in

STARTING = [
    "Mentor moved or schedule changed",
    "Mentee changed school",
    "Family request",
    "Program ended",
    "Mentor no longer available",
    "Other",
]


def today() -> dt.date:
    return timezone.localdate(timezone.now(), ProgramSettings.load().tz)


def reason(label: str = "Family request") -> Choice:
    return Choice.objects.get(list=ChoiceList.CLOSURE_REASON, label=label)


def closing(**changes) -> dict:
    data = {
        "end_date": today().isoformat(),
        "closed_by_whom": "family",
        "closure_choice": reason().pk,
        "last_meeting_on": "",
        "talk_with_mentor": "yes",
        "talk_with_family": "no",
        "notes": "Moving to Ohio with her aunt.",
    }
    data.update(changes)
    return data


def close(match: Match, user, end: dt.date, **answers) -> Match:
    return staff_services.match_close(
        match=match, user=user, end_date=end, reason=reason(), closed_by_whom="program", **answers
    )


def test_the_program_starts_with_closure_reasons_without_a_default(db):
    reasons = Choice.objects.filter(list=ChoiceList.CLOSURE_REASON)
    assert [c.label for c in reasons] == STARTING
    assert not reasons.filter(is_default=True).exists()


def test_administrators_add_a_closure_reason_in_the_program_settings(admin_client):
    page = admin_client.get("/staff/settings/").content.decode()
    assert "Why a match closed" in page and "Mentee changed school" in page
    admin_client.post(
        "/staff/settings/choices/",
        {"choice-list": ChoiceList.CLOSURE_REASON, "choice-label": "Mentee graduated"},
    )
    assert reason("Mentee graduated").list == ChoiceList.CLOSURE_REASON


def test_an_empty_closure_form_says_what_each_answer_needs(staff_client, match_a):
    response = staff_client.post(f"/staff/matches/{match_a.pk}/close/", {"notes": ""})
    text = response.content.decode()
    for message in [
        "Enter the last day of the match.",
        "Say who asked to close the match.",
        "Choose why the match is closing.",
        "Say whether you talked with the mentor about the closure.",
        "Say whether you talked with the family about the closure.",
    ]:
        assert message in text
    match_a.refresh_from_db()
    assert match_a.status == MatchStatus.ACTIVE


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_date": "start-1"}, "end_date", "end it on or after that day"),
        ({"end_date": "today+1"}, "end_date", "The last day cannot be in the future."),
        ({"end_date": "start+10", "last_meeting_on": "start+20"}, "end_date", "They last met on"),
        ({"last_meeting_on": "start-1"}, "last_meeting_on", "the last meeting cannot be before"),
        ({"closed_by_whom": "the cat"}, "closed_by_whom", "Say who asked to close the match."),
        ({"closure_choice": "999999"}, "closure_choice", "from the list"),
        ({"talk_with_family": "maybe"}, "talk_with_family", "Say whether you talked"),
        ({"notes": "x" * 251}, "notes", "250"),
    ],
)
def test_the_closure_dates_and_answers_are_checked(staff_client, match_a, changes, field, message):
    days = {
        "start-1": match_a.start_date - dt.timedelta(days=1),
        "start+10": match_a.start_date + dt.timedelta(days=10),
        "start+20": match_a.start_date + dt.timedelta(days=20),
        "today+1": today() + dt.timedelta(days=1),
    }
    data = closing(**{k: (days[v].isoformat() if v in days else v) for k, v in changes.items()})
    response = staff_client.post(f"/staff/matches/{match_a.pk}/close/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    match_a.refresh_from_db()
    assert match_a.status == MatchStatus.ACTIVE


def test_a_retired_reason_is_not_offered(staff_client, match_a):
    retired = reason("Program ended")
    retired.is_retired = True
    retired.save()
    page = staff_client.get(f"/staff/matches/{match_a.pk}/close/").content.decode()
    assert "Program ended" not in page and "Family request" in page
    response = staff_client.post(
        f"/staff/matches/{match_a.pk}/close/", closing(closure_choice=retired.pk)
    )
    assert "closure_choice" in response.context["form"].errors


def test_the_last_meeting_starts_as_the_last_session_date(staff_client, match_a):
    when = timezone.now() - dt.timedelta(days=3)
    log_session(match_a, when)
    page = staff_client.get(f"/staff/matches/{match_a.pk}/close/").content.decode()
    local = timezone.localtime(when, ProgramSettings.load().tz).date()
    assert f'name="last_meeting_on" value="{local.isoformat()}"' in page


def test_closing_keeps_every_answer_and_audits_them_without_the_notes(
    staff_client, staff_user, match_a
):
    last = today() - dt.timedelta(days=2)
    response = staff_client.post(
        f"/staff/matches/{match_a.pk}/close/",
        closing(last_meeting_on=last.isoformat()),
        follow=True,
    )
    assert "The match is closed." in response.content.decode()
    match_a.refresh_from_db()
    assert (match_a.status, match_a.end_date, match_a.last_meeting_on) == ("closed", today(), last)
    assert (match_a.closed_by_whom, match_a.closure_choice) == ("family", reason())
    assert (match_a.closure_talk_with_mentor, match_a.closure_talk_with_family) == (True, False)
    assert match_a.closure_notes == "Moving to Ohio with her aunt."
    event = AuditEvent.objects.get(action="match.closed", object_id=match_a.pk)
    assert event.actor == staff_user
    assert event.new_values["closure_choice"] == "Family request"
    assert event.new_values["closed_by_whom"] == "family"
    assert event.new_values["closure_talk_with_family"] is False
    assert event.new_values["notes_given"] is True
    assert "Ohio" not in str(event.old_values) + str(event.new_values) + event.note
    detail = staff_client.get(f"/staff/matches/{match_a.pk}/").content.decode()
    assert "Family request" in detail and "The mentee or their family" in detail
    assert "12 months" in detail  # started a year ago (365 days)


def test_the_closure_notes_are_child_text():
    assert "closure_reason" in Match.CHILD_TEXT_FIELDS


def test_a_closed_match_cannot_be_closed_again(staff_client, staff_user, match_a):
    close(match_a, staff_user, today())
    response = staff_client.post(f"/staff/matches/{match_a.pk}/close/", closing(), follow=True)
    assert "This match is already closed." in response.content.decode()
    assert AuditEvent.objects.filter(action="match.closed").count() == 1


# --- Logging stops at the end date -----------------------------------------------------


def test_a_session_after_the_end_date_is_refused_with_a_clear_message(
    client_a, staff_user, match_a
):
    end = today() - dt.timedelta(days=5)
    close(match_a, staff_user, end)
    tz = ProgramSettings.load().tz
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(15), tz)
    response = client_a.post("/sessions/new/", session_form(match_a, starts_at=after))
    text = response.content.decode()
    assert f"This match ended on {rules.format_day(end)}" in text
    assert not match_a.sessions.exists()
    # The service refuses it too, whatever the form.
    with pytest.raises(ValidationError, match="This match ended on"):
        from portal.mentoring import services

        services.session_log_create(user=match_a.mentor.user, data=session_input(match_a, after))
    # Its last day is still open for the last session.
    on_end = dt.datetime.combine(end, dt.time(15), tz)
    client_a.post("/sessions/new/", session_form(match_a, starts_at=on_end))
    assert match_a.sessions.count() == 1


def test_the_form_says_the_match_ended_and_later_stops_offering_it(client_a, staff_user, match_a):
    close(match_a, staff_user, today() - dt.timedelta(days=3))
    end = today() - dt.timedelta(days=3)
    form = client_a.get("/sessions/new/").content.decode()
    assert f"This match ended on {end:%A} {end.day} {end:%B %Y}" in form
    Match.objects.filter(pk=match_a.pk).update(end_date=today() - dt.timedelta(days=60))
    page = client_a.get("/sessions/new/").content.decode()
    assert "You have no active match yet" in page and 'name="starts_at"' not in page


# --- After a closure -------------------------------------------------------------------


def test_a_new_match_can_follow_a_closed_one_for_the_same_mentor_and_mentee(
    staff_client, staff_user, match_a
):
    close(match_a, staff_user, today() - dt.timedelta(days=1))
    data = {
        "mentor": match_a.mentor_id,
        "mentee": match_a.mentee_id,
        "site": match_a.site_id,
        "start_date": today().isoformat(),
        "coordinator": staff_user.pk,
    }
    response = staff_client.post("/staff/matches/new/", data)
    assert response.status_code == 302
    matches = Match.objects.filter(mentor=match_a.mentor, mentee=match_a.mentee)
    assert sorted(matches.values_list("status", flat=True)) == ["active", "closed"]


def test_an_administrator_reopens_a_match_closed_by_mistake(
    admin_client, staff_user, admin_user, match_a
):
    close(match_a, staff_user, today(), notes="Moving away")
    assert signed_in(staff_user).post(f"/staff/matches/{match_a.pk}/reopen/").status_code == 403
    page = admin_client.get(f"/staff/matches/{match_a.pk}/").content.decode()
    assert "Reopen this match" in page
    response = admin_client.post(f"/staff/matches/{match_a.pk}/reopen/", follow=True)
    assert "The match is active again" in response.content.decode()
    match_a.refresh_from_db()
    assert (match_a.status, match_a.end_date, match_a.closure_choice) == ("active", None, None)
    assert match_a.closure_reason == ""
    event = AuditEvent.objects.get(action="match.reopened")
    assert event.actor == admin_user and event.old_values["status"] == "closed"
    assert event.old_values["closure_choice"] == "Family request"
    assert "Moving" not in str(event.old_values)


# --- How long a match lasted -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months", "days"),
    [
        (dt.date(2025, 1, 1), dt.date(2025, 1, 1), 0, 0),
        (dt.date(2025, 1, 15), dt.date(2025, 2, 14), 0, 30),
        (dt.date(2025, 1, 15), dt.date(2025, 2, 15), 1, 0),
        (dt.date(2025, 1, 31), dt.date(2025, 2, 28), 1, 0),  # a month end: the last day
        (dt.date(2024, 1, 31), dt.date(2024, 2, 28), 0, 28),  # a leap year: 29 Feb is a month
        (dt.date(2024, 1, 31), dt.date(2024, 2, 29), 1, 0),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28), 12, 0),
        (dt.date(2024, 2, 29), dt.date(2025, 3, 1), 12, 1),
        (dt.date(2025, 3, 31), dt.date(2025, 4, 30), 1, 0),
        (dt.date(2025, 12, 20), dt.date(2026, 1, 19), 0, 30),
    ],
)
def test_a_match_length_in_months_and_days(start, end, months, days):
    assert rules.match_length(start, end) == rules.MatchLength(months=months, days=days)


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31))


@given(start=dates, extra=st.integers(min_value=0, max_value=4000))
def test_a_match_length_is_whole_months_then_fewer_days_than_a_month(start, extra):
    end = start + dt.timedelta(days=extra)
    length = rules.match_length(start, end)
    assert length.months >= 0 and 0 <= length.days <= 30
    reached = rules.add_months(start, length.months)
    assert reached <= end < rules.add_months(start, length.months + 1)
    assert (end - reached).days == length.days


@given(start=dates, months=st.integers(min_value=0, max_value=240))
def test_adding_months_keeps_the_day_or_takes_the_months_last(start, months):
    later = rules.add_months(start, months)
    assert (later.year * 12 + later.month) - (start.year * 12 + start.month) == months
    assert later.day == start.day or (later.day < start.day and (later + dt.timedelta(1)).day == 1)


def test_the_length_of_a_match_is_none_until_it_ends(match_a):
    assert match_a.length is None
    match_a.end_date = match_a.start_date + dt.timedelta(days=45)
    assert match_a.length.months == 1 and str(match_a.length).startswith("1 month")
