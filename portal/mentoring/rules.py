"""The program's rules about sessions, as pure functions with one home.

The session form, the services, the reports and the reminder jobs all call these, so a
rule changes in one place. Nothing here touches the database.

Long on purpose: every rule about a session (hours, deadlines and who may still change an
entry, date & time, notes, the prompt) has this one home, in sections.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext

from portal.lib.text import LONG_TEXT_MAX

FIRST_WEEKDAY = "first_weekday"
DAY_OF_MONTH = "day_of_month"

NOTES_MAX_LENGTH = LONG_TEXT_MAX
MAX_QUARTER_HOURS_EVER = 24 * 4
FUTURE_TOLERANCE = dt.timedelta(minutes=15)
WEEKDAY_NAMES = list(calendar.day_name)


# --- Hours --------------------------------------------------------------------------------


class HoursError(ValueError):
    """Hours that cannot be stored; the message is written for the mentor."""


def quarters_to_hours(quarters: int) -> Decimal:
    return (Decimal(quarters) / 4).quantize(Decimal("0.01"))


def format_hours(quarters: int) -> str:
    """'0.25', '1.00': the two-decimal form the Hours select uses as option values."""
    return f"{quarters_to_hours(quarters):.2f}"


def hours_options(max_quarters: int) -> list[str]:
    """Every choice of the Hours select, from 0.00 to the program maximum."""
    return [format_hours(q) for q in range(0, max_quarters + 1)]


def parse_hours(text: str | None, *, met: bool, max_quarters: int) -> int:
    """Turn what the mentor sent into quarter hours, or explain why it cannot be stored.

    Absences and cancellations are always zero hours (RULES 4.10), whatever was sent. Hours
    that are read but out of range get the words of ``hours_problem``, as the service does.
    """
    if not met:
        return 0
    raw = (text or "").strip()
    if not raw:
        raise HoursError(
            gettext("Choose how long you met, from 0.25 to %(maximum)s hours.")
            % {"maximum": format_hours(max_quarters)}
        )
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise HoursError(gettext("Choose the hours from the list, like 0.50 or 1.00.")) from None
    if not value.is_finite():
        raise HoursError(gettext("Choose the hours from the list, like 0.50 or 1.00."))
    quarters = value * 4
    if quarters != quarters.to_integral_value():
        if 0 <= value <= Decimal(max_quarters) / 4:
            raise HoursError(
                gettext("Hours go in quarter hours: 0.25, 0.50, 0.75, 1.00 and so on.")
            )
        # Out of range as well: that is what to say first.
        quarters = quarters.to_integral_value(rounding=ROUND_UP)
    problem = hours_problem(int(quarters), met=True, max_quarters=max_quarters)
    if problem:
        raise HoursError(problem)
    return int(quarters)


def hours_problem(quarters: int, *, met: bool, max_quarters: int) -> str | None:
    """Why a session cannot have this many quarter hours, or None when it can."""
    if not met:
        return None if quarters == 0 else gettext("A session that did not happen has 0 hours.")
    maximum = format_hours(max_quarters)
    if quarters < 0:
        return gettext("Hours cannot be less than zero.")
    if quarters > max_quarters:
        return gettext("A session can be at most %(maximum)s hours.") % {"maximum": maximum}
    if quarters == 0:
        return gettext(
            'You chose "We met", so choose how long you met, from 0.25 to %(maximum)s hours. '
            "If the session did not happen, change Attendance."
        ) % {"maximum": maximum}
    return None


# --- Deadlines ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlinePolicy:
    """When a month's sessions are due: the program's rule, in the program's time zone."""

    rule: str = FIRST_WEEKDAY
    weekday: int = 0  # Monday
    day: int = 5
    tz: ZoneInfo = ZoneInfo("America/Chicago")


class MonthError(ValueError):
    """A month that cannot be read; the message is written for the person who typed it."""


