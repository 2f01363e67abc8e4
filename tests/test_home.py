"""The mentor's home page and the sessions by month (RULES 4.7 and 5: totals, the next
deadline, recent sessions).

Time is frozen on Wednesday 18 November 2026, 10:00 in Chicago: October's sessions were
due on Monday 2 November, November's are due on Monday 7 December (19 days later).
"""

import pytest

from portal.mentoring.models import SessionLog
from tests.conftest import chicago, frozen_at, log_session
from tests.page import read_page

NOW = chicago(2026, 11, 18, 10, 0)


@pytest.fixture(autouse=True)
def _now():
    with frozen_at(NOW):
        yield


@pytest.fixture
def logged(match_a, match_b, mentor_a):
    """mentor_a's November: three entries (2.25 hours), plus entries that must not count."""
    sessions = {
        "nov_2": log_session(match_a, chicago(2026, 11, 2, 15, 30), quarter_hours=6),
        "nov_9": log_session(match_a, chicago(2026, 11, 9, 15, 30), quarter_hours=3),
        "nov_16_absent": log_session(
            match_a,
            chicago(2026, 11, 16, 15, 30),
            quarter_hours=0,
            attendance="mentee_absent",
            notes="Jane was absent today.",
        ),
        # 23:30 on 31 October in Chicago is already November in UTC: it is October's.
        "oct_31": log_session(match_a, chicago(2026, 10, 31, 23, 30), quarter_hours=4),
        "oct_26": log_session(match_a, chicago(2026, 10, 26, 15, 30), quarter_hours=4),
        "nov_10_deleted": log_session(match_a, chicago(2026, 11, 10, 15, 30), quarter_hours=8),
        "other_mentor": log_session(match_b, chicago(2026, 11, 11, 15, 30), quarter_hours=16),
    }
    SessionLog.objects.filter(pk=sessions["nov_10_deleted"].pk).update(
        deleted_at=NOW, deleted_by=mentor_a
    )
    return sessions


def url(session) -> str:
    return f"/sessions/{session.pk}/"


# --- Home ---------------------------------------------------------------------------------


def test_home_counts_this_months_sessions_and_hours(client_a, logged):
    text = read_page(client_a.get("/mentor/")).text
    assert "3 sessions" in text
    assert "2.25 hours logged in November 2026." in text


def test_home_counts_nothing_before_the_first_session(client_a):
    text = read_page(client_a.get("/mentor/")).text
    assert "0 sessions" in text
    assert "0.00 hours logged in November 2026." in text
    assert "No sessions logged yet." in text


def test_home_shows_the_next_deadline_and_the_days_left(client_a):
    text = read_page(client_a.get("/mentor/")).text
    assert "Monday 7 December" in text
    assert "November 2026 sessions are due by the end of Monday 7 December 2026." in text
    assert "19 days left." in text


def test_before_the_first_monday_home_shows_last_months_deadline(client, mentor_a):
    with frozen_at(chicago(2026, 11, 2, 9, 0)):
        client.force_login(mentor_a)
        text = read_page(client.get("/mentor/")).text
    assert "October 2026 sessions are due by the end of Monday 2 November 2026." in text
    assert "That is today." in text


def test_the_day_before_the_deadline_home_says_one_day_left(client, mentor_a):
    with frozen_at(chicago(2026, 12, 6, 23, 0)):
        client.force_login(mentor_a)
        assert "1 day left." in read_page(client.get("/mentor/")).text


def test_home_follows_the_programs_deadline_rule(client_a, program):
    program.deadline_rule = "day_of_month"
    program.deadline_day = 5
    program.save()
    text = read_page(client_a.get("/mentor/")).text
    assert "November 2026 sessions are due by the end of Saturday 5 December 2026." in text
    assert "17 days left." in text


def test_home_lists_recent_sessions_newest_first_without_deleted_ones(client_a, logged):
    page = read_page(client_a.get("/mentor/"))
    session_links = [
        href for href, _ in page.links if href.startswith("/sessions/") and href[10:-1].isdigit()
    ]
    assert session_links == [
        url(logged["nov_16_absent"]),
        url(logged["nov_9"]),
        url(logged["nov_2"]),
        url(logged["oct_31"]),
        url(logged["oct_26"]),
    ]


def test_home_has_the_log_a_session_link(client_a):
    assert read_page(client_a.get("/mentor/")).link_to("Log a session") == "/sessions/new/"


def test_home_shows_the_mentee_and_the_school_site_contact(client_a):
    text = read_page(client_a.get("/mentor/")).text
    assert "Jane D." in text
    assert "Lincoln Elementary" in text
    assert "Dana Whitfield, Counselor" in text
    assert "Any immediate safety concerns must be reported to your school site contact." in text


# --- Sessions by month --------------------------------------------------------------------


def test_the_list_shows_this_month_with_its_total_and_deadline(client_a, logged):
    page = read_page(client_a.get("/sessions/"))
    assert "November 2026" in page.text
    assert "3 sessions, 2.25 hours. Due by the end of Monday 7 December 2026." in page.text
    listed = {href for href in page.hrefs() if href.startswith("/sessions/")}
    assert url(logged["nov_2"]) in listed
    assert url(logged["oct_26"]) not in listed
    assert url(logged["nov_10_deleted"]) not in listed
    assert url(logged["other_mentor"]) not in listed


def test_the_list_of_another_month_counts_that_month_in_local_time(client_a, logged):
    page = read_page(client_a.get("/sessions/?month=2026-10"))
    assert "2 sessions, 2.00 hours. Due by the end of Monday 2 November 2026." in page.text
    assert url(logged["oct_31"]) in page.hrefs()
    assert "Sat 31 Oct, 11:30 PM" in page.text


def test_the_month_navigation_goes_back_and_forward_but_not_past_this_month(client_a):
    october = read_page(client_a.get("/sessions/?month=2026-10"))
    assert october.link_to("← Previous month") == "?month=2026-09"
    assert october.link_to("Next month →") == "?month=2026-11"
    november = read_page(client_a.get("/sessions/"))
    assert november.link_to("← Previous month") == "?month=2026-10"
    assert "Next month →" not in november.text


def test_the_navigation_crosses_the_year(client_a):
    january = read_page(client_a.get("/sessions/?month=2026-01"))
    assert january.link_to("← Previous month") == "?month=2025-12"
    assert january.link_to("Next month →") == "?month=2026-02"


def test_the_totals_by_month_leave_out_deleted_entries_and_other_mentors(client_a, logged):
    page = read_page(client_a.get("/sessions/"))
    assert "November 2026\n3\n2.25" in page.text
    assert "October 2026\n2\n2.00" in page.text
    assert page.link_to("October 2026") == "?month=2026-10"


@pytest.mark.parametrize("month", ["garbage", "2026-13", "2026", "2026-11-05", "9999-12", "0-1"])
def test_a_month_that_makes_no_sense_shows_this_month(client_a, month):
    response = client_a.get(f"/sessions/?month={month}")
    assert response.status_code == 200
    assert "No sessions logged for November 2026." in read_page(response).text


def test_a_session_is_shown_in_the_programs_time_zone(client_a, logged):
    text = read_page(client_a.get(url(logged["oct_31"]))).text
    assert "Saturday 31 October 2026, 11:30 PM" in text
