"""What the staff pages (and the weekly digest) read about check-ins.

``overdue_checkins`` answers in two queries however many matches there are: the cadences,
then the active matches with the day of their last check-in of each kind (one subquery per
kind), narrowed in SQL to those that can be late; the exact month-end rule runs in Python
on what is left.
"""

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from django.db.models import Count, DateField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from portal.checkins import rules
from portal.checkins.models import CheckIn, CheckInCadence, WithWhom
from portal.mentoring.models import Match, MatchStatus


class OverdueCheckIn(NamedTuple):
    match: Match
    kind: str  # a WithWhom value
    due: dt.date
    days_overdue: int

    @property
    def kind_label(self) -> str:
        return WithWhom(self.kind).label


class NextCheckIn(NamedTuple):
    kind: str
    last: dt.date | None
    due: dt.date
    overdue: bool
    days_overdue: int

    @property
    def kind_label(self) -> str:
        return WithWhom(self.kind).label


def cadences() -> dict[str, int | None]:
    """Months between check-ins, by kind (None: no cadence), with the defaults filled in."""
    months = dict(rules.DEFAULT_CADENCE_MONTHS)
    months.update(CheckInCadence.objects.values_list("kind", "months"))
    return months


def _last_of_kind(kind: str) -> Subquery:
    latest = CheckIn.objects.filter(match=OuterRef("pk"), with_whom=kind).order_by("-on_date")
    return Subquery(latest.values("on_date")[:1], output_field=DateField())


def _annotation(kind: str) -> str:
    return f"last_checkin_{kind}"


def open_matches(today: dt.date):
    """The matches that have check-ins due: active, and not past their end date."""
    return Match.objects.filter(status=MatchStatus.ACTIVE).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=today)
    )


class _Late(NamedTuple):
    due: dt.date
    match_id: int
    kind: str
    days_overdue: int


def first_day_not_overdue(today: dt.date, cadence_months: int) -> dt.date:
    """The earliest last check-in (or start) whose next one is not overdue today: a check-in
    is late exactly when its last one is before this day. The due day never goes back as
    the last day moves on (rules.add_months), so the late days are all those before it."""
    day = rules.latest_possibly_overdue(today, cadence_months)
    while rules.is_overdue(rules.add_months(day, cadence_months), today):
        day += dt.timedelta(days=1)
    while not rules.is_overdue(rules.add_months(day - dt.timedelta(days=1), cadence_months), today):
        day -= dt.timedelta(days=1)
    return day


def _late_matches(*, coordinator, today: dt.date, site: int | None, kind: str):
    """The open matches with a late check-in, each with the day each kind is counted
    from (``..._since``), and the condition that a kind is late: {kind: (months, Q)}."""
    months = {k: m for k, m in cadences().items() if m and (not kind or k == kind)}
    matches = open_matches(today).order_by()  # sorted by due day in Python
    if coordinator is not None:
        matches = matches.filter(coordinator=coordinator)
    if site is not None:
        matches = matches.filter(site_id=site)
    late = {}
    for each, m in months.items():
        since = f"{_annotation(each)}_since"
        matches = matches.annotate(**{since: Coalesce(_last_of_kind(each), "start_date")})
        late[each] = (m, Q(**{f"{since}__lt": first_day_not_overdue(today, m)}))
    any_late = Q(pk__in=[])
    for _m, condition in late.values():
        any_late |= condition
    return matches.filter(any_late), late


def late_checkin_count(
    *, coordinator=None, today: dt.date, site: int | None = None, kind: str = ""
) -> int:
    """How many check-ins are late (as ``len(overdue_checkins(...))``), counted by the
    database in one query: no row of them is read."""
    matches, late = _late_matches(coordinator=coordinator, today=today, site=site, kind=kind)
    if not late:
        return 0
    counts = matches.aggregate(
        **{f"late_{each}": Count("pk", filter=condition) for each, (_m, condition) in late.items()}
    )
    return sum(counts.values())