MONTH_HELP = "Choose a month as YYYY-MM, for example 2026-05."
# The program's records start this century; a year outside is a typing slip, not a month.
FIRST_YEAR, LAST_YEAR = 2000, 2100
_MONTH_KEY = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits only


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month of the program: what "sessions of October 2026" means everywhere.

    Months order by time. ``bounds`` and ``of`` are read in the program's time zone.
    """

    year: int
    month: int

    def __post_init__(self) -> None:
        # datetime stops at year 9999 and the bounds need the month after.
        if not (1 <= self.month <= 12 and 1 <= self.year <= 9998):
            raise MonthError(MONTH_HELP)

    @classmethod
    def parse(cls, text: str | None) -> "Month":
        """'2026-05' as a Month; anything else raises MonthError with a message to show."""
        found = _MONTH_KEY.fullmatch((text or "").strip())
        if not found:
            raise MonthError(MONTH_HELP)
        year, month = int(found[1]), int(found[2])
        if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
            raise MonthError(MONTH_HELP)
        return cls(year, month)

    @classmethod
    def parse_or_none(cls, text: str | None) -> "Month | None":
        """For addresses, which people type: a month that cannot be read is no month."""
        try:
            return cls.parse(text)
        except MonthError:
            return None

    @classmethod
    def of(cls, moment: dt.datetime, tz: ZoneInfo) -> "Month":
        """The month a moment falls in, in the program's time zone."""
        local = moment.astimezone(tz)
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        """'2026-05': the form used in addresses and form fields."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def name(self) -> str:
        """'May' (in the language of the page: 'mayo')."""
        return str(MONTHS[self.month])

    @property
    def label(self) -> str:
        """'May 2026' (in Spanish, 'mayo de 2026')."""
        return date_format(dt.date(self.year, self.month, 1), "YEAR_MONTH_FORMAT")

    @property
    def short_label(self) -> str:
        """'Oct 2026': for table headings."""
        return f"{calendar.month_abbr[self.month]} {self.year}"

    def previous(self) -> "Month":
        if self.month == 1:
            return Month(self.year - 1, 12)
        return Month(self.year, self.month - 1)

    def next(self) -> "Month":
        if self.month == 12:
            return Month(self.year + 1, 1)
        return Month(self.year, self.month + 1)

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def last_day(self) -> dt.date:
        return self.next().first_day() - dt.timedelta(days=1)

    def bounds(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """The first moment of the month and of the next one, in the program's time zone."""
        return (
            dt.datetime(self.year, self.month, 1, tzinfo=tz),
            dt.datetime(*self.next().as_tuple(), 1, tzinfo=tz),
        )

    def as_tuple(self) -> tuple[int, int]:
        return self.year, self.month

    def due_date(self, policy: "DeadlinePolicy | None" = None) -> dt.date:
        """The last day to enter the sessions held in this month.

        "First Monday of the following month": October 2021 is due Monday 1 November 2021.
        "Day N of the following month": October 2026 with N=5 is due 5 November 2026.
        """
        policy = policy or DeadlinePolicy()
        following = self.next()
        if policy.rule == DAY_OF_MONTH:
            last_day = following.last_day().day
            return dt.date(following.year, following.month, min(policy.day, last_day))
        if policy.rule != FIRST_WEEKDAY:
            raise ValueError(f"Unknown deadline rule: {policy.rule!r}")
        first = following.first_day()
        return first + dt.timedelta(days=(policy.weekday - first.weekday()) % 7)

    def deadline(self, policy: "DeadlinePolicy | None" = None) -> "Deadline":
        policy = policy or DeadlinePolicy()
        due = self.due_date(policy)
        # Due "by the end of" the day: late from midnight that starts the next day, local time.
        due_by = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0, 0), tzinfo=policy.tz)
        return Deadline(year=self.year, month=self.month, due_date=due, due_by=due_by)


@dataclass(frozen=True)
class Deadline:
    year: int
    month: int  # the month whose sessions are due
    due_date: dt.date  # the last day to enter them
    due_by: dt.datetime  # the first moment an entry counts as late (aware)

    @property
    def of_month(self) -> Month:
        return Month(self.year, self.month)

    @property
    def month_label(self) -> str:
        return self.of_month.label

    def days_left(self, now: dt.datetime) -> int:
        """Whole days from today (in the program's time zone) to the due date."""
        today = now.astimezone(self.due_by.tzinfo).date()
        return (self.due_date - today).days


def deadline_for_session(starts_at: dt.datetime, policy: DeadlinePolicy) -> Deadline:
    return Month.of(starts_at, policy.tz).deadline(policy)


def is_late(*, starts_at: dt.datetime, entered_at: dt.datetime, policy: DeadlinePolicy) -> bool:
    """An entry made after the deadline of the month its session was held in is late."""
    return entered_at >= deadline_for_session(starts_at, policy).due_by


