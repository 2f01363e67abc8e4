"""How long matches last, for the match reports (SPEC 8): pure rules beside
``rules.match_length``, which counts the whole months (31 January + 1 month is 28 February)."""

import datetime as dt

from portal.mentoring.rules import add_months, match_length


def length_in_months(start: dt.date, end: dt.date) -> float:
    """A match's length as a number of months for averages: the whole months of
    ``match_length``, plus the days left over as a share of the month that followed
    (15 days into a 30-day month is half a month). Never reaches the next whole month
    before ``match_length`` does, so ``length_in_months(s, e) >= 6`` exactly when the match
    reached 6 months."""
    length = match_length(start, end)
    month_begins = add_months(start, length.months)
    month_ends = add_months(start, length.months + 1)
    return length.months + length.days / (month_ends - month_begins).days


def reached_months(start: dt.date, end: dt.date, months: int) -> bool:
    """Whether a match that ran from ``start`` to ``end`` lasted ``months`` whole months
    (31 January to 30 July is not 6 months; to 31 July is)."""
    return match_length(start, end).months >= months
