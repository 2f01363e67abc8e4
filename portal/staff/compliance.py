"""The compliance report (RULES 5): per month, each active mentor's sessions, hours and late
entries, and who logged nothing.

Built for a program of 20,000 mentors: nothing here loads every mentor to show a page.
The figures at the top are counted in the database; the table shows one page of mentors
and aggregates the sessions of those mentors only; the addresses of the mentors who
logged nothing are read only when asked for; the export streams every mentor from three
queries. The number of queries never depends on the number of mentors.

The month's figures come from the monthly counters (``MentorMonth``, one row per mentor
who logged something, kept with every session change: portal/mentoring/month_summaries.py),
never from the month's sessions. A Scope with ``raw=True`` counts the sessions themselves,
as before: the tests and the benchmark compare the two.

Who is listed (unchanged): active mentors with a match that ran during the month (at the
chosen school site, when there is one). Their figures count every live entry of the month
on any of their matches, closed ones included. A mentor who declared "No session this
month" (RULES 4.15) and logged nothing is shown as declared, not as logged nothing.
"""

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property
from django.utils.http import urlencode

from portal.mentoring import selectors as mentoring_selectors
from portal.mentoring.models import (
    Match,
    Mentor,
    MentorMonth,
    MentorStatus,
    NoSessionMonth,
    ProgramSettings,
    SessionLog,
)
from portal.mentoring.month_summaries import month_number
from portal.mentoring.rules import Month, quarters_to_hours

PAGE_SIZE = 50

# The table's "Show" filter: GET value -> words on the page.
EVERYONE, NOTHING, LATE = "", "nothing", "late"
SHOW_CHOICES = [
    (EVERYONE, "Everyone"),
    (NOTHING, "Logged nothing"),
    (LATE, "Late entries"),
]


@dataclass(frozen=True)
class Scope:
    """One month of the report, for all school sites or one."""

    month: Month
    start: dt.datetime
    end: dt.datetime
    site: int | None = None
    raw: bool = False  # count the sessions, not the monthly counters

    @classmethod
    def of(
        cls, month: Month, *, program: ProgramSettings, site: int | None = None, raw: bool = False
    ) -> "Scope":
        start, end = month.bounds(program.tz)
        return cls(month=month, start=start, end=end, site=site, raw=raw)


# --- The sets the report is made of (querysets: they run inside other queries) ---------


def listed_mentors(scope: Scope) -> QuerySet[Mentor]:
    """Active mentors with a match that ran during the month (at the site, if one)."""
    running = Match.objects.filter(
        mentor=OuterRef("pk"), start_date__lte=scope.month.last_day()
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=scope.month.first_day()))
    if scope.site:
        running = running.filter(site_id=scope.site)
    return Mentor.objects.filter(status=MentorStatus.ACTIVE).filter(Exists(running))


def month_sessions(scope: Scope) -> QuerySet[SessionLog]:
    """Live entries of the month, on any match (the starts_at index finds them)."""
    return SessionLog.objects.live().filter(starts_at__gte=scope.start, starts_at__lt=scope.end)


def month_counters(scope: Scope) -> QuerySet[MentorMonth]:
    """The month's line of each mentor who logged something (the unique index of month
    and mentor finds them)."""
    number = month_number(scope.month.year, scope.month.month)
    return MentorMonth.objects.filter(month=number, sessions__gt=0)


def _late_ids(scope: Scope):
    if not scope.raw:
        return month_counters(scope).filter(late__gt=0).values("mentor_id")
    return month_sessions(scope).filter(is_late=True).values("match__mentor_id")


def _declarations(scope: Scope) -> QuerySet[NoSessionMonth]:
    # One home for the rule: an answer stops counting once a session of that month is logged.
    return mentoring_selectors.months_declared_without_sessions(scope.month, raw=scope.raw)


def _declared_ids(scope: Scope):
    return _declarations(scope).order_by().values("mentor_id")