def due_month(now: dt.datetime, policy: DeadlinePolicy) -> Month:
    """The month that is due now: the most recent month whose deadline has not passed.

    From the 1st of a month until the end of its deadline day, last month is due (on 1 and
    2 November 2026 with the first-Monday rule, October 2026); after it, this month is.
    A deadline always falls in the month after its own, so no older month can be due.
    """
    this_month = Month.of(now, policy.tz)
    last_month = this_month.previous()
    if now < last_month.deadline(policy).due_by:
        return last_month
    return this_month


def next_deadline(now: dt.datetime, policy: DeadlinePolicy) -> Deadline:
    """The deadline a mentor faces next: the deadline of the month that is due now."""
    return due_month(now, policy).deadline(policy)


# A mistake seen just after Save (a typo, the wrong hours) can be put right by the mentor,
# even on an entry made after its deadline.
CORRECTION_WINDOW = dt.timedelta(minutes=30)


def correction_window_ends(entered_at: dt.datetime) -> dt.datetime:
    """The first moment after an entry's 30 minutes of correction."""
    return entered_at + CORRECTION_WINDOW


def in_correction_window(*, entered_at: dt.datetime, now: dt.datetime) -> bool:
    return now < correction_window_ends(entered_at)


def mentor_may_change(
    *,
    own_entry: bool,
    reviewed: bool,
    starts_at: dt.datetime,
    entered_at: dt.datetime,
    now: dt.datetime,
    policy: DeadlinePolicy,
) -> bool:
    """Mentors may edit or delete their own entries until the deadline of the entry's month,
    and in any case for 30 minutes after saving one (a late entry too), unless staff have
    reviewed it. Nobody else's entry, ever."""
    if not own_entry or reviewed:
        return False
    return now < deadline_for_session(starts_at, policy).due_by or in_correction_window(
        entered_at=entered_at, now=now
    )


# --- Date & time of a session -------------------------------------------------------------


def starts_at_problem(
    *,
    starts_at: dt.datetime,
    now: dt.datetime,
    match_start: dt.date,
    match_end: dt.date | None,
    tz: ZoneInfo,
) -> str | None:
    """Why a session cannot be at this moment, or None when it can."""
    if starts_at > now + FUTURE_TOLERANCE:
        return gettext("The date and time cannot be in the future. Enter when you met.")
    local_day = starts_at.astimezone(tz).date()
    if local_day < match_start:
        return gettext("This match started on %(day)s. Enter a date on or after that day.") % {
            "day": format_day(match_start)
        }
    if match_end is not None and local_day > match_end:
        return gettext("This match ended on %(day)s. Enter a date on or before that day.") % {
            "day": format_day(match_end)
        }
    return None


def format_day(day: dt.date) -> str:
    """'Monday 2 November 2026': unambiguous for every reader (in the language of the page:
    'lunes 2 de noviembre de 2026')."""
    return date_format(day, gettext("l j F Y"))


# --- Notes --------------------------------------------------------------------------------


def notes_problem(notes: str) -> str | None:
    if not notes.strip():
        return gettext("Write a few words about the session in Notes.")
    if len(notes) > NOTES_MAX_LENGTH:
        return gettext(
            "Notes can be at most %(maximum)s characters. Yours has %(length)s: please "
            "shorten them."
        ) % {"maximum": f"{NOTES_MAX_LENGTH:,}", "length": f"{len(notes):,}"}
    return None


# --- A gentle prompt --------------------------------------------------------------------

CONCERN = "concern"
DEFAULT_PROMPT_WORDS = "\n".join(
    [
        "hungry = food",
        "no food = food",
        "starving = food",
        "evicted = shelter",
        "eviction = shelter",
        "homeless = shelter",
        "no coat = clothing",
        "no shoes = clothing",
        "washing machine = household",
        "broke = household",
        "no heat = household",
        "sick = health",
        "doctor = health",
        "dentist = health",
        "backpack = school_supplies",
        "hit = concern",
        "bruise = concern",
        "hurt = concern",
        "abuse = concern",
        "scared to go home = concern",
    ]
)


@dataclass(frozen=True)
class Suggestion:
    phrase: str  # as written in the notes
    target: str  # "concern" or a resource need kind


