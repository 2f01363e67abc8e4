"""The program's rules as pure functions: the deadline (RULES 4.7) and hours (RULES 4.3)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.mentoring import rules
from portal.mentoring.rules import DAY_OF_MONTH, FIRST_WEEKDAY, DeadlinePolicy, Month
from tests.conftest import CHICAGO, chicago

MONDAY, FRIDAY, SUNDAY = 0, 4, 6
UTC = dt.UTC
FIRST_MONDAY = DeadlinePolicy()
DAY_5 = DeadlinePolicy(rule=DAY_OF_MONTH, day=5)


# --- The due date -------------------------------------------------------------------------


def test_october_2021_was_due_monday_1_november_2021():
    assert Month(2021, 10).due_date() == dt.date(2021, 11, 1)


def test_october_2026_is_due_monday_2_november_2026():
    assert Month(2026, 10).due_date() == dt.date(2026, 11, 2)


def test_december_is_due_in_january_of_the_next_year():
    assert Month(2026, 12).due_date() == dt.date(2027, 1, 4)
    assert Month(2025, 12).due_date() == dt.date(2026, 1, 5)


def test_when_the_next_month_starts_on_a_monday_that_first_is_the_due_date():
    assert Month(2026, 5).due_date() == dt.date(2026, 6, 1)  # Monday 1 June 2026
    assert Month(2023, 12).due_date() == dt.date(2024, 1, 1)  # and across a year


def test_the_day_n_rule_is_that_day_of_the_next_month():
    assert Month(2026, 10).due_date(DAY_5) == dt.date(2026, 11, 5)
    assert Month(2026, 12).due_date(DAY_5) == dt.date(2027, 1, 5)


def test_another_weekday_rule_uses_that_weekday():
    first_friday = DeadlinePolicy(weekday=FRIDAY)
    first_sunday = DeadlinePolicy(weekday=SUNDAY)
    # 1 November 2026 is a Sunday.
    assert Month(2026, 10).due_date(first_friday) == dt.date(2026, 11, 6)
    assert Month(2026, 10).due_date(first_sunday) == dt.date(2026, 11, 1)


def test_it_refuses_an_unknown_rule():
    with pytest.raises(ValueError, match="Unknown deadline rule"):
        Month(2026, 10).due_date(DeadlinePolicy(rule="whenever"))


@given(year=st.integers(2000, 2100), month=st.integers(1, 12), weekday=st.integers(MONDAY, SUNDAY))
def test_the_first_weekday_is_always_in_the_first_week_of_the_next_month(year, month, weekday):
    due = Month(year, month).due_date(DeadlinePolicy(weekday=weekday))
    assert Month(due.year, due.month) == Month(year, month).next()
    assert due.weekday() == weekday
    assert 1 <= due.day <= 7


@given(year=st.integers(2000, 2100), month=st.integers(1, 12), day=st.integers(1, 28))
def test_day_n_is_always_that_day_of_the_next_month(year, month, day):
    due = Month(year, month).due_date(DeadlinePolicy(rule=DAY_OF_MONTH, day=day))
    assert (due.year, due.month, due.day) == (*Month(year, month).next().as_tuple(), day)


# --- The moment an entry becomes late -----------------------------------------------------


def test_due_by_is_local_midnight_after_the_due_date():
    deadline = Month(2026, 10).deadline()
    assert deadline.due_date == dt.date(2026, 11, 2)
    assert deadline.due_by == chicago(2026, 11, 3, 0, 0)
    # 1 November 2026 ended daylight saving time: midnight is 06:00 UTC, not 05:00.
    assert deadline.due_by.astimezone(UTC) == dt.datetime(2026, 11, 3, 6, 0, tzinfo=UTC)


def test_due_by_follows_the_clock_change_in_march():
    # February is due on Monday 2 March 2026, before clocks go forward on 8 March (CST).
    assert Month(2026, 2).deadline().due_by.astimezone(UTC) == dt.datetime(
        2026, 3, 3, 6, 0, tzinfo=UTC
    )
    # March is due on Monday 6 April 2026, after it (CDT).
    assert Month(2026, 3).deadline().due_by.astimezone(UTC) == dt.datetime(
        2026, 4, 7, 5, 0, tzinfo=UTC
    )


def hours_long(day: dt.date, deadline: rules.Deadline) -> dt.timedelta:
    """Real time from the local midnight starting ``day`` to the deadline."""
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=CHICAGO)
    return deadline.due_by.astimezone(UTC) - start.astimezone(UTC)


def test_a_due_date_on_the_day_clocks_change_still_ends_at_local_midnight():
    spring = Month(2026, 2).deadline(DeadlinePolicy(rule=DAY_OF_MONTH, day=8))
    assert spring.due_by == chicago(2026, 3, 9, 0, 0)
    assert hours_long(dt.date(2026, 3, 8), spring) == dt.timedelta(hours=23)
    autumn = Month(2026, 10).deadline(DeadlinePolicy(rule=DAY_OF_MONTH, day=1))
    assert autumn.due_by == chicago(2026, 11, 2, 0, 0)
    assert hours_long(dt.date(2026, 11, 1), autumn) == dt.timedelta(hours=25)


def test_the_deadline_is_computed_in_the_programs_time_zone():
    honolulu = DeadlinePolicy(tz=ZoneInfo("Pacific/Honolulu"))
    assert Month(2026, 10).deadline(honolulu).due_by.astimezone(UTC) == dt.datetime(
        2026, 11, 3, 10, 0, tzinfo=UTC
    )


SESSION_IN_OCTOBER = chicago(2026, 10, 20, 15, 30)


def test_an_entry_at_23_59_on_the_due_date_is_on_time():
    assert not rules.is_late(
        starts_at=SESSION_IN_OCTOBER, entered_at=chicago(2026, 11, 2, 23, 59), policy=FIRST_MONDAY
    )


def test_an_entry_at_midnight_after_the_due_date_is_late():
    assert rules.is_late(
        starts_at=SESSION_IN_OCTOBER, entered_at=chicago(2026, 11, 3, 0, 0), policy=FIRST_MONDAY
    )


def test_lateness_does_not_depend_on_the_time_zone_the_moments_are_given_in():
    just_before = dt.datetime(2026, 11, 3, 5, 59, tzinfo=UTC)  # 23:59 CST
    assert not rules.is_late(
        starts_at=SESSION_IN_OCTOBER, entered_at=just_before, policy=FIRST_MONDAY
    )
    assert rules.is_late(
        starts_at=SESSION_IN_OCTOBER,
        entered_at=just_before + dt.timedelta(minutes=1),
        policy=FIRST_MONDAY,
    )


def test_a_session_late_on_the_last_evening_of_a_month_belongs_to_that_month():
    # 23:30 on 31 October in Chicago is already 1 November in UTC.
    halloween = chicago(2026, 10, 31, 23, 30)
    assert Month.of(halloween, CHICAGO) == Month(2026, 10)
    assert rules.is_late(
        starts_at=halloween, entered_at=chicago(2026, 11, 5, 12, 0), policy=FIRST_MONDAY
    )


def test_an_entry_for_this_month_is_never_late():
    assert not rules.is_late(
        starts_at=chicago(2026, 11, 2, 9, 0),
        entered_at=chicago(2026, 11, 30, 23, 0),
        policy=FIRST_MONDAY,
    )


# --- The next deadline and who may change an entry ----------------------------------------


def test_before_the_first_monday_the_next_deadline_is_last_months():
    deadline = rules.next_deadline(chicago(2026, 11, 2, 23, 59), FIRST_MONDAY)
    assert (deadline.year, deadline.month) == (2026, 10)
    assert deadline.due_date == dt.date(2026, 11, 2)
    assert deadline.month_label == "October 2026"


def test_after_the_first_monday_the_next_deadline_is_this_months():
    deadline = rules.next_deadline(chicago(2026, 11, 3, 0, 0), FIRST_MONDAY)
    assert (deadline.year, deadline.month) == (2026, 11)
    assert deadline.due_date == dt.date(2026, 12, 7)


def test_in_january_the_next_deadline_can_be_decembers():
    deadline = rules.next_deadline(chicago(2027, 1, 2, 12, 0), FIRST_MONDAY)
    assert (deadline.year, deadline.month, deadline.due_date) == (2026, 12, dt.date(2027, 1, 4))


# --- The month that is due now -------------------------------------------------------------


def test_on_the_1st_and_the_first_monday_last_month_is_still_due():
    # 1 November 2026 is a Sunday: October is due until the end of Monday 2 November.
    assert rules.due_month(chicago(2026, 11, 1, 0, 0), FIRST_MONDAY) == Month(2026, 10)
    assert rules.due_month(chicago(2026, 11, 2, 23, 59), FIRST_MONDAY) == Month(2026, 10)


def test_from_midnight_after_the_first_monday_this_month_is_due():
    assert rules.due_month(chicago(2026, 11, 3, 0, 0), FIRST_MONDAY) == Month(2026, 11)
    assert rules.due_month(chicago(2026, 11, 30, 23, 59), FIRST_MONDAY) == Month(2026, 11)


def test_before_the_1st_the_month_itself_is_due():
    assert rules.due_month(chicago(2026, 10, 31, 23, 59), FIRST_MONDAY) == Month(2026, 10)


def test_when_the_1st_is_a_monday_last_month_is_due_for_that_one_day():
    # 1 June 2026 is a Monday: May is due until the end of that day.
    assert rules.due_month(chicago(2026, 6, 1, 0, 0), FIRST_MONDAY) == Month(2026, 5)
    assert rules.due_month(chicago(2026, 6, 1, 23, 59), FIRST_MONDAY) == Month(2026, 5)
    assert rules.due_month(chicago(2026, 6, 2, 0, 0), FIRST_MONDAY) == Month(2026, 6)


def test_in_early_january_december_of_the_year_before_is_due():
    # December 2026 is due Monday 4 January 2027.
    assert rules.due_month(chicago(2027, 1, 1, 0, 0), FIRST_MONDAY) == Month(2026, 12)
    assert rules.due_month(chicago(2027, 1, 4, 23, 59), FIRST_MONDAY) == Month(2026, 12)
    assert rules.due_month(chicago(2027, 1, 5, 0, 0), FIRST_MONDAY) == Month(2027, 1)


def test_the_day_n_rule_keeps_last_month_due_until_the_end_of_day_n():
    assert rules.due_month(chicago(2026, 11, 5, 23, 59), DAY_5) == Month(2026, 10)
    assert rules.due_month(chicago(2026, 11, 6, 0, 0), DAY_5) == Month(2026, 11)


def test_the_last_minute_is_the_programs_not_utc():
    # 05:59 UTC on 3 November 2026 is 23:59 on Monday 2 November in Chicago (CST).
    last_minute = dt.datetime(2026, 11, 3, 5, 59, tzinfo=UTC)
    assert rules.due_month(last_minute, FIRST_MONDAY) == Month(2026, 10)
    assert rules.due_month(last_minute + dt.timedelta(minutes=1), FIRST_MONDAY) == Month(2026, 11)
    # In Honolulu the same moment is still Monday evening.
    honolulu = DeadlinePolicy(tz=ZoneInfo("Pacific/Honolulu"))
    assert rules.due_month(last_minute + dt.timedelta(hours=4), honolulu) == Month(2026, 10)
    # At 03:00 UTC on 1 November it is still 31 October in Chicago: October, this month.
    assert rules.due_month(dt.datetime(2026, 11, 1, 3, 0, tzinfo=UTC), FIRST_MONDAY) == Month(
        2026, 10
    )


def test_the_due_month_changes_at_local_midnight_when_clocks_go_forward():
    # With day 8, February 2026 is due on Sunday 8 March, the day clocks go forward: the
    # window ends at midnight CDT, 05:00 UTC, not 06:00.
    day_8 = DeadlinePolicy(rule=DAY_OF_MONTH, day=8)
    assert rules.due_month(dt.datetime(2026, 3, 9, 4, 59, tzinfo=UTC), day_8) == Month(2026, 2)
    assert rules.due_month(dt.datetime(2026, 3, 9, 5, 0, tzinfo=UTC), day_8) == Month(2026, 3)


@given(
    moment=st.datetimes(
        min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    rule=st.sampled_from([FIRST_MONDAY, DAY_5, DeadlinePolicy(rule=DAY_OF_MONTH, day=28)]),
)
def test_the_due_month_is_the_latest_month_whose_deadline_is_still_open(moment, rule):
    due = rules.due_month(moment, rule)
    assert moment < due.deadline(rule).due_by
    assert moment >= due.previous().deadline(rule).due_by
    this_month = Month.of(moment, rule.tz)
    assert due in (this_month, this_month.previous())


def test_the_next_deadline_is_the_due_months():
    now = chicago(2027, 1, 2, 12, 0)
    deadline = rules.next_deadline(now, FIRST_MONDAY)
    assert deadline.of_month == rules.due_month(now, FIRST_MONDAY)


def test_days_left_counts_whole_days_in_the_programs_time_zone():
    deadline = Month(2026, 11).deadline()  # due Monday 7 December 2026
    assert deadline.days_left(chicago(2026, 11, 18, 10, 0)) == 19
    assert deadline.days_left(chicago(2026, 12, 7, 23, 59)) == 0
    # 02:00 UTC on 7 December is still the evening of 6 December in Chicago.
    assert deadline.days_left(dt.datetime(2026, 12, 7, 2, 0, tzinfo=UTC)) == 1


def may_change(*, now, starts_at=SESSION_IN_OCTOBER, entered_at=None, policy=FIRST_MONDAY, **kw):
    """The mentor's rule for their own entry of October, logged on time unless told."""
    return rules.mentor_may_change(
        own_entry=kw.get("own_entry", True),
        reviewed=kw.get("reviewed", False),
        starts_at=starts_at,
        entered_at=entered_at or chicago(2026, 10, 20, 18, 0),
        now=now,
        policy=policy,
    )


