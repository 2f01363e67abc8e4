"""When a match's next support check-in of each kind is due (SPEC 8). Pure: dates in, dates out.

A kind's next check-in is due its cadence (in months) after the last check-in of that kind,
or after the match started when there is none. Adding months keeps to the month's end: 31
January and one month is 28 (or 29) February. A closed match, or a kind the program gives no
cadence, has nothing due.
"""

import calendar
import datetime as dt

# The program's cadence when it has set none (SPEC 8): mentor monthly, guardian quarterly.
DEFAULT_CADENCE_MONTHS = {"mentor": 1, "mentee": None, "guardian": 3, "school": None}

# Adding one month moves a date on by 28 days at least (31 January -> 28 February), so a
# date that is overdue is more than 28 days per month old: the selectors narrow in SQL by it.
SHORTEST_MONTH_DAYS = 28


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, kept inside the month it lands in."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def is_closed(*, status: str, end_date: dt.date | None, today: dt.date) -> bool:
    """A match is closed once its status says so or its end date has come."""
    return status == "closed" or (end_date is not None and end_date <= today)


def next_due(
    *,
    started: dt.date,
    last: dt.date | None,
    cadence_months: int | None,
    closed: bool,
) -> dt.date | None:
    """The day the next check-in of one kind is due, or None when nothing is due."""
    if closed or not cadence_months:
        return None
    return add_months(last or started, cadence_months)


def is_overdue(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and due < today


def days_overdue(due: dt.date | None, today: dt.date) -> int:
    """How many days late (0 when not late)."""
    return (today - due).days if is_overdue(due, today) else 0


def latest_possibly_overdue(today: dt.date, cadence_months: int) -> dt.date:
    """Every date whose check-in is overdue today is before this one (see SHORTEST_MONTH_DAYS)."""
    return today - dt.timedelta(days=SHORTEST_MONTH_DAYS * cadence_months)


def date_problem(*, day: dt.date, started: dt.date, today: dt.date) -> str | None:
    """What is wrong with the day a check-in happened, in words, or None. (A closure
    conversation may come after the match's end date, so the end is no limit.)"""
    if day > today:
        return "The check-in cannot be in the future. Enter the day it happened."
    if day < started:
        return f"The match started on {started.day} {started:%B %Y}; enter a day from then on."
    return None
