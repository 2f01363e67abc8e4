"""Matches needing support (RULES 4.16): an active match with two absences in a row, or with
nothing logged for 30 days, is listed for staff."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.mentoring.models import MatchStatus, SessionLog
from portal.safeguarding.selectors import matches_needing_support
from tests.conftest import log_session, make_match
from tests.page import read_page

PAGE = "/matches-needing-support/"
SIGN_IN = "/accounts/sign-in/"


def days_ago(days: float) -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=days)


def absent(match, when: dt.datetime, who: str = "mentee_absent") -> SessionLog:
    return log_session(match, when, quarter_hours=0, attendance=who, notes="Not at school.")


def met(match, when: dt.datetime) -> SessionLog:
    return log_session(match, when)


def reasons_for(match) -> list[str] | None:
    """Why the match needs support, or None when it is not listed."""
    for item in matches_needing_support():
        if item.match.pk == match.pk:
            return item.reasons
    return None


# --- Two absences in a row ----------------------------------------------------------------


def test_two_absences_in_a_row_are_listed(match_a):
    met(match_a, days_ago(20))
    absent(match_a, days_ago(14))
    absent(match_a, days_ago(7), who="mentor_absent")

    assert reasons_for(match_a) == ["Two absences in a row"]


def test_a_met_session_after_two_absences_takes_the_match_off_the_list(match_a):
    absent(match_a, days_ago(14))
    absent(match_a, days_ago(7))
    met(match_a, days_ago(1))

    assert reasons_for(match_a) is None


def test_one_absence_is_not_enough(match_a):
    met(match_a, days_ago(14))
    absent(match_a, days_ago(7))

    assert reasons_for(match_a) is None


def test_two_absences_apart_are_not_in_a_row(match_a):
    absent(match_a, days_ago(21))
    met(match_a, days_ago(14))
    absent(match_a, days_ago(7))

    assert reasons_for(match_a) is None


def test_a_cancelled_session_is_not_an_absence(match_a):
    absent(match_a, days_ago(14))
    absent(match_a, days_ago(7), who="cancelled")

    assert reasons_for(match_a) is None


def test_a_deleted_entry_does_not_hide_two_absences(match_a, mentor_a):
    from portal.mentoring.services import session_log_delete

    absent(match_a, days_ago(14))
    absent(match_a, days_ago(7))
    mistake = met(match_a, days_ago(1))
    session_log_delete(session=mistake, user=mentor_a)

    assert reasons_for(match_a) == ["Two absences in a row"]


# --- Nothing logged for 30 days -----------------------------------------------------------


def test_a_match_with_nothing_logged_for_more_than_30_days_is_listed(match_a):
    met(match_a, days_ago(45))

    assert reasons_for(match_a) == ["Nothing logged for 45 days"]


def test_a_match_that_logged_in_the_last_30_days_is_not_listed(match_a):
    met(match_a, days_ago(29))

    assert reasons_for(match_a) is None


def test_a_match_that_never_logged_anything_since_it_started_long_ago_is_listed(match_a):
    reasons = reasons_for(match_a)

    assert reasons == [f"Nothing logged since the match started on {match_a.start_date:%d %b %Y}"]


def test_a_match_started_10_days_ago_with_nothing_logged_is_not_listed(school_a):
    fresh = make_match(
        "new-mentor@example.org", school_a, "Theo", timezone.localdate() - dt.timedelta(days=10)
    )

    assert reasons_for(fresh) is None


def test_a_closed_match_is_not_listed(match_a):
    absent(match_a, days_ago(50))
    absent(match_a, days_ago(45))
    match_a.status = MatchStatus.CLOSED
    match_a.end_date = timezone.localdate()
    match_a.closure_reason = "The family moved."
    match_a.save()

    assert reasons_for(match_a) is None


def test_both_reasons_are_given_when_both_apply(match_a):
    absent(match_a, days_ago(50))
    absent(match_a, days_ago(40))

    assert reasons_for(match_a) == ["Two absences in a row", "Nothing logged for 40 days"]


def test_each_match_is_judged_on_its_own_entries(match_a, match_b):
    absent(match_a, days_ago(14))
    absent(match_a, days_ago(7))
    met(match_b, days_ago(3))

    assert reasons_for(match_a) == ["Two absences in a row"]
    assert reasons_for(match_b) is None


# --- The staff page -----------------------------------------------------------------------


def test_staff_see_the_matches_needing_support(client, staff_user, match_a, match_b):
    absent(match_a, days_ago(14))
    absent(match_a, days_ago(7))
    met(match_b, days_ago(2))
    client.force_login(staff_user)

    response = client.get(PAGE)

    assert response.status_code == 200
    page = read_page(response).text
    assert "Matches needing support" in page
    assert "Mentor Jane" in page
    assert "Two absences in a row" in page
    assert "Mentor Marcus" not in page


def test_the_page_says_so_when_every_match_is_logging(client, admin_user, match_a):
    met(match_a, days_ago(2))
    client.force_login(admin_user)

    assert "Every active match is logging regularly." in read_page(client.get(PAGE)).text


@pytest.mark.parametrize("role", ["mentor_a", "mentor_b", "site_contact_a", "site_contact_b"])
def test_mentors_and_site_contacts_may_not_see_the_page(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(PAGE).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next={PAGE}"


def add_quiet_matches(school, first: int, count: int) -> None:
    """Matches started two months ago that never logged anything, so all are listed."""
    start = timezone.localdate() - dt.timedelta(days=60)
    for i in range(first, first + count):
        make_match(f"quiet-{i}@example.org", school, f"Kid{i}", start)


def test_the_page_costs_the_same_number_of_queries_for_3_or_30_matches(
    client, staff_user, school_a, school_b
):
    client.force_login(staff_user)
    add_quiet_matches(school_a, 0, 3)
    client.get(PAGE)  # the session and settings are warm for both measures
    with CaptureQueriesContext(connection) as with_3:
        response = client.get(PAGE)
    assert response.content.decode().count("Nothing logged since") == 3

    add_quiet_matches(school_b, 3, 27)
    with CaptureQueriesContext(connection) as with_30:
        response = client.get(PAGE)
    assert response.content.decode().count("Nothing logged since") == 30

    assert len(with_30) == len(with_3)


def test_the_selector_reads_the_matches_in_one_query(
    django_assert_max_num_queries, school_a, program
):
    add_quiet_matches(school_a, 0, 30)

    with django_assert_max_num_queries(2):  # the program settings, then the matches
        found = matches_needing_support()
        names = [item.match.mentor.user.full_name + item.match.site.name for item in found]

    assert len(names) == 30
