"""Volunteer readiness (SPEC 8), as pure rules: dates in, words and statuses out.

An item done on a day stays valid for its number of months *through* the same day that
many months later, kept inside the month it lands in: done 31 January, valid 1 month,
it is valid through 28 (or 29) February; done 29 February 2024, valid 12 months, through
28 February 2025. From the next day it has expired. An item without a number of months
never expires. In the last ``EXPIRING_DAYS`` days of its validity an item is "expiring":
still current (the mentor is still ready), and the mentor is reminded once.

A mentor is ready when every required item is current (or expiring); a missing or
expired required item makes them not ready, and the program decides whether a match for
them is only warned about or refused.
"""

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import get_language, gettext

from portal.mentoring.rules import add_months

EXPIRING_DAYS = 30
# When the nightly check runs (portal/schedule.py), in the program's time zone.
NIGHTLY_CHECK_AT = (2, 30)
# The choices a program has for how long an item stays valid (None: it does not expire).
VALIDITY_CHOICES = (None, 12, 24, 36)
# How far back a record may go: a background check from before then is not evidence.
OLDEST_YEARS = 30
# Training: quarter hours, from a quarter of an hour to a long day.
TRAINING_MAX_QUARTERS = 12 * 4


class Status(enum.StrEnum):
    CURRENT = "current"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    MISSING = "missing"

    @property
    def label(self) -> str:
        """In the language of the page (staff pages are in English)."""
        return {
            "current": gettext("Current"),
            "expiring": gettext("Expiring soon"),
            "expired": gettext("Expired"),
            "missing": gettext("Missing"),
        }[self.value]

    @property
    def counts_as_done(self) -> bool:
        return self in (Status.CURRENT, Status.EXPIRING)


def valid_until(done_on: dt.date, valid_months: int | None) -> dt.date | None:
    """The last day an item done on ``done_on`` is valid (None: it never expires)."""
    if not valid_months:
        return None
    return add_months(done_on, valid_months)


def status(*, done_on: dt.date | None, valid_months: int | None, today: dt.date) -> Status:
    """Where one item stands for a mentor today."""
    if done_on is None:
        return Status.MISSING
    until = valid_until(done_on, valid_months)
    if until is None:
        return Status.CURRENT
    if today > until:
        return Status.EXPIRED
    if (until - today).days < EXPIRING_DAYS:
        return Status.EXPIRING
    return Status.CURRENT


def is_ready(required_statuses: Iterable[Status]) -> bool:
    """Ready when every required item counts as done (no required item: ready)."""
    return all(s.counts_as_done for s in required_statuses)


def latest_possibly_expired(today: dt.date, valid_months: int) -> dt.date:
    """Every item done on or after this day is still valid today: ``valid_months`` months
    last 28 days each at least (31 January and one month is 28 February)."""
    return today - dt.timedelta(days=28 * valid_months)


def plain_day(day: dt.date) -> str:
    """'3 November 2026'."""
    return f"{day.day} {day:%B %Y}"


def in_sentence(name: str) -> str:
    """'Background check' -> 'background check', to use in a sentence; 'CPR training' stays."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def _and_list(names: list[str]) -> str:
    """Said to the mentor, in the language of the page."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + gettext(" and ") + names[-1]


def mentor_day(day: dt.date) -> str:
    """'3 November 2026', in the language of the page ('3 de noviembre de 2026')."""
    return date_format(day, gettext("j F Y"))


@dataclass(frozen=True)
class Reason:
    """What stands between a mentor and "ready", for the match form and the nightly check.
    ``until`` is the last day an expired item was valid; ``by_training`` says the mentor
    completes the item themselves, by logging the training."""

    item: str
    status: Status
    until: dt.date | None = None
    by_training: bool = False
    # The item's Spanish name, when the program wrote one (said to Spanish-speaking mentors).
    item_es: str = ""

    @property
    def item_for_the_mentor(self) -> str:
        """The item's name in the language of the page: Spanish when there is one."""
        if (get_language() or "").startswith("es") and self.item_es.strip():
            return self.item_es
        return self.item

    @property
    def expired_on(self) -> dt.date | None:
        return self.until + dt.timedelta(days=1) if self.until else None

    def __str__(self) -> str:
        if self.status == Status.EXPIRED and self.until:
            return f"{self.item} expired on {plain_day(self.expired_on)}"
        if self.status == Status.EXPIRED:
            return f"{self.item} expired"
        return f"missing: {self.item}"

    @property
    def for_the_mentor(self) -> str:
        """The same, said to the mentor: 'your background check expired on ...', in the
        language of the page."""
        name = in_sentence(self.item_for_the_mentor)
        if self.status == Status.EXPIRED and self.until:
            return gettext("your %(name)s expired on %(day)s") % {
                "name": name,
                "day": mentor_day(self.expired_on),
            }
        if self.status == Status.EXPIRED:
            return gettext("your %(name)s expired") % {"name": name}
        return gettext("the program has no record yet of your %(name)s") % {"name": name}


