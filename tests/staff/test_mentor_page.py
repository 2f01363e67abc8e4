"""The mentor as staff see them (issue 14, item 6): every match with its figures, hours by
month, the last session and check-in, open follow-ups, readiness and the history of changes,
on the mentor's staff page; in a fixed number of queries; for staff only."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.checkins import services as checkin_services
from portal.followups import services as followup_services
from portal.mentoring.models import (
    Choice,
    ChoiceList,
    Match,
    Mentee,
    Mentor,
    ProgramSettings,
    SessionLog,
)
from portal.staff import mentor_page
from portal.staff import services as staff_services
from tests.conftest import chicago, log_session, make_match, signed_in
from tests.paths import SIGN_IN

START = dt.date(2025, 1, 6)


def url(mentor: Mentor) -> str:
    return f"/staff/mentors/{mentor.pk}/"


def reason(label: str = "Family request") -> Choice:
    return Choice.objects.get(list=ChoiceList.CLOSURE_REASON, label=label)


def page_of(mentor: Mentor, today: dt.date = dt.date(2026, 6, 15)) -> mentor_page.MentorPage:
    return mentor_page.mentor_page(mentor=mentor, today=today, program=ProgramSettings.load())


def another_match(mentor: Mentor, site, name: str, start: dt.date = START) -> Match:
    mentee = Mentee.objects.create(first_name=name, last_initial="K", site=site, grade="5")
    return Match.objects.create(mentor=mentor, mentee=mentee, site=site, start_date=start)


def build_mentor(email: str, site, staff, *, matches: int, sessions: int) -> Mentor:
    """A mentor with ``matches`` matches (every third one closed with a reason), ``sessions``
    entries spread over them and over the months, a check-in and a follow-up on each."""
    first = make_match(email, site, f"Kid{email[:3]}", START)
    mentor = first.mentor
    all_matches = [first] + [
        another_match(mentor, site, f"Kid{email[:3]}{n}") for n in range(1, matches)
    ]
    entries = []
    for n in range(sessions):
        match = all_matches[n % matches]
        when = chicago(2025, 2, 1, 15, 0) + dt.timedelta(days=4 * n, minutes=n)
        entries.append(log_session(match, when, quarter_hours=1 + n % 8))
    for n, match in enumerate(all_matches):
        checkin_services.checkin_record(
            match=match,
            user=staff,
            with_whom="mentor",
            how="call",
            on_date=dt.date(2025, 3, 1) + dt.timedelta(days=n),
            strength=4,
        )
    for entry in entries[:matches]:
        followup_services.followup_ask(session=entry, user=staff, question="How did it go?")
    for match in all_matches[2::3]:
        staff_services.match_close(
            match=match, user=staff, end_date=dt.date(2026, 1, 31), reason=reason()
        )
    return mentor


def queries(client, mentor: Mentor) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url(mentor))
    assert response.status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_for_2_matches_and_for_8(db, program, school_a, staff_user):
    small = build_mentor("small@example.org", school_a, staff_user, matches=2, sessions=5)
    large = build_mentor("large@example.org", school_a, staff_user, matches=8, sessions=60)
    assert len(page_of(large).matches) == 8
    assert page_of(large).sessions == 60
    client = signed_in(staff_user)
    queries(client, small)  # the first request of a client warms its session
    assert queries(client, small) == queries(client, large)


def test_hours_by_month_follow_the_program_time_zone_and_leave_out_absences_and_deletions(
    db, program, school_a, staff_user
):
    match = make_match("ann@example.org", school_a, "Ann", START)
    log_session(match, chicago(2025, 9, 30, 23, 30), quarter_hours=8)  # October in UTC
    log_session(match, chicago(2025, 10, 1, 0, 30), quarter_hours=4)
    log_session(
        match,
        chicago(2025, 10, 15, 15, 0),
        quarter_hours=0,
        attendance="mentee_absent",
        notes="Ann was not at school.",
    )
    log_session(match, chicago(2025, 10, 31, 23, 45), quarter_hours=2)  # November in UTC
    deleted = log_session(match, chicago(2025, 10, 22, 15, 0), quarter_hours=8)
    SessionLog.objects.filter(pk=deleted.pk).update(deleted_at=chicago(2025, 10, 23))
    log_session(match, chicago(2025, 11, 1, 0, 15), quarter_hours=4)

    page = page_of(match.mentor)

    months = [
        (row["month"].key, row["sessions"], row["met"], str(row["hours"])) for row in page.months
    ]
    assert months == [
        ("2025-11", 1, 1, "1.00"),
        ("2025-10", 3, 2, "1.50"),
        ("2025-09", 1, 1, "2.00"),
    ]
    assert (page.sessions, page.met, str(page.hours)) == (5, 4, "4.50")
    assert page.last_session_at == chicago(2025, 11, 1, 0, 15)
    body = signed_in(staff_user).get(url(match.mentor)).content.decode()
    assert "All time" in body and "4.50" in body and "October 2025" in body


def test_only_the_latest_12_months_are_listed_and_all_time_counts_every_month(
    db, program, school_a
):
    match = make_match("ann@example.org", school_a, "Ann", START)
    for n in range(14):
        log_session(match, chicago(2025 + (n // 12), n % 12 + 1, 10, 15, 0), quarter_hours=4)

    page = page_of(match.mentor)

    assert [row["month"].key for row in page.months][:1] == ["2026-02"]
    assert len(page.months) == 12 and page.months[-1]["month"].key == "2025-03"
    assert page.more_months
    assert page.sessions == 14 and str(page.hours) == "14.00"


def test_a_closed_match_shows_its_length_and_reason_and_the_open_one_its_length_so_far(
    db, program, school_a, staff_user
):
    active = make_match("ann@example.org", school_a, "Ann", dt.date(2026, 2, 1))
    closed = another_match(active.mentor, school_a, "Bea", dt.date(2025, 1, 15))
    staff_services.match_close(
        match=closed,
        user=staff_user,
        end_date=dt.date(2025, 7, 20),
        reason=reason("Mentee changed school"),
        closed_by_whom="family",
        notes="Moving to Ohio.",
    )

    rows = {row.match.pk: row for row in page_of(active.mentor).matches}

    assert str(rows[closed.pk].length) == "6 months, 5 days"
    assert rows[closed.pk].closure_reason == "Mentee changed school"
    assert str(rows[active.pk].length) == "4 months, 14 days"
    assert rows[active.pk].next_checkins and rows[closed.pk].next_checkins == []
    body = signed_in(staff_user).get(url(active.mentor)).content.decode()
    assert "6 months, 5 days" in body
    assert "Mentee changed school (asked by the mentee or their family)" in body
    assert f"/staff/matches/{closed.pk}/" in body and f"/staff/matches/{active.pk}/" in body


def test_the_latest_check_in_is_shown_as_last(db, program, school_a, staff_user):
    match = make_match("ann@example.org", school_a, "Ann", START)
    second = another_match(match.mentor, school_a, "Bea")
    for on_date, target, with_whom, strength in [
        (dt.date(2025, 5, 1), match, "mentor", 2),
        (dt.date(2025, 6, 1), second, "mentee", 5),
        (dt.date(2025, 4, 1), second, "guardian", None),
    ]:
        checkin_services.checkin_record(
            match=target,
            user=staff_user,
            with_whom=with_whom,
            how="call",
            on_date=on_date,
            strength=strength,
        )

    page = page_of(match.mentor)

    last, at = page.last_checkin
    assert (last.on_date, last.with_whom, last.strength, at.pk) == (
        dt.date(2025, 6, 1),
        "mentee",
        5,
        second.pk,
    )
    rows = {row.match.pk: row for row in page.matches}
    assert rows[match.pk].last_checkin.on_date == dt.date(2025, 5, 1)
    body = signed_in(staff_user).get(url(match.mentor)).content.decode()
    assert "1 Jun 2025 with the mentee (Bea K.'s match), match strength: 5 - Very strong" in body


def test_open_follow_ups_are_the_mentors_own_and_not_resolved(
    db, program, match_a, match_b, staff_user
):
    ours = log_session(match_a, chicago(2026, 10, 6, 15, 0))
    theirs = log_session(match_b, chicago(2026, 10, 6, 15, 0))
    asked = followup_services.followup_ask(session=ours, user=staff_user, question="Jane's shoes?")
    done = followup_services.followup_ask(session=ours, user=staff_user, question="The bus pass?")
    followup_services.followup_resolve(followup=done, user=staff_user, note="Sorted by phone.")
    followup_services.followup_ask(session=theirs, user=staff_user, question="Marcus's coat?")

    page = page_of(match_a.mentor)

    assert [f.pk for f in page.open_followups] == [asked.pk]
    body = signed_in(staff_user).get(url(match_a.mentor)).content.decode()
    assert f"/staff/sessions/{ours.pk}/#followup-{asked.pk}" in body
    assert "Jane&#x27;s shoes?" in body
    assert "coat" not in body and "bus pass" not in body


def test_the_history_speaks_in_plain_words(db, program, match_a, staff_user):
    staff_services.match_close(
        match=match_a,
        user=staff_user,
        end_date=match_a.start_date + dt.timedelta(days=200),
        reason=reason(),
        closed_by_whom="mentor",
    )
    staff_services.mentor_deactivate(mentor=match_a.mentor, user=staff_user, reason="Moved away")

    page = page_of(match_a.mentor)

    assert [row.what for row in page.history] == ["Made inactive", "Match closed"]
    closed = page.history[1]
    assert closed.about == "Jane D. at Lincoln Elementary"
    changes = {change.field: (change.before, change.after) for change in closed.changes}
    assert changes["Status"] == ("Active", "Closed")
    assert changes["Why it closed"] == ("None", "Family request")
    assert changes["Who asked to close it"] == ("None", "The mentor")
    body = signed_in(staff_user).get(url(match_a.mentor)).content.decode()
    assert "Made inactive" in body and "Moved away" in body
    for code in ("match.closed", "closure_choice", "closed_by_whom", "mentor.deactivated"):
        assert code not in body


def test_downloads_of_their_own_hours_are_not_changes(db, program, match_a, mentor_a):
    from portal.mentoring import services

    services.mentor_hours_export_record(user=mentor_a, file_format="csv")
    assert page_of(match_a.mentor).history == []


def test_the_page_shows_readiness_and_keeps_the_deactivate_form(
    db, program, match_a, staff_client, staff_user
):
    from portal.readiness import services as readiness_services
    from portal.readiness.models import ReadinessItem

    check = ReadinessItem.objects.create(name="Background check", required=True, valid_months=24)
    body = staff_client.get(url(match_a.mentor)).content.decode()
    assert "Not ready" in body and "Background check" in body and "Not yet" in body
    assert "Deactivate Mentor Jane" in body
    readiness_services.record_add(
        mentor=match_a.mentor, item=check, done_on=dt.date(2026, 1, 5), user=staff_user
    )
    response = staff_client.get(url(match_a.mentor))
    assert response.context["readiness"].ready
    assert "Every required item is current" in response.content.decode()


@pytest.mark.parametrize("who", ["mentor_a", "mentor_b", "site_contact_a"])
def test_no_one_but_staff_see_a_mentors_page(db, program, match_a, who, request):
    response = signed_in(request.getfixturevalue(who)).get(url(match_a.mentor))
    assert response.status_code == 403
    assert "Jane" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(db, program, match_a, client):
    response = client.get(url(match_a.mentor))
    assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)


def test_the_history_is_the_latest_changes_of_this_mentor_only(
    db, program, match_a, match_b, staff_user, admin_user
):
    from portal.mentoring import caseloads

    for n in range(mentor_page.HISTORY_SHOWN + 3):
        caseloads.assign_coordinator(
            matches=Match.objects.filter(pk__in=[match_a.pk, match_b.pk]),
            coordinator=staff_user if n % 2 == 0 else admin_user,
            actor=staff_user,
        )

    history = page_of(match_a.mentor).history

    assert len(history) == mentor_page.HISTORY_SHOWN
    assert {row.about for row in history} == {"Jane D. at Lincoln Elementary"}
    assert [row.when for row in history] == sorted((row.when for row in history), reverse=True)
    assert history[0].changes[0].after == "Alex Morgan"  # the last change (n = 27)
