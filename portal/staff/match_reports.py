"""The match reports (SPEC 8): how long matches last, whether check-ins keep to the
program's cadence, why matches close, and how strong coordinators hear matches are.

Each section costs the same few queries however many matches there are: counts are
grouped in the database (``values().annotate()``); a match's length needs calendar months,
which SQLite and PostgreSQL compute differently, so the lengths come from one list of
start and end dates and are worked out by ``length_rules`` in Python. Whether a
check-in is overdue is decided by the check-in selectors (portal/checkins/selectors.py),
the same rule as the dashboard's overdue list.

The period (from and to months, both optional: all time by default) means "started in
the period" for the lengths and "ended in the period" for the closure reasons. The match
strength is shown for the twelve months up to the period's last month (this month when
the period has no end).
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.http import urlencode

from portal.checkins import selectors as checkin_selectors
from portal.checkins.models import CheckIn, WithWhom
from portal.mentoring import length_rules
from portal.mentoring.models import Choice, ChoiceList, ClosureInitiator, Match, MatchStatus
from portal.mentoring.rules import Month

STRENGTH_MONTHS = 12
MILESTONES = (6, 12)  # the whole months a funder asks about
UNASSIGNED = "none"  # the address's "matches without a coordinator"
UNASSIGNED_LABEL = "Unassigned"
NOT_RECORDED = "Not recorded"


def rounded(value: float | None, places: int = 0) -> float | int | None:
    """Half up, as people round (Python's round() takes 0.5 to the even number)."""
    if value is None:
        return None
    result = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return int(result) if places == 0 else float(result)


def percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` in whole percent, or None when there is nothing to share."""
    return rounded(100 * part / whole) if whole else None


# --- What the page asks for ------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """From the first day of ``start`` to the last day of ``end``; either may be open."""

    start: Month | None = None
    end: Month | None = None

    @property
    def label(self) -> str:
        if self.start and self.end:
            return f"{self.start.label} to {self.end.label}"
        if self.start:
            return f"{self.start.label} onwards"
        if self.end:
            return f"up to {self.end.label}"
        return "all time"

    @property
    def phrase(self) -> str:
        """For a sentence: "matches that started ..."."""
        if self.start and self.end:
            return f"between {self.start.label} and {self.end.label}"
        if self.start:
            return f"in or after {self.start.label}"
        if self.end:
            return f"in or before {self.end.label}"
        return "at any time"

    @property
    def key(self) -> str:
        """For file names: 2025-01-to-2025-12, from-2025-01, to-2025-12, all-time."""
        if self.start and self.end:
            return f"{self.start.key}-to-{self.end.key}"
        if self.start:
            return f"from-{self.start.key}"
        if self.end:
            return f"to-{self.end.key}"
        return "all-time"

    def of(self, date_field: str) -> Q:
        """The records whose ``date_field`` falls in the period."""
        condition = Q()
        if self.start:
            condition &= Q(**{f"{date_field}__gte": self.start.first_day()})
        if self.end:
            condition &= Q(**{f"{date_field}__lte": self.end.last_day()})
        return condition


@dataclass(frozen=True)
class ReportFilters:
    period: Period
    today: dt.date
    # Whose matches the strength section shows: "" everyone's, UNASSIGNED, or a user's pk.
    strength_of: str = ""
    strength_of_label: str = "all coordinators"
    problems: tuple[str, ...] = ()

    @property
    def strength_months(self) -> list[Month]:
        last = self.period.end or Month(self.today.year, self.today.month)
        months = [last]
        while len(months) < STRENGTH_MONTHS:
            months.append(months[-1].previous())
        return months[::-1]

    @property
    def strength_label(self) -> str:
        months = self.strength_months
        return f"{months[0].label} to {months[-1].label}"

    def query(self, **changes: str) -> str:
        """The page's address parameters (for the downloads), with ``changes``."""
        values = {
            "start": self.period.start.key if self.period.start else "",
            "end": self.period.end.key if self.period.end else "",
            "coordinator": self.strength_of,
        }
        values.update(changes)
        return urlencode({key: value for key, value in values.items() if value})


# --- 1. Match length and retention -----------------------------------------------------


@dataclass(frozen=True)
class Retention:
    started: int  # matches started in the period (up to today)
    active: int
    closed: int  # closed matches with an end date: their lengths are known
    closed_undated: int  # closed without an end date (old records): left out of lengths
    average_closed: float | None  # months, one decimal
    average_all: float | None  # closed to their end, active to today
    reached: dict[int, int] = field(default_factory=dict)  # months -> closed matches

    def share(self, months: int) -> int | None:
        return percent(self.reached.get(months, 0), self.closed)

    @property
    def milestones(self) -> list[tuple[int, int, int | None]]:
        """(months, closed matches that lasted them, percent of the closed)."""
        return [(m, self.reached.get(m, 0), self.share(m)) for m in MILESTONES]


def retention(filters: ReportFilters) -> Retention:
    """Lengths of the matches started in the period: one query for their dates."""
    today = filters.today
    rows = (
        Match.objects.filter(filters.period.of("start_date"), start_date__lte=today)
        .order_by()
        .values_list("start_date", "end_date", "status")
    )
    closed_lengths, all_lengths = [], []
    reached = Counter()
    active = undated = 0
    for start, end, status in rows:
        if status == MatchStatus.CLOSED:
            if end is None:
                undated += 1
                continue
            length = length_rules.length_in_months(start, end)
            closed_lengths.append(length)
            for months in MILESTONES:
                reached[months] += length_rules.reached_months(start, end, months)
        else:
            active += 1
            length = length_rules.length_in_months(start, min(end or today, today))
        all_lengths.append(length)
    return Retention(
        started=active + len(closed_lengths) + undated,
        active=active,
        closed=len(closed_lengths),
        closed_undated=undated,
        average_closed=_average(closed_lengths),
        average_all=_average(all_lengths),
        reached=dict(reached),
    )


def _average(values: list[float]) -> float | None:
    return rounded(sum(values) / len(values), 1) if values else None


# --- 2. Check-in compliance -------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceRow:
    label: str
    matches: int  # active matches
    overdue: int  # of them, with at least one check-in overdue
    overdue_by_kind: tuple[int, ...]  # in the order of CheckinCompliance.kinds

    @property
    def up_to_date(self) -> int:
        return self.matches - self.overdue

    @property
    def percent_up_to_date(self) -> int | None:
        return percent(self.up_to_date, self.matches)

    @property
    def percent_overdue(self) -> int | None:
        return percent(self.overdue, self.matches)


@dataclass(frozen=True)
class CheckinCompliance:
    kinds: list[tuple[str, str, int]]  # (kind, label, cadence in months)
    by_coordinator: list[ComplianceRow]
    by_school: list[ComplianceRow]
    total: ComplianceRow


def checkin_compliance(filters: ReportFilters) -> CheckinCompliance:
    """Today's active matches, by coordinator and by school: how many have every check-in
    up to date and how many have one overdue (per kind with a cadence)."""
    today = filters.today
    kinds = [
        (kind, WithWhom(kind).label, months)
        for kind, months in checkin_selectors.cadences().items()
        if months
    ]
    late = defaultdict(set)  # (kind) -> match pks
    by_match = {}
    for row in checkin_selectors.overdue_checkins(today=today):
        late[row.kind].add(row.match.pk)
        by_match[row.match.pk] = (row.match.coordinator_id, row.match.site_id)
    open_matches = checkin_selectors.open_matches(today).order_by()

    def row(label: str, matches: int, test) -> ComplianceRow:
        return ComplianceRow(
            label=label,
            matches=matches,
            overdue=sum(1 for key in by_match.values() if test(key)),
            overdue_by_kind=tuple(
                sum(1 for pk in late[kind] if test(by_match[pk])) for kind, _, _ in kinds
            ),
        )

    coordinators = []
    unassigned = 0
    for group in (
        open_matches.values("coordinator_id", "coordinator__full_name", "coordinator__email")
        .annotate(matches=Count("pk"))
        .order_by("coordinator__full_name", "coordinator__email")
    ):
        pk = group["coordinator_id"]
        if pk is None:
            unassigned = group["matches"]
            continue
        name = group["coordinator__full_name"] or group["coordinator__email"]
        coordinators.append(row(name, group["matches"], lambda key, pk=pk: key[0] == pk))
    coordinators.append(row(UNASSIGNED_LABEL, unassigned, lambda key: key[0] is None))

    schools = [
        row(group["site__name"], group["matches"], lambda key, pk=group["site_id"]: key[1] == pk)
        for group in open_matches.values("site_id", "site__name")
        .annotate(matches=Count("pk"))
        .order_by("site__name", "site_id")
    ]
    total = row("All active matches", sum(r.matches for r in schools), lambda key: True)
    return CheckinCompliance(
        kinds=kinds, by_coordinator=coordinators, by_school=schools, total=total
    )


# --- 3. Closure reasons -----------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    label: str
    count: int
    percent: int | None


@dataclass(frozen=True)
class Closures:
    total: int
    by_reason: list[CountRow]
    by_initiator: list[CountRow]


def closed_in(period: Period) -> QuerySet:
    """Closed matches that ended in the period (all of them, dated or not, for all time)."""
    closed = Match.objects.filter(status=MatchStatus.CLOSED).order_by()
    if period.start or period.end:
        closed = closed.filter(period.of("end_date"))
    return closed


def closures(filters: ReportFilters) -> Closures:
    """The closed matches counted by reason (every entry of the program's list, in its
    order) and by who asked: three queries."""
    closed = closed_in(filters.period)
    reasons = dict(
        closed.values("closure_choice_id")
        .annotate(n=Count("pk"))
        .values_list("closure_choice_id", "n")
    )
    initiators = dict(
        closed.values("closed_by_whom").annotate(n=Count("pk")).values_list("closed_by_whom", "n")
    )
    total = sum(reasons.values())
    by_reason = [
        CountRow(choice.label, reasons.get(choice.pk, 0), percent(reasons.get(choice.pk, 0), total))
        for choice in Choice.objects.filter(list=ChoiceList.CLOSURE_REASON)
        if not choice.is_retired or reasons.get(choice.pk)
    ]
    if reasons.get(None):
        by_reason.append(CountRow(NOT_RECORDED, reasons[None], percent(reasons[None], total)))
    by_initiator = [
        CountRow(label, initiators.get(value, 0), percent(initiators.get(value, 0), total))
        for value, label in ClosureInitiator.choices
    ]
    if initiators.get(""):
        by_initiator.append(CountRow(NOT_RECORDED, initiators[""], percent(initiators[""], total)))
    return Closures(total=total, by_reason=by_reason, by_initiator=by_initiator)


# --- 4. Match strength over time --------------------------------------------------------


@dataclass(frozen=True)
class StrengthMonth:
    month: Month
    checkins: int  # check-ins with a strength rating
    average: float | None  # one decimal; None: no check-ins that month


@dataclass(frozen=True)
class StrengthReport:
    months: list[StrengthMonth]
    checkins: int
    average: float | None


def strength_by_month(filters: ReportFilters) -> StrengthReport:
    """The average strength of the rated check-ins in each of twelve months (one query),
    for every match or those of one coordinator's caseload (or the unassigned)."""
    months = filters.strength_months
    rated = CheckIn.objects.filter(
        strength__isnull=False,
        on_date__gte=months[0].first_day(),
        on_date__lte=months[-1].last_day(),
    )
    if filters.strength_of == UNASSIGNED:
        rated = rated.filter(match__coordinator__isnull=True)
    elif filters.strength_of:
        rated = rated.filter(match__coordinator_id=int(filters.strength_of))
    found = {
        (row["month"].year, row["month"].month): (row["n"], row["total"])
        for row in rated.annotate(month=TruncMonth("on_date"))
        .values("month")
        .annotate(n=Count("pk"), total=Sum("strength"))
        .order_by("month")
    }
    shown = []
    for month in months:
        n, total = found.get(month.as_tuple(), (0, 0))
        shown.append(StrengthMonth(month, n, rounded(total / n, 1) if n else None))
    count = sum(n for n, _ in found.values())
    total = sum(t for _, t in found.values())
    return StrengthReport(
        months=shown, checkins=count, average=rounded(total / count, 1) if count else None
    )