def test_a_mentor_may_change_an_entry_until_the_end_of_the_due_date():
    assert may_change(now=chicago(2026, 11, 2, 23, 59))


def test_a_mentor_may_not_change_an_entry_after_the_due_date():
    assert not may_change(now=chicago(2026, 11, 3, 0, 0))


def test_the_day_n_rule_moves_the_lock_too():
    assert may_change(now=chicago(2026, 11, 5, 23, 59), policy=DAY_5)
    assert not may_change(now=chicago(2026, 11, 6, 0, 0), policy=DAY_5)


# A late entry: October's session logged on Tuesday 10 November at 10:00, after its deadline.
LATE_SAVE = chicago(2026, 11, 10, 10, 0)


def test_a_late_entry_can_be_corrected_for_29_minutes_59_seconds_after_saving():
    assert may_change(entered_at=LATE_SAVE, now=LATE_SAVE)
    assert may_change(entered_at=LATE_SAVE, now=LATE_SAVE + dt.timedelta(minutes=29, seconds=59))


def test_a_late_entry_is_locked_30_minutes_after_saving():
    assert not may_change(entered_at=LATE_SAVE, now=LATE_SAVE + dt.timedelta(minutes=30))
    assert not may_change(entered_at=LATE_SAVE, now=LATE_SAVE + dt.timedelta(minutes=30, seconds=1))