def silent_mentors(scope: Scope) -> QuerySet[Mentor]:
    """Listed mentors with no entry in the month and no "No session this month" answer."""
    if scope.raw:
        logged = month_sessions(scope).filter(match__mentor=OuterRef("pk"))
    else:
        logged = month_counters(scope).filter(mentor=OuterRef("pk"))
    return listed_mentors(scope).exclude(Exists(logged)).exclude(pk__in=_declared_ids(scope))


def _by_name(mentors: QuerySet[Mentor]) -> QuerySet[Mentor]:
    return mentors.select_related("user").order_by("user__full_name", "pk")


# --- The figures at the top ---------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    mentors: int
    sessions: int
    quarters: int
    late: int  # late entries
    logged: int  # mentors with at least one entry
    late_mentors: int  # mentors with at least one late entry
    declared: int  # mentors who answered "No session this month" and logged nothing

    @property
    def hours(self) -> Decimal:
        return quarters_to_hours(self.quarters or 0)

    @property
    def silent(self) -> int:
        """Logged nothing and declared nothing."""
        return self.mentors - self.logged - self.declared

    def count_shown(self, show: str) -> int:
        return {NOTHING: self.silent, LATE: self.late_mentors}.get(show, self.mentors)


def summary(scope: Scope) -> Summary:
    """The whole month's figures, counted in the database: one query (two with ``raw``).

    Those who logged nothing are the difference between the listed mentors and those who
    logged something or declared.
    """
    listed = listed_mentors(scope)
    if not scope.raw:
        return Summary(**_figures_of_counters(scope, listed))
    people = listed.aggregate(
        mentors=Count("pk"),
        declared=Count("pk", filter=Q(pk__in=_declared_ids(scope))),
    )
    of_the_month = _entries_of_one_site if scope.site else _entries_of_all
    return Summary(**people, **of_the_month(scope, listed))


