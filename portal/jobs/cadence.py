"""When a scheduled job falls due: pure functions of the time, no database.

A cadence names the *slot* a moment belongs to: the moment the job was last due, at or
before ``now``. A job runs once per slot (``runs.py``), so a worker that was stopped
catches up the latest slot it missed, once, and never the ones before it.

- ``Every(seconds)``: slots on multiples of ``seconds`` since 1970 in UTC. Every offset
  of a time zone in use is a multiple of 15 minutes, so a cadence of 15 minutes (or any
  divisor of it) meets each local hour exactly, in any zone, across DST changes.
- ``DailyAt(time)``: once a day at a wall-clock time in the program's time zone. On the
  day the clocks go forward a time in the gap (2:30 in America/Chicago) is run at the
  same moment an hour later on the clock (3:30); on the day they go back a time that
  happens twice is run at its first occurrence. Either way: one slot per local day.
- ``WeeklyAt(weekday, time)``: once a week, on that weekday (0 is Monday) at that time,
  with the same rules for a clock change.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Every:
    seconds: int

    def __post_init__(self):
        if self.seconds < 1:
            raise ValueError("A cadence is at least a second.")

    def slot(self, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
        elapsed = (now - EPOCH) // dt.timedelta(seconds=self.seconds)
        return EPOCH + elapsed * dt.timedelta(seconds=self.seconds)

    def __str__(self) -> str:
        if self.seconds % 3600 == 0:
            hours = self.seconds // 3600
            return "every hour" if hours == 1 else f"every {hours} hours"
        if self.seconds % 60 == 0:
            minutes = self.seconds // 60
            return "every minute" if minutes == 1 else f"every {minutes} minutes"
        return f"every {self.seconds} seconds"


def at_on(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The moment (in UTC) the clock in ``tz`` shows ``at`` on ``day``: the first time
    if it shows it twice, an hour later on the clock if it skips it."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC)


@dataclass(frozen=True)
class DailyAt:
    at: dt.time

    def slot(self, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
        day = now.astimezone(tz).date()
        # Today's time, or else yesterday's (the day before, where a clock change at
        # midnight pushes yesterday's skipped time past ``now``).
        while (due := at_on(day, self.at, tz)) > now:
            day -= dt.timedelta(days=1)
        return due

    def __str__(self) -> str:
        return f"every day at {self.at:%H:%M} in the program's time zone"


def week_start(day: dt.date, weekday: int = 0) -> dt.date:
    """The latest ``weekday`` (0 is Monday) on or before ``day``."""
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


@dataclass(frozen=True)
class WeeklyAt:
    weekday: int
    at: dt.time

    def __post_init__(self):
        if not 0 <= self.weekday <= 6:
            raise ValueError("A weekday is 0 (Monday) to 6 (Sunday).")

    def slot(self, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
        day = week_start(now.astimezone(tz).date(), self.weekday)
        while (due := at_on(day, self.at, tz)) > now:
            day -= dt.timedelta(days=7)
        return due

    def __str__(self) -> str:
        return f"every {WEEKDAYS[self.weekday]} at {self.at:%H:%M} in the program's time zone"


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def weekly_at(weekday: int, hour: int, minute: int = 0) -> WeeklyAt:
    return WeeklyAt(weekday, dt.time(hour, minute))


def daily_at(hour: int, minute: int = 0) -> DailyAt:
    return DailyAt(dt.time(hour, minute))


def minutes(count: int) -> Every:
    return Every(count * 60)