def test_an_entry_saved_just_before_the_deadline_keeps_its_30_minutes_past_midnight():
    saved = chicago(2026, 11, 2, 23, 50)
    assert may_change(entered_at=saved, now=chicago(2026, 11, 3, 0, 19, 59))
    assert not may_change(entered_at=saved, now=chicago(2026, 11, 3, 0, 20, 1))


def test_another_mentors_entry_is_never_theirs_to_change():
    for now in (LATE_SAVE, chicago(2026, 10, 21, 9, 0)):  # in the window; before the deadline
        assert not may_change(own_entry=False, entered_at=LATE_SAVE, now=now)


def test_a_reviewed_entry_is_locked_even_in_the_30_minutes():
    assert not may_change(reviewed=True, entered_at=LATE_SAVE, now=LATE_SAVE)
    assert not may_change(reviewed=True, now=chicago(2026, 10, 21, 9, 0))


def test_the_correction_window_ends_30_minutes_after_saving():
    assert rules.correction_window_ends(LATE_SAVE) == chicago(2026, 11, 10, 10, 30)


def test_month_bounds_are_local_midnights():
    start, end = Month(2026, 12).bounds(CHICAGO)
    assert (start, end) == (chicago(2026, 12, 1), chicago(2027, 1, 1))


# --- Months -------------------------------------------------------------------------------