def _figures_of_counters(scope: Scope, listed: QuerySet[Mentor]) -> dict:
    """One pass over the listed mentors, each joined to its line of the month's counters
    (on the (month, mentor) index): the mentors, those who declared, and their month.
    Working out who is listed is the costly part (every mentor and match): once, not
    twice as two ORM aggregates would."""
    connection = connections[listed.db]
    named = listed.order_by().values(listed_id=F("pk"))
    listed_sql, listed_params = named.query.sql_with_params()
    declared_sql, declared_params = _declared_ids(scope).query.sql_with_params()
    counters = connection.ops.quote_name(MentorMonth._meta.db_table)
    month = month_number(scope.month.year, scope.month.month)
    # Plain SQL both databases read. Only names and SQL compiled by the ORM are put
    # together here; every value is a parameter (in the order they appear).
    sql = (
        f"SELECT COUNT(*), COUNT(CASE WHEN l.listed_id IN ({declared_sql}) THEN 1 END),"  # noqa: S608
        " COUNT(c.mentor_id), COALESCE(SUM(c.sessions), 0), COALESCE(SUM(c.quarters), 0),"
        " COALESCE(SUM(c.late), 0), COUNT(CASE WHEN c.late > 0 THEN 1 END)"
        f" FROM ({listed_sql}) l LEFT JOIN {counters} c"
        " ON c.mentor_id = l.listed_id AND c.month = %s AND c.sessions > 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*declared_params, *listed_params, month))
        row = cursor.fetchone()
    names = ("mentors", "declared", "logged", "sessions", "quarters", "late", "late_mentors")
    # PostgreSQL sums integers as numeric: back to int.
    return {name: int(value) for name, value in zip(names, row, strict=True)}


# COUNT(*), not COUNT(id), below: an index holding the counted columns could answer alone.
_MONTH_COUNTS = {
    "n": Count("*"),
    "q": Sum("quarter_hours"),
    "l": Count("is_late", filter=Q(is_late=True)),
}


def _entries_of_one_site(scope: Scope, listed: QuerySet[Mentor]) -> dict:
    """A site's few hundred mentors: their matches' entries are found on the (match,
    starts_at) index and grouped by mentor (measured 4x faster than reading the month)."""
    per_mentor = (
        month_sessions(scope)
        .filter(match__mentor__in=listed)
        .values("match__mentor_id")
        .annotate(**_MONTH_COUNTS)
        .order_by()
    )
    return per_mentor.aggregate(
        logged=Count("n"),
        sessions=Coalesce(Sum("n"), 0),
        quarters=Coalesce(Sum("q"), 0),
        late=Coalesce(Sum("l"), 0),
        late_mentors=Count("l", filter=Q(l__gt=0)),
    )


def _entries_of_all(scope: Scope, listed: QuerySet[Mentor]) -> dict:
    """The whole program: the month's entries are read once through the starts_at index
    and grouped by match before anything is joined (~86,000 entries become ~19,000
    matches), and only those are joined to the listed mentors. Joining first and grouping
    by mentor, as the ORM writes it, measured two to three times slower at real size."""
    per_match = month_sessions(scope).values("match_id").annotate(**_MONTH_COUNTS).order_by()
    connection = connections[listed.db]
    per_match_sql, per_match_params = per_match.query.sql_with_params()
    listed_sql, listed_params = listed.order_by().values("pk").query.sql_with_params()
    match = connection.ops.quote_name(Match._meta.db_table)
    mentor_id = connection.ops.quote_name(Match._meta.get_field("mentor").column)
    # Plain SQL both databases read. Only names and SQL compiled by the ORM are put
    # together here; every value is a parameter.
    sql = (
        f"SELECT COUNT(DISTINCT m.{mentor_id}), COALESCE(SUM(a.n), 0), COALESCE(SUM(a.q), 0),"  # noqa: S608
        f" COALESCE(SUM(a.l), 0), COUNT(DISTINCT CASE WHEN a.l > 0 THEN m.{mentor_id} END)"
        f" FROM ({per_match_sql}) a INNER JOIN {match} m ON m.id = a.match_id"
        f" WHERE m.{mentor_id} IN ({listed_sql})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*per_match_params, *listed_params))
        row = cursor.fetchone()
    # PostgreSQL sums integers as numeric: back to int.
    names = ("logged", "sessions", "quarters", "late", "late_mentors")
    return {name: int(value) for name, value in zip(names, row, strict=True)}


# --- One mentor's line --------------------------------------------------------------------


@dataclass
class ComplianceRow:
    mentor: Mentor
    sessions: int
    met: int
    absences: int
    quarters: int
    late: int
    declared: bool = False
    declared_reason: str = ""

    @property
    def hours(self) -> Decimal:
        return quarters_to_hours(self.quarters or 0)

    @property
    def logged_nothing(self) -> bool:
        return self.sessions == 0


def _figures_from_counters(counters: QuerySet[MentorMonth]) -> dict[int, dict]:
    rows = counters.values(
        "mentor_id",
        n_sessions=F("sessions"),
        n_met=F("met"),
        n_quarters=F("quarters"),
        n_late=F("late"),
    )
    return {row["mentor_id"]: row for row in rows}


def _figures_by_mentor(sessions: QuerySet[SessionLog]) -> dict[int, dict]:
    rows = (
        sessions.values("match__mentor_id")
        .annotate(
            n_sessions=Count("pk"),
            n_met=Count("pk", filter=Q(attendance="met")),
            n_quarters=Coalesce(Sum("quarter_hours"), 0),
            n_late=Count("pk", filter=Q(is_late=True)),
        )
        .order_by()
    )
    return {row["match__mentor_id"]: row for row in rows}


def _reason(declaration: NoSessionMonth) -> str:
    label = str(declaration.get_reason_display())
    return f"{label}: {declaration.details}" if declaration.details else label


def _row(mentor: Mentor, figures: dict | None, reasons: dict[int, str]) -> ComplianceRow:
    figures = figures or {}
    sessions = figures.get("n_sessions", 0)
    met = figures.get("n_met", 0)
    return ComplianceRow(
        mentor=mentor,
        sessions=sessions,
        met=met,
        absences=sessions - met,
        quarters=figures.get("n_quarters", 0),
        late=figures.get("n_late", 0),
        declared=mentor.pk in reasons,
        declared_reason=reasons.get(mentor.pk, ""),
    )


def rows_for(mentors: list[Mentor], scope: Scope) -> list[ComplianceRow]:
    """The lines of one page: two queries for the page's mentors, whatever their number.

    The entries are found through each mentor's matches, on the (match, starts_at) index.
    """
    ids = [mentor.pk for mentor in mentors]
    if not ids:
        return []
    if scope.raw:
        figures = _figures_by_mentor(month_sessions(scope).filter(match__mentor_id__in=ids))
    else:
        figures = _figures_from_counters(month_counters(scope).filter(mentor_id__in=ids))
    reasons = {
        declaration.mentor_id: _reason(declaration)
        for declaration in _declarations(scope).filter(mentor_id__in=ids).order_by()
    }
    return [_row(mentor, figures.get(mentor.pk), reasons) for mentor in mentors]


def compliance_rows(
    month: Month, *, program: ProgramSettings, site: int | None = None, raw: bool = False
) -> Iterator[ComplianceRow]:
    """Every listed mentor's line, by name, for the export: three queries in all.

    The month's figures are grouped by mentor in one query (a small dict per mentor who
    logged something); the mentors then stream through a server-side cursor.
    """
    scope = Scope.of(month, program=program, site=site, raw=raw)
    listed = listed_mentors(scope)
    if raw:
        figures = _figures_by_mentor(month_sessions(scope).filter(match__mentor__in=listed))
    else:
        # Every line of the month: only the listed mentors' are looked up below.
        figures = _figures_from_counters(month_counters(scope))
    reasons = {
        declaration.mentor_id: _reason(declaration)
        for declaration in _declarations(scope).order_by()
    }
    for mentor in _by_name(listed).iterator(chunk_size=2000):
        yield _row(mentor, figures.get(mentor.pk), reasons)


# --- The page -----------------------------------------------------------------------------


class _CountedPaginator(Paginator):
    """A paginator told its count: the summary has already counted the mentors."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def address(*, month: Month, site: int | None, show: str) -> str:
    """The query string of this report's links: month, site and filter kept, empty left out."""
    params = {"month": month.key, "site": site or "", "show": show}
    return urlencode({key: value for key, value in params.items() if value})


def parse_show(value: str | None) -> str:
    return value if value in (NOTHING, LATE) else EVERYONE


def parse_number(value: str | None) -> int | None:
    """A page or site number as typed in the address, or None when it is not one."""
    value = (value or "").strip()
    if re.fullmatch(r"[0-9]{1,9}", value):
        return int(value)
    return None


@dataclass
class PageOfMentors:
    page: Page
    rows: list[ComplianceRow]
    asked_for: str  # the page number in the address when it did not exist, else ""


def mentor_page(scope: Scope, *, show: str, page: str | None, count: int) -> PageOfMentors:
    """One page of the table, by name; ``count`` is how many mentors the filter shows."""
    mentors = _by_name(listed_mentors(scope))
    if show == NOTHING:
        mentors = _by_name(silent_mentors(scope))
    elif show == LATE:
        mentors = mentors.filter(pk__in=_late_ids(scope))
    paginator = _CountedPaginator(mentors, PAGE_SIZE, count=count)
    number = parse_number(page)
    asked_for = ""
    if page not in (None, "") and (number is None or not 1 <= number <= paginator.num_pages):
        asked_for = page
    number = min(max(number or 1, 1), paginator.num_pages)
    current = paginator.page(number)
    return PageOfMentors(
        page=current, rows=rows_for(list(current.object_list), scope), asked_for=asked_for
    )


def silent_emails(scope: Scope) -> list[str]:
    """Every silent mentor's address, by name (the whole month, not one page): one query."""
    return list(_by_name(silent_mentors(scope)).values_list("user__email", flat=True))