def parse_prompt_words(text: str) -> list[tuple[str, str]]:
    pairs = []
    for line in text.splitlines():
        phrase, sep, target = line.partition("=")
        if sep and phrase.strip() and target.strip():
            pairs.append((phrase.strip().lower(), target.strip().lower()))
    return pairs


def suggest_boxes(notes: str, *, words: str, ticked: set[str]) -> list[Suggestion]:
    """Boxes the notes hint at that the mentor has not ticked: one suggestion per box.

    Whole words only ("hit" does not match "white"); "bruised" and "bruises" match "bruise".
    """
    found: dict[str, Suggestion] = {}
    for phrase, target in parse_prompt_words(words):
        if target in ticked or target in found:
            continue
        pattern = r"\b" + r"\s+".join(map(re.escape, phrase.split())) + r"(?:s|es|d|ed|ing)?\b"
        match = re.search(pattern, notes, flags=re.IGNORECASE)
        if match:
            found[target] = Suggestion(phrase=match.group(0), target=target)
    return list(found.values())


# --- What a session may hold: every rule the form and the services share -----------------
#
# The session form shows these problems next to its fields; the services refuse the same
# input with the same words, whoever calls them. Rules about records (a choice from the
# program's lists, a duplicate entry) stay with the services, which read the database.

ACTIVITY_HIDDEN = "hidden"
ACTIVITY_READ_ONLY = "read_only"
ACTIVITY_OPTIONAL = "optional"
ACTIVITY_REQUIRED = "required"


@dataclass(frozen=True)
class Problem:
    """One broken rule: the field it is about, and what to do."""

    field: str
    message: str


def activity_problem(activity: str, *, mode: str) -> str | None:
    """Activity follows the program setting (RULES 4.5)."""
    if mode in (ACTIVITY_HIDDEN, ACTIVITY_READ_ONLY) and activity:
        return gettext("Leave Activity blank: the program does not use it.")
    if mode == ACTIVITY_REQUIRED and not activity.strip():
        return gettext("Enter the activity.")
    return None


def concern_problem(*, ticked: bool, details: str) -> str | None:
    """A ticked child safety concern needs a description the program can act on (RULES 4.8)."""
    if ticked and not details.strip():
        return gettext("Describe the child safety concern, so the program can act on it.")
    return None


def session_problems(
    *,
    now: dt.datetime,
    tz: ZoneInfo,
    starts_at: dt.datetime | None,
    match_start: dt.date | None,
    match_end: dt.date | None,
    met: bool,
    quarter_hours: int | None,
    max_quarters: int,
    notes: str | None,
    activity_mode: str,
    activity: str | None,
    safety_concern: bool,
    safety_concern_details: str | None,
) -> list[Problem]:
    """Every problem of one session's values, by field; an empty list when it can be saved.

    A value given as None is one the form could not read and has already explained, so it
    is not judged again (no second message for the same field).
    """
    problems = []
    if starts_at is not None and match_start is not None:
        problem = starts_at_problem(
            starts_at=starts_at, now=now, match_start=match_start, match_end=match_end, tz=tz
        )
        if problem:
            problems.append(Problem("starts_at", problem))
    if quarter_hours is not None:
        problem = hours_problem(quarter_hours, met=met, max_quarters=max_quarters)
        if problem:
            problems.append(Problem("hours", problem))
    if notes is not None:
        problem = notes_problem(notes)
        if problem:
            problems.append(Problem("notes", problem))
    if activity is not None:
        problem = activity_problem(activity, mode=activity_mode)
        if problem:
            problems.append(Problem("activity", problem))
    if safety_concern_details is not None:
        problem = concern_problem(ticked=safety_concern, details=safety_concern_details)
        if problem:
            problems.append(Problem("safety_concern_details", problem))
    return problems


# --- How long a match lasted --------------------------------------------------------------


@dataclass(frozen=True)
class MatchLength:
    months: int
    days: int

    def __str__(self) -> str:
        parts = [(self.months, "month"), (self.days, "day")]
        return ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in parts if n) or "0 days"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or that month's last day (31 Jan + 1 month: 28 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def match_length(start: dt.date, end: dt.date) -> MatchLength:
    """Whole months from start to end, then the days left over (reports count months)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return MatchLength(months=max(months, 0), days=(end - add_months(start, max(months, 0))).days)