months = st.builds(Month, year=st.integers(2000, 2100), month=st.integers(1, 12))


def test_a_month_has_a_key_a_label_and_a_name():
    may = Month.parse("2026-05")
    assert may == Month(2026, 5)
    assert (may.key, may.label, may.name, str(may)) == ("2026-05", "May 2026", "May", "2026-05")
    assert Month(2026, 10).short_label == "Oct 2026"


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "2026-5",
        "2026-13",
        "2026-00",
        "0000-05",
        "1999-12",
        "2101-01",
        "9999-12",
        "26-05",
        "2026/05",
        "2026-05-01",
        "abcd-ef",
        "２０２６-05",
        "-2026-05",
    ],
)
def test_a_month_that_cannot_be_read_is_refused_with_what_to_type(text):
    with pytest.raises(rules.MonthError, match="Choose a month as YYYY-MM, for example 2026-05."):
        Month.parse(text)
    assert Month.parse_or_none(text) is None


def test_a_month_that_does_not_exist_cannot_be_made():
    with pytest.raises(rules.MonthError):
        Month(2026, 13)
    with pytest.raises(rules.MonthError):
        Month(0, 5)


def test_months_order_by_time_across_years():
    assert Month(2025, 12) < Month(2026, 1) < Month(2026, 2)
    assert sorted([Month(2026, 1), Month(2025, 12)]) == [Month(2025, 12), Month(2026, 1)]
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2025, 12).next() == Month(2026, 1)


