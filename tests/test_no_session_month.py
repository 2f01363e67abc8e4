"""A month without sessions (RULES 4.15): one step with a reason, from the mentor's home page;
it stops that month's reminders and staff see it."""

import pytest
from django.core.exceptions import ValidationError

from portal.audit.models import AuditEvent
from portal.mentoring import reminders, services
from portal.mentoring.models import NoSessionMonth, NoSessionReason, ReminderSent
from portal.mentoring.rules import Month
from portal.mentoring.selectors import months_declared_without_sessions
from tests.conftest import chicago, frozen_at, log_session
from tests.page import read_page
from tests.paths import MENTOR_HOME

DECLARE = "/mentor/no-session/"


def declare(match, *, year=2026, month=10, reason=NoSessionReason.SCHOOL_BREAK, **kwargs):
    kwargs.setdefault("now", chicago(2026, 10, 28, 12, 0))
    return services.no_session_month_declare(
        mentor=match.mentor, year=year, month=month, reason=reason, user=match.mentor.user, **kwargs
    )


def test_the_home_page_offers_it_for_the_deadline_month_when_nothing_is_logged(client_a):
    with frozen_at(chicago(2026, 10, 28, 12, 0)):
        page = read_page(client_a.get(MENTOR_HOME))

    assert "Did not meet at all in October 2026?" in page.text
    assert "We did not meet in October 2026" in page.text
    assert [text for href, text in page.links if text == "Log a session"] == ["Log a session"]


def test_one_step_with_a_reason_records_it(client_a, match_a):
    with frozen_at(chicago(2026, 10, 28, 12, 0)):
        response = client_a.post(
            DECLARE,
            {"month": "2026-10", "reason": "mentee_unavailable", "details": ""},
            follow=True,
        )
        page = read_page(response)

    assert response.redirect_chain[-1][0] == MENTOR_HOME
    assert "The program knows you did not meet in October 2026" in page.text
    assert "You told the program you did not meet in October 2026" in page.text
    declared = NoSessionMonth.objects.get()
    assert (declared.mentor, declared.year, declared.month) == (match_a.mentor, 2026, 10)
    assert declared.reason == NoSessionReason.MENTEE_UNAVAILABLE
    assert AuditEvent.objects.filter(action="no_session_month.declared").count() == 1


def test_it_is_not_offered_once_a_session_is_logged(client_a, match_a):
    log_session(match_a, chicago(2026, 10, 5, 15, 0))

    with frozen_at(chicago(2026, 10, 28, 12, 0)):
        page = read_page(client_a.get(MENTOR_HOME))

    assert "Did not meet at all" not in page.text


def test_a_reason_is_required_and_something_else_needs_words(client_a):
    with frozen_at(chicago(2026, 10, 28, 12, 0)):
        no_reason = read_page(client_a.post(DECLARE, {"month": "2026-10"}))
        other = client_a.post(DECLARE, {"month": "2026-10", "reason": "other", "details": " "})

    assert "Choose why you did not meet." in no_reason.text
    assert other.status_code == 400
    assert "Tell the program in a few words why you did not meet." in read_page(other).text
    assert not NoSessionMonth.objects.exists()


def test_the_form_keeps_what_was_typed_on_an_error(client_a):
    with frozen_at(chicago(2026, 10, 28, 12, 0)):
        page = read_page(client_a.post(DECLARE, {"month": "2026-10", "details": "Flu all month"}))

    assert page.textareas["details"] == "Flu all month"


@pytest.mark.parametrize("month", ["0000-05", "1999-12", "9999-12", "2026-13", "2026-1"])
def test_a_month_that_cannot_be_read_is_refused_plainly(client_a, month):
    with frozen_at(chicago(2026, 10, 28, 12, 0)):
        response = client_a.post(DECLARE, {"month": month, "reason": "school_break"})

    assert response.status_code == 400
    assert "Choose a month as YYYY-MM, for example 2026-05." in read_page(response).text
    assert not NoSessionMonth.objects.exists()


def test_the_service_refuses_a_month_that_does_not_exist(match_a):
    with pytest.raises(ValidationError, match="Choose a month as YYYY-MM"):
        declare(match_a, year=0, month=5)


def test_a_month_with_sessions_is_refused(match_a):
    log_session(match_a, chicago(2026, 10, 5, 15, 0))

    with pytest.raises(ValidationError, match="You have sessions logged in October 2026"):
        declare(match_a)


def test_only_this_month_or_last_month(match_a):
    with pytest.raises(ValidationError, match="this month or last month only"):
        declare(match_a, month=8)
    with pytest.raises(ValidationError, match="this month or last month only"):
        declare(match_a, month=11)
    assert declare(match_a, month=9).month == 9


def test_saying_it_twice_is_refused_plainly(match_a):
    declare(match_a)

    with pytest.raises(ValidationError, match="already told the program"):
        declare(match_a)


def test_it_stops_that_months_deadline_reminders_only(match_a, match_b):
    declare(match_a, now=chicago(2026, 10, 20, 9, 0))

    reminders.reminders_send(now=chicago(2026, 11, 2, 9, 0))
    reminders.reminders_send(now=chicago(2026, 12, 7, 9, 0))

    mentor_a = set(ReminderSent.objects.filter(mentor=match_a.mentor).values_list("kind", "period"))
    assert ("deadline_day", "2026-10") not in mentor_a
    assert ("deadline_day", "2026-11") in mentor_a
    assert ReminderSent.objects.filter(
        mentor=match_b.mentor, kind="deadline_day", period="2026-10"
    ).exists()


def test_staff_find_it_through_the_selector_and_the_admin(client, staff_user, match_a, match_b):
    declare(match_a, details="School closed for fall break")
    declare(match_b, reason=NoSessionReason.OTHER, details="Changed schools")
    # B then logs a session in October after all: the log wins.
    log_session(match_b, chicago(2026, 10, 29, 15, 0))

    found = list(months_declared_without_sessions(Month(2026, 10)))

    assert [d.mentor.user.email for d in found] == ["mentor-a@example.org"]
    assert list(months_declared_without_sessions(Month(2026, 9))) == []
    client.force_login(staff_user)
    page = read_page(client.get("/admin/mentoring/nosessionmonth/"))
    assert "School closed for fall break" in page.text


def test_the_selector_costs_one_query(django_assert_num_queries, match_a, program):
    declare(match_a)

    with django_assert_num_queries(1):  # the answers (the monthly counters need no settings)
        names = [d.mentor.user.full_name for d in months_declared_without_sessions(Month(2026, 10))]

    assert names == ["Mentor Jane"]


@pytest.mark.parametrize("persona", ["staff_user", "site_contact_a"])
def test_only_mentors_may_say_it(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(DECLARE, {"month": "2026-10", "reason": "school_break"})

    assert response.status_code == 403
    assert not NoSessionMonth.objects.exists()


def test_a_mentor_cannot_say_it_for_someone_else(client_a, match_b):
    with frozen_at(chicago(2026, 10, 28, 12, 0)):
        client_a.post(
            DECLARE, {"month": "2026-10", "reason": "school_break", "mentor": match_b.mentor_id}
        )

    assert list(NoSessionMonth.objects.values_list("mentor__user__email", flat=True)) == [
        "mentor-a@example.org"
    ]
