"""When each scheduled job falls due (portal/jobs/cadence.py): pure functions of the time,
checked across the program's DST changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.jobs.cadence import DailyAt, Every, at_on, daily_at, minutes
from tests.conftest import CHICAGO, chicago

UTC = dt.UTC
ZONES = [CHICAGO, *map(ZoneInfo, ["Europe/London", "Asia/Kathmandu", "Pacific/Chatham"])]
moments = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31), timezones=st.just(UTC)
)
times = st.times().map(lambda t: t.replace(microsecond=0))


@given(moments, st.sampled_from([1, 2, 60, 300, 900, 3600]))
def test_every_n_seconds_names_the_last_multiple_of_n_at_or_before_now(now, seconds):
    slot = Every(seconds).slot(now, CHICAGO)
    assert slot <= now < slot + dt.timedelta(seconds=seconds)
    assert slot.timestamp() % seconds == 0


@given(moments, st.sampled_from(ZONES))
def test_every_15_minutes_meets_each_local_hour_in_any_zone(now, tz):
    slot = minutes(15).slot(now, tz)
    assert slot.astimezone(tz).minute in (0, 15, 30, 45)


@given(moments, times, st.sampled_from(ZONES))
def test_a_daily_slot_is_the_latest_due_time_at_or_before_now(now, at, tz):
    cadence = DailyAt(at)
    slot = cadence.slot(now, tz)
    assert slot <= now
    assert now - slot < dt.timedelta(hours=25)  # a day, 25 hours when the clocks go back
    assert cadence.slot(slot, tz) == slot  # due at its own moment
    # Nothing due between the slot and now: the next day's time is after now.
    next_day = slot.astimezone(tz).date() + dt.timedelta(days=1)
    assert at_on(next_day, at, tz) > now


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)), times)
def test_there_is_exactly_one_daily_slot_per_local_day_in_chicago(day, at):
    today, tomorrow = at_on(day, at, CHICAGO), at_on(day + dt.timedelta(days=1), at, CHICAGO)
    assert today < tomorrow
    # On the local day itself (or, for a time the clocks skip, the same moment an hour later).
    assert today.astimezone(CHICAGO).date() == day
    assert dt.timedelta(hours=23) <= tomorrow - today <= dt.timedelta(hours=25)


@pytest.mark.parametrize(
    "day, at, expected_utc",
    [
        # Spring forward, 8 March 2026: 2:30 does not happen; it runs at 3:30 CDT.
        (dt.date(2026, 3, 8), dt.time(2, 30), dt.datetime(2026, 3, 8, 8, 30, tzinfo=UTC)),
        (dt.date(2026, 3, 8), dt.time(3, 0), dt.datetime(2026, 3, 8, 8, 0, tzinfo=UTC)),
        # Fall back, 1 November 2026: 1:30 happens twice; it runs the first time (CDT).
        (dt.date(2026, 11, 1), dt.time(1, 30), dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
        (dt.date(2026, 11, 1), dt.time(3, 0), dt.datetime(2026, 11, 1, 9, 0, tzinfo=UTC)),
    ],
)
def test_a_daily_time_across_chicago_s_dst_changes(day, at, expected_utc):
    assert at_on(day, at, CHICAGO) == expected_utc


def test_the_purge_at_3_am_runs_once_each_day_across_the_fall_back():
    cadence = daily_at(3, 0)
    # Every 10 minutes across 31 October to 2 November 2026 (the clocks go back on the 1st).
    start = chicago(2026, 10, 31, 0, 0).astimezone(UTC)
    moments = [start + dt.timedelta(minutes=10 * i) for i in range(3 * 24 * 6 + 6)]
    slots = sorted({cadence.slot(moment, CHICAGO) for moment in moments})
    assert [slot.astimezone(CHICAGO).strftime("%m-%d %H:%M") for slot in slots] == [
        "10-30 03:00",
        "10-31 03:00",
        "11-01 03:00",
        "11-02 03:00",
    ]


def test_cadences_read_as_plain_words():
    assert str(minutes(5)) == "every 5 minutes"
    assert str(minutes(1)) == "every minute"
    assert str(Every(3600)) == "every hour"
    assert str(Every(2)) == "every 2 seconds"
    assert str(daily_at(3, 30)) == "every day at 03:30 in the program's time zone"
    with pytest.raises(ValueError):
        Every(0)