def test_a_month_knows_its_days_and_its_deadline():
    february = Month(2028, 2)
    assert (february.first_day(), february.last_day()) == (
        dt.date(2028, 2, 1),
        dt.date(2028, 2, 29),
    )
    assert Month(2026, 10).due_date(DAY_5) == dt.date(2026, 11, 5)
    assert Month(2026, 10).deadline().month_label == "October 2026"


def test_the_month_of_a_moment_is_read_in_the_programs_time_zone():
    # 03:00 UTC on 1 November 2026 is still 31 October in Chicago.
    moment = dt.datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
    assert Month.of(moment, CHICAGO) == Month(2026, 10)
    assert Month.of(moment, UTC) == Month(2026, 11)


@given(months)
def test_parsing_a_months_key_gives_the_month_back(month):
    assert Month.parse(month.key) == month


@given(months)
def test_next_and_previous_undo_each_other(month):
    assert month.next().previous() == month
    assert month.previous().next() == month
    assert month.previous() < month < month.next()


@given(months)
def test_months_follow_each_other_without_gap_or_overlap_across_clock_changes(month):
    start, end = month.bounds(CHICAGO)
    assert end == month.next().bounds(CHICAGO)[0]
    assert Month.of(start, CHICAGO) == month
    assert Month.of(end - dt.timedelta(microseconds=1), CHICAGO) == month
    # Local midnights, whatever the offset that day (CST or CDT).
    assert start.astimezone(CHICAGO).time() == end.astimezone(CHICAGO).time() == dt.time(0, 0)


