"""The mentor's month (issue 11, item 7; RULES 4.7): from the 1st of a month until last
month's deadline, the home page and My sessions show last month's count next to its
deadline, and the home page still shows the current month's count.

Time is frozen on Monday 2 November 2026, 10:00 in Chicago: October's sessions are due by
the end of that day.
"""

import pytest

from portal.mentoring.models import SessionLog
from tests.conftest import chicago, frozen_at, log_session
from tests.page import read_page

NOW = chicago(2026, 11, 2, 10, 0)
AFTER_THE_DEADLINE = chicago(2026, 11, 3, 0, 0)


@pytest.fixture(autouse=True)
def _now():
    with frozen_at(NOW):
        yield


@pytest.fixture
def logged(match_a, match_b, mentor_a):
    """mentor_a: two entries in October, one in November, a deleted one in October;
    mentor_b: one in October, which never counts for mentor_a."""
    log_session(match_a, chicago(2026, 10, 12, 15, 30), quarter_hours=4)
    log_session(match_a, chicago(2026, 10, 31, 23, 30), quarter_hours=2)  # November in UTC
    log_session(match_a, chicago(2026, 11, 1, 15, 0), quarter_hours=6)
    deleted = log_session(match_a, chicago(2026, 10, 20, 15, 30), quarter_hours=8)
    SessionLog.objects.filter(pk=deleted.pk).update(deleted_at=NOW, deleted_by=mentor_a)
    log_session(match_b, chicago(2026, 10, 14, 15, 30), quarter_hours=4)


def page_at(moment, client, user, url):
    """The page as ``user`` sees it at ``moment`` (signed in then: sessions expire)."""
    with frozen_at(moment):
        client.force_login(user)
        return read_page(client.get(url))


# --- Home ---------------------------------------------------------------------------------


def test_before_the_deadline_home_shows_last_months_count_next_to_its_deadline(client_a, logged):
    text = read_page(client_a.get("/mentor/")).text
    assert "October: 2 sessions logged – due Monday 2 November" in text
    assert "October 2026 sessions are due by the end of Monday 2 November 2026." in text


def test_home_still_shows_this_months_count(client_a, logged):
    text = read_page(client_a.get("/mentor/")).text
    assert "1 session\n" in text
    assert "1.50 hours logged in November 2026." in text


def test_after_the_deadline_home_shows_this_months_count_next_to_its_deadline(
    client, mentor_a, logged
):
    text = page_at(AFTER_THE_DEADLINE, client, mentor_a, "/mentor/").text
    assert "November: 1 session logged – due Monday 7 December" in text
    assert "October:" not in text


def test_home_counts_nothing_before_the_first_session(client_a):
    assert "October: 0 sessions logged – due Monday 2 November" in (
        read_page(client_a.get("/mentor/")).text
    )


def test_the_day_n_rule_moves_the_month_shown(client, mentor_a, program, logged):
    program.deadline_rule, program.deadline_day = "day_of_month", 5
    program.save()
    text = page_at(chicago(2026, 11, 5, 23, 0), client, mentor_a, "/mentor/").text
    assert "October: 2 sessions logged – due Thursday 5 November" in text
    later = page_at(chicago(2026, 11, 6, 0, 0), client, mentor_a, "/mentor/").text
    assert "November: 1 session logged – due Saturday 5 December" in later


def test_the_other_mentor_sees_only_their_own_count(client, mentor_b, logged):
    client.force_login(mentor_b)
    text = read_page(client.get("/mentor/")).text
    assert "October: 1 session logged – due Monday 2 November" in text


# --- My sessions --------------------------------------------------------------------------


def test_before_the_deadline_my_sessions_shows_both_months(client_a, logged):
    text = read_page(client_a.get("/sessions/")).text
    assert "October: 2 sessions logged – due Monday 2 November. That is today." in text
    assert "November: 1 session logged – due Monday 7 December." in text
    assert text.index("October: 2 sessions") < text.index("November: 1 session")


def test_after_the_deadline_my_sessions_shows_this_month_only(client, mentor_a, logged):
    text = page_at(AFTER_THE_DEADLINE, client, mentor_a, "/sessions/").text
    assert "November: 1 session logged – due Monday 7 December. 34 days left." in text
    assert "October: 2 sessions logged" not in text


def test_the_due_months_stay_on_top_whichever_month_is_browsed(client_a, logged):
    text = read_page(client_a.get("/sessions/?month=2026-09")).text
    assert "October: 2 sessions logged – due Monday 2 November" in text
    assert "0 sessions, 0.00 hours. Due by the end of Monday 5 October 2026." in text