def reasons_text(reasons: Iterable[Reason]) -> str:
    """ "Missing: Two references, Orientation; Background check expired on 1 December 2026"
    (no verb that must agree with an item's name)."""
    reasons = list(reasons)
    missing = [r.item for r in reasons if r.status == Status.MISSING]
    parts = [f"missing: {', '.join(missing)}"] if missing else []
    parts += [str(r) for r in reasons if r.status != Status.MISSING]
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def reasons_sentence(name: str, reasons: Iterable[Reason]) -> str:
    """ "Pat Lee is not ready. Missing: Two references; Background check expired on ..." """
    return f"{name} is not ready. {reasons_text(reasons)}."


def reasons_for_the_mentor(reasons: Iterable[Reason]) -> str:
    """ "your background check expired on 4 November 2026, and the program has no record
    yet of your two references" """
    reasons = list(reasons)
    missing = [in_sentence(r.item_for_the_mentor) for r in reasons if r.status == Status.MISSING]
    parts = [r.for_the_mentor for r in reasons if r.status != Status.MISSING]
    if missing:
        parts.append(
            gettext("the program has no record yet of your %(name)s") % {"name": _and_list(missing)}
        )
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + gettext(", and ") + parts[-1]
    return "".join(parts)


def help_for_the_mentor(reasons: Iterable[Reason]) -> str:
    """What the mentor can do about it: log a training themselves, or see their coordinator."""
    reasons = list(reasons)
    theirs = [r for r in reasons if r.by_training]
    staff = [r for r in reasons if not r.by_training]
    said = []
    if theirs:
        said.append(
            gettext("Log the trainings on your readiness page once you have attended them.")
            if len(theirs) > 1
            else gettext("Log the training on your readiness page once you have attended it.")
        )
    if staff:
        renew = all(r.status == Status.EXPIRED for r in staff)
        said.append(
            {
                (True, True): gettext("Your coordinator will help you renew them."),
                (True, False): gettext("Your coordinator will help you renew it."),
                (False, True): gettext("Your coordinator will help you complete them."),
                (False, False): gettext("Your coordinator will help you complete it."),
            }[renew, len(staff) > 1]
        )
    return " ".join(said)


AGREEMENT_EMPTY = (
    "Enter the text of the mentor agreement. Mentors read and accept exactly this text, "
    "so it cannot be left empty."
)


def agreement_text_problem(text: str, *, before: str, has_versions: bool) -> str | None:
    """What is wrong with a new mentor agreement text, or None. Once the program has an
    agreement (a text, or a version mentors accepted), it cannot become empty: mentors
    accept exactly the text stored, never words the portal makes up."""
    if text.strip():
        return None
    if before.strip() or has_versions:
        return AGREEMENT_EMPTY
    return None


def done_date_problem(day: dt.date, *, today: dt.date) -> str | None:
    """What is wrong with the day an item was done, in words, or None."""
    if day > today:
        return "The day it was done cannot be in the future: enter today or an earlier day."
    if day.year < today.year - OLDEST_YEARS:
        return f"Enter a day in the past {OLDEST_YEARS} years."
    return None


def training_date_problem(day: dt.date, *, today: dt.date) -> str | None:
    if day > today:
        return gettext("The training cannot be in the future. Enter the day you attended it.")
    if day.year < today.year - 5:
        return gettext(
            "Enter a day in the past five years. For an older training that completed a "
            "requirement, ask your coordinator: they can record the requirement itself."
        )
    return None


def training_hours_problem(quarters: int) -> str | None:
    if quarters < 1:
        return gettext("Choose how long the training was, from 0.25 hours.")
    if quarters > TRAINING_MAX_QUARTERS:
        return gettext("A training entry can be at most %(hours)s hours.") % {
            "hours": TRAINING_MAX_QUARTERS // 4
        }
    return None
