"""Volunteer readiness as pure rules (SPEC 8): how long an item stays valid, when it is
expiring or expired, and when a mentor is ready. Explicit edge dates, then properties."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.readiness import rules
from portal.readiness.rules import Status

D = dt.date


# --- Valid until: the same day N months later, kept inside that month -----------------


@pytest.mark.parametrize(
    ("done", "months", "until"),
    [
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # a leap day, a year on: no 29 February
        (D(2024, 2, 29), 48, D(2028, 2, 29)),  # four years on: a leap day again
        (D(2023, 2, 28), 12, D(2024, 2, 28)),  # not moved to the leap day
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # a month end into a shorter month
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # ... of a leap year
        (D(2026, 8, 31), 12, D(2027, 8, 31)),
        (D(2026, 10, 31), 24, D(2028, 10, 31)),
        (D(2026, 12, 15), 12, D(2027, 12, 15)),  # December to December
        (D(2026, 11, 30), 3, D(2027, 2, 28)),  # across a year end into February
    ],
)
def test_an_item_is_valid_through_the_same_day_months_later(done, months, until):
    assert rules.valid_until(done, months) == until


def test_an_item_without_months_never_expires():
    assert rules.valid_until(D(1999, 1, 1), None) is None
    assert rules.status(done_on=D(1999, 1, 1), valid_months=None, today=D(2026, 12, 3)) == (
        Status.CURRENT
    )


def test_a_leap_day_check_is_valid_on_28_february_and_expired_on_1_march():
    done = D(2024, 2, 29)
    assert rules.status(done_on=done, valid_months=12, today=D(2025, 2, 28)) == Status.EXPIRING
    assert rules.status(done_on=done, valid_months=12, today=D(2025, 3, 1)) == Status.EXPIRED


def test_an_item_is_expiring_in_its_last_30_days():
    done = D(2025, 12, 31)  # valid through 31 December 2026
    assert rules.status(done_on=done, valid_months=12, today=D(2026, 12, 1)) == Status.CURRENT
    assert rules.status(done_on=done, valid_months=12, today=D(2026, 12, 2)) == Status.EXPIRING
    assert rules.status(done_on=done, valid_months=12, today=D(2026, 12, 31)) == Status.EXPIRING
    assert rules.status(done_on=done, valid_months=12, today=D(2027, 1, 1)) == Status.EXPIRED


def test_nothing_recorded_is_missing():
    assert rules.status(done_on=None, valid_months=12, today=D(2026, 12, 3)) == Status.MISSING
    assert rules.status(done_on=None, valid_months=None, today=D(2026, 12, 3)) == Status.MISSING


def test_a_mentor_is_ready_when_every_required_item_counts_as_done():
    assert rules.is_ready([Status.CURRENT, Status.EXPIRING])
    assert rules.is_ready([])  # a program with no requirement
    assert not rules.is_ready([Status.CURRENT, Status.EXPIRED])
    assert not rules.is_ready([Status.MISSING])


def test_the_reasons_say_what_is_missing_and_what_expired_when():
    reasons = [
        rules.Reason("Background check", Status.EXPIRED, D(2026, 11, 30)),
        rules.Reason("Reference", Status.MISSING),
    ]
    assert rules.reasons_sentence("Pat Lee", reasons) == (
        "Pat Lee is not ready. Missing: Reference; Background check expired on 1 December 2026."
    )


def test_the_reasons_agree_with_plural_names_and_speak_to_the_mentor():
    reasons = [
        rules.Reason("Two references", Status.MISSING),
        rules.Reason("Orientation", Status.MISSING, by_training=True),
        rules.Reason("Background check", Status.EXPIRED, D(2026, 11, 2)),
    ]
    assert rules.reasons_text(reasons) == (
        "Missing: Two references, Orientation; Background check expired on 3 November 2026"
    )
    assert " is missing" not in rules.reasons_sentence("Pat Lee", reasons)
    assert rules.reasons_for_the_mentor(reasons) == (
        "your background check expired on 3 November 2026, and the program has no record yet "
        "of your two references and orientation"
    )
    assert rules.help_for_the_mentor(reasons) == (
        "Log the training on your readiness page once you have attended it. "
        "Your coordinator will help you complete them."
    )
    expired = [rules.Reason("CPR training", Status.EXPIRED, D(2026, 11, 2))]
    assert rules.reasons_for_the_mentor(expired) == "your CPR training expired on 3 November 2026"
    assert rules.help_for_the_mentor(expired) == "Your coordinator will help you renew it."


def test_a_day_done_cannot_be_in_the_future():
    today = D(2026, 12, 3)
    assert rules.done_date_problem(D(2026, 12, 4), today=today)
    assert rules.done_date_problem(today, today=today) is None
    assert rules.done_date_problem(D(1990, 1, 1), today=today)


def test_training_hours_are_a_quarter_to_twelve_hours():
    assert rules.training_hours_problem(0)
    assert rules.training_hours_problem(1) is None
    assert rules.training_hours_problem(48) is None
    assert rules.training_hours_problem(49)


# --- Properties -------------------------------------------------------------------------

days = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))
months = st.sampled_from([m for m in rules.VALIDITY_CHOICES if m] + [1, 3, 6, 48])


@given(done=days, valid=months)
def test_valid_until_keeps_the_day_or_the_months_last_day(done, valid):
    until = rules.valid_until(done, valid)
    assert (until.year * 12 + until.month) - (done.year * 12 + done.month) == valid
    assert until.day == done.day or (until.day < done.day and (until + dt.timedelta(1)).day == 1)


@given(done=days, valid=months, offset=st.integers(min_value=-400, max_value=2000))
def test_the_status_follows_the_calendar_in_order(done, valid, offset):
    """Current, then expiring (the last 30 days), then expired for good."""
    today = done + dt.timedelta(days=offset)
    until = rules.valid_until(done, valid)
    state = rules.status(done_on=done, valid_months=valid, today=today)
    if today > until:
        assert state == Status.EXPIRED
    elif (until - today).days < rules.EXPIRING_DAYS:
        assert state == Status.EXPIRING
    else:
        assert state == Status.CURRENT
    # Whatever is done on or after the SQL narrowing day is never expired today.
    if done >= rules.latest_possibly_expired(today, valid):
        assert state != Status.EXPIRED


def test_validity_reads_in_the_singular_for_one_month():
    from portal.readiness.models import ReadinessItem

    assert ReadinessItem(valid_months=1).validity_label == "1 month"
    assert ReadinessItem(valid_months=12).validity_label == "12 months"
    assert ReadinessItem(valid_months=None).validity_label == "Does not expire"