def _late_checkins(*, coordinator, today: dt.date, site: int | None, kind: str) -> list[_Late]:
    """The late check-ins, oldest first, by match number only: reading whole matches (with
    mentor, mentee and school) for a program's every late check-in took a second at real
    size, for a page that shows 50. The database keeps the late ones exactly
    (first_day_not_overdue); Python works out their due days, each distinct one once."""
    matches, late = _late_matches(coordinator=coordinator, today=today, site=site, kind=kind)
    if not late:
        return []
    kinds = [(each, m, first_day_not_overdue(today, m)) for each, (m, _q) in late.items()]
    names = [f"{_annotation(each)}_since" for each, _m, _first in kinds]
    due_of: dict[tuple[dt.date, int], dt.date] = {}
    found = []
    for pk, *sinces in matches.values_list("pk", *names):
        for (each, m, first), since in zip(kinds, sinces, strict=True):
            if since < first:
                due = due_of.get((since, m))
                if due is None:
                    due = due_of[since, m] = rules.add_months(since, m)
                # A plain tuple, sorted as _Late: tens of thousands at real size.
                found.append((due, pk, each, (today - due).days))
    found.sort()
    return found


class OverdueCheckIns(Sequence):
    """The late check-ins, oldest first, as a list whose matches are read (with mentor,
    mentee and school, in one query) only for the rows asked for: a page of them."""

    def __init__(self, late: list[tuple]):  # each as _Late's fields
        self._late = late
        self._matches: dict[int, Match] = {}  # read once, however often the rows are

    def __len__(self) -> int:
        return len(self._late)

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    def __getitem__(self, index):
        if isinstance(index, slice):
            chosen = [_Late._make(row) for row in self._late[index]]
            missing = {row.match_id for row in chosen} - self._matches.keys()
            if missing:
                self._matches |= Match.objects.select_related(
                    "mentor__user", "mentee", "site"
                ).in_bulk(missing)
            matches = self._matches
            return [
                OverdueCheckIn(matches[row.match_id], row.kind, row.due, row.days_overdue)
                for row in chosen
            ]
        return self[index : index + 1 if index != -1 else None][0]

    def __iter__(self):
        # Every row (a report's counts): their matches read a few thousand at a time.
        for start in range(0, len(self._late), self.CHUNK):
            yield from self[start : start + self.CHUNK]

    CHUNK = 2000


def overdue_checkins(
    *, coordinator=None, today: dt.date, site: int | None = None, kind: str = ""
) -> OverdueCheckIns:
    """Every late check-in of the active matches (of ``coordinator``'s caseload, at ``site``,
    of one ``kind`` when given), oldest first: (match, kind, due date, days overdue). Its
    length costs no more query; each slice of it one."""
    return OverdueCheckIns(
        _late_checkins(coordinator=coordinator, today=today, site=site, kind=kind)
    )


def last_checkin(match: Match) -> CheckIn | None:
    return match.checkins.select_related("recorded_by").first()


def next_checkins_due(match: Match, today: dt.date) -> list[NextCheckIn]:
    """The next check-in of each kind the program has a cadence for (none when closed)."""
    lasts = {}
    for kind, day in match.checkins.order_by("with_whom", "-on_date").values_list(
        "with_whom", "on_date"
    ):
        lasts.setdefault(kind, day)
    return _upcoming(match, lasts, cadences(), today)


def next_checkins_due_of(matches: list[Match], today: dt.date) -> dict[int, list[NextCheckIn]]:
    """``next_checkins_due`` for many matches at once, by match: two queries however many
    matches (the cadences, then the last day of each kind of each match)."""
    lasts: dict[int, dict[str, dt.date]] = {match.pk: {} for match in matches}
    rows = (
        CheckIn.objects.filter(match__in=[match.pk for match in matches])
        .values("match_id", "with_whom")
        .annotate(last=Max("on_date"))
        .order_by()
    )
    for row in rows:
        lasts[row["match_id"]][row["with_whom"]] = row["last"]
    months = cadences()
    return {match.pk: _upcoming(match, lasts[match.pk], months, today) for match in matches}


def _upcoming(
    match: Match, lasts: dict[str, dt.date], months: dict[str, int | None], today: dt.date
) -> list[NextCheckIn]:
    closed = rules.is_closed(status=match.status, end_date=match.end_date, today=today)
    upcoming = []
    for kind, m in months.items():
        due = rules.next_due(
            started=match.start_date, last=lasts.get(kind), cadence_months=m, closed=closed
        )
        if due is not None:
            upcoming.append(
                NextCheckIn(
                    kind,
                    lasts.get(kind),
                    due,
                    rules.is_overdue(due, today),
                    rules.days_overdue(due, today),
                )
            )
    upcoming.sort(key=lambda row: row.due)
    return upcoming


def history(match: Match):
    """The match's check-ins, newest first, with who recorded them."""
    return match.checkins.select_related("recorded_by", "concern")
