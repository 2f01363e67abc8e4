"""When the next support check-in is due (portal/checkins/rules.py): pure, no database."""

import calendar
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from portal.checkins import rules

days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31))
months = st.integers(min_value=1, max_value=24)


def test_month_ends_are_kept_inside_the_shorter_month():
    assert rules.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert rules.add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)  # leap year
    assert rules.add_months(dt.date(2026, 3, 31), 1) == dt.date(2026, 4, 30)
    assert rules.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert rules.add_months(dt.date(2028, 2, 29), 12) == dt.date(2029, 2, 28)
    assert rules.add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)


@given(days, months)
def test_adding_months_lands_that_many_months_on_on_the_same_day_or_the_months_last(day, m):
    due = rules.add_months(day, m)
    assert (due.year * 12 + due.month) - (day.year * 12 + day.month) == m
    last = calendar.monthrange(due.year, due.month)[1]
    assert due.day == min(day.day, last)


@given(days, months)
def test_a_due_date_is_at_least_28_days_per_month_away(day, m):
    # The overdue selector narrows in SQL on this; if it broke, late check-ins would hide.
    assert rules.add_months(day, m) >= day + dt.timedelta(days=rules.SHORTEST_MONTH_DAYS * m)


@given(days, days, months)
def test_overdue_means_the_due_date_has_passed_and_the_date_was_narrowed_in(last, today, m):
    due = rules.next_due(started=last, last=None, cadence_months=m, closed=False)
    assert rules.is_overdue(due, today) == (due < today)
    if rules.is_overdue(due, today):
        assert last < rules.latest_possibly_overdue(today, m)
        assert rules.days_overdue(due, today) == (today - due).days > 0
    else:
        assert rules.days_overdue(due, today) == 0


@given(days, st.one_of(st.none(), days), months)
def test_the_next_check_in_counts_from_the_last_one_or_else_from_the_start(started, last, m):
    due = rules.next_due(started=started, last=last, cadence_months=m, closed=False)
    assert due == rules.add_months(last or started, m)


def test_on_the_due_day_it_is_not_late_yet_and_the_day_after_it_is():
    started = dt.date(2026, 1, 31)
    due = rules.next_due(started=started, last=None, cadence_months=1, closed=False)
    assert due == dt.date(2026, 2, 28)
    assert not rules.is_overdue(due, dt.date(2026, 2, 28))
    assert rules.days_overdue(due, dt.date(2026, 3, 1)) == 1


@given(days, days, months, months)
def test_a_cadence_change_recomputes_from_the_last_check_in(started, last, old, new):
    before = rules.next_due(started=started, last=last, cadence_months=old, closed=False)
    after = rules.next_due(started=started, last=last, cadence_months=new, closed=False)
    assert before == rules.add_months(last, old)
    assert after == rules.add_months(last, new)
    assert (after > before) == (new > old)
    assert (after == before) == (new == old)


def test_a_cadence_change_from_monthly_to_quarterly():
    last, started = dt.date(2026, 5, 31), dt.date(2025, 9, 1)
    monthly = rules.next_due(started=started, last=last, cadence_months=1, closed=False)
    quarterly = rules.next_due(started=started, last=last, cadence_months=3, closed=False)
    assert (monthly, quarterly) == (dt.date(2026, 6, 30), dt.date(2026, 8, 31))


@given(days, st.one_of(st.none(), days), st.one_of(st.none(), months))
def test_a_closed_match_or_a_kind_without_cadence_has_nothing_due(started, last, m):
    assert rules.next_due(started=started, last=last, cadence_months=m, closed=True) is None
    assert rules.next_due(started=started, last=last, cadence_months=None, closed=False) is None
    assert not rules.is_overdue(None, started)


def test_a_match_is_closed_by_its_status_or_once_its_end_date_has_come():
    today = dt.date(2026, 6, 1)
    assert rules.is_closed(status="closed", end_date=None, today=today)
    assert rules.is_closed(status="active", end_date=today, today=today)
    assert not rules.is_closed(status="active", end_date=dt.date(2026, 6, 2), today=today)
    assert not rules.is_closed(status="active", end_date=None, today=today)


def test_the_day_of_a_check_in_is_neither_in_the_future_nor_before_the_match():
    started, today = dt.date(2026, 1, 10), dt.date(2026, 6, 1)
    assert rules.date_problem(day=today, started=started, today=today) is None
    assert rules.date_problem(day=started, started=started, today=today) is None
    assert "future" in rules.date_problem(day=dt.date(2026, 6, 2), started=started, today=today)
    assert rules.date_problem(day=dt.date(2026, 1, 9), started=started, today=today) == (
        "The match started on 10 January 2026; enter a day from then on."
    )


def test_the_defaults_are_mentor_monthly_and_guardian_quarterly():
    assert rules.DEFAULT_CADENCE_MONTHS == {
        "mentor": 1,
        "mentee": None,
        "guardian": 3,
        "school": None,
    }
