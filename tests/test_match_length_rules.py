"""How long a match lasted, for the match reports (pure rules in portal/mentoring/rules.py):
whole months at month ends, a number of months for averages, and the 6 and 12 months a
funder asks about."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.mentoring import length_rules, rules
from portal.mentoring.length_rules import length_in_months

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (D(2026, 1, 31), D(2026, 7, 30), 5),  # a day short of 31 July
        (D(2026, 1, 31), D(2026, 7, 31), 6),
        (D(2026, 1, 15), D(2026, 7, 14), 5),
        (D(2026, 1, 15), D(2026, 7, 15), 6),
        # February has no 31st: six months from 31 August end on its last day.
        (D(2025, 8, 31), D(2026, 2, 27), 5),
        (D(2025, 8, 31), D(2026, 2, 28), 6),
        (D(2025, 3, 1), D(2026, 2, 28), 11),
        (D(2025, 3, 1), D(2026, 3, 1), 12),
        (D(2024, 2, 29), D(2025, 2, 28), 12),  # a leap day's month ends on the 28th
        (D(2025, 12, 20), D(2026, 12, 19), 11),  # December into January and on
        (D(2025, 12, 20), D(2026, 12, 20), 12),
    ],
)
def test_the_months_a_match_reached(start, end, months):
    assert rules.match_length(start, end).months == months
    assert length_rules.reached_months(start, end, months)
    assert not length_rules.reached_months(start, end, months + 1)


def test_a_match_that_ended_the_day_it_began_lasted_no_months():
    assert length_in_months(D(2026, 3, 4), D(2026, 3, 4)) == 0
    assert not length_rules.reached_months(D(2026, 3, 4), D(2026, 3, 4), 6)


def test_the_days_left_over_are_a_share_of_the_month_that_followed():
    # 1 Jan + 6 months is 1 Jul; 15 of July's 31 days follow.
    assert length_in_months(D(2026, 1, 1), D(2026, 7, 16)) == pytest.approx(6 + 15 / 31)
    # 31 Jan + 1 month is 28 Feb; the next month runs to 31 March (31 days).
    assert length_in_months(D(2026, 1, 31), D(2026, 3, 3)) == pytest.approx(1 + 3 / 31)
    assert length_in_months(D(2026, 1, 31), D(2026, 7, 31)) == 6
    assert length_in_months(D(2026, 1, 31), D(2026, 7, 30)) < 6


days = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))


@given(start=days, extra=st.integers(min_value=0, max_value=3000))
def test_the_number_of_months_reaches_six_exactly_when_the_match_did(start, extra):
    end = start + dt.timedelta(days=extra)
    length = length_rules.length_in_months(start, end)
    whole = rules.match_length(start, end).months
    assert whole <= length < whole + 1
    for months in (6, 12):
        assert (length >= months) == length_rules.reached_months(start, end, months)