@given(months)
def test_a_months_deadline_falls_in_the_month_after(month):
    due = month.due_date()
    assert Month(due.year, due.month) == month.next()


# --- Hours --------------------------------------------------------------------------------

EIGHT_HOURS = 32


def parse(text, *, met=True, max_quarters=EIGHT_HOURS):
    return rules.parse_hours(text, met=met, max_quarters=max_quarters)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0.3", "quarter hours: 0.25, 0.50"),
        ("-1", "cannot be less than zero"),
        ("abc", "Choose the hours from the list"),
        ("1e9", "at most 8.00 hours"),
        ("", "Choose how long you met, from 0.25 to 8.00 hours"),
        ("   ", "Choose how long you met"),
        (None, "Choose how long you met"),
        ("NaN", "Choose the hours from the list"),
        ("sNaN", "Choose the hours from the list"),
        ("Infinity", "Choose the hours from the list"),
        ("-Infinity", "Choose the hours from the list"),
        ("0.00", 'You chose "We met"'),
        ("0", 'You chose "We met"'),
        ("8.25", "at most 8.00 hours"),
    ],
)
def test_it_refuses_hours_that_cannot_be_stored(text, message):
    with pytest.raises(rules.HoursError, match=message):
        parse(text)


@pytest.mark.parametrize(
    ("text", "quarters"),
    [("0.25", 1), ("0.50", 2), (".5", 2), ("1", 4), ("1.75", 7), (" 2.00 ", 8), ("8.00", 32)],
)
def test_it_accepts_quarter_hours_up_to_the_maximum(text, quarters):
    assert parse(text) == quarters


def test_the_maximum_follows_the_program_setting():
    assert parse("6.00", max_quarters=24) == 24
    with pytest.raises(rules.HoursError, match="at most 6.00 hours"):
        parse("6.25", max_quarters=24)


@pytest.mark.parametrize("text", ["2.00", "0.3", "abc", "-1", "", None])
def test_an_absence_is_always_zero_hours(text):
    assert parse(text, met=False) == 0


def test_the_hours_select_offers_every_quarter_from_zero_to_the_maximum():
    options = rules.hours_options(EIGHT_HOURS)
    assert options[:4] == ["0.00", "0.25", "0.50", "0.75"]
    assert options[-1] == "8.00"
    assert len(options) == 33


# --- Notes and the date & time ------------------------------------------------------------


def test_notes_are_required_and_at_most_5000_characters():
    assert rules.notes_problem("   \n ") == "Write a few words about the session in Notes."
    assert rules.notes_problem("x" * 5000) is None
    assert "at most 5,000 characters" in rules.notes_problem("x" * 5001)


def test_a_session_may_be_up_to_15_minutes_in_the_future():
    now = chicago(2026, 11, 18, 10, 0)

    def problem(minutes):
        return rules.starts_at_problem(
            starts_at=now + dt.timedelta(minutes=minutes),
            now=now,
            match_start=dt.date(2025, 1, 1),
            match_end=None,
            tz=CHICAGO,
        )

    assert problem(15) is None
    assert "cannot be in the future" in problem(16)


def test_the_first_and_last_day_of_a_match_are_compared_in_local_time():
    # 20:00 on 9 November in Chicago is 10 November in UTC: still within the match.
    evening = chicago(2026, 11, 9, 20, 0)
    assert (
        rules.starts_at_problem(
            starts_at=evening,
            now=chicago(2026, 11, 18),
            match_start=dt.date(2026, 9, 1),
            match_end=dt.date(2026, 11, 9),
            tz=CHICAGO,
        )
        is None
    )
    assert "This match started on Tuesday 10 November 2026" in rules.starts_at_problem(
        starts_at=evening,
        now=chicago(2026, 11, 18),
        match_start=dt.date(2026, 11, 10),
        match_end=None,
        tz=CHICAGO,
    )


def test_first_weekday_is_the_default_rule():
    assert DeadlinePolicy().rule == FIRST_WEEKDAY
    assert DeadlinePolicy().weekday == MONDAY
