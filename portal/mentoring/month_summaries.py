"""The monthly counters of the staff reports (models/summaries.py), kept in the same
transaction as every change to a session log.

How: whatever changes sessions (one entry saved or deleted, a queryset updated or deleted,
entries created in bulk, a match given another mentor or site) runs inside
``sessions_changing(ids)``. It reads what those entries counted for before the change
(locking them, so two editors of one entry take turns), lets the change happen, reads what
they count for after, and adds the difference to the counter rows with
``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n``: two entries saved at once for
the same mentor and month both count, whichever commits first. The hooks are in the
models' save, delete, update and bulk_create (models/sessions.py, models/people.py), so no
service can forget them and no bulk update skips them. Only raw SQL (the benchmark's COPY)
bypasses them: it calls ``rebuild()`` after.

``rebuild()`` (and `manage.py rebuild_month_summaries`) recounts the table from the
sessions in one transaction: after a change of the program's time zone (done by itself),
a restore from an older backup, or to repair a damaged table.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone

# The session fields the counters depend on: a change to any other field (notes, ticked
# boxes, the erasure's placeholders) leaves the counters alone, with no extra query.
COUNTED_FIELDS = frozenset(
    {
        "match",
        "starts_at",
        "quarter_hours",
        "type_of_mentoring",
        "interaction",
        "attendance",
        "is_late",
        "reviewed_at",
        "deleted_at",
    }
)
# The match fields the counters are grouped by.
MATCH_FIELDS = frozenset({"mentor", "site"})
# pk__in lists stay under SQLite's limit on parameters.
_CHUNK = 500

Key = tuple[int, ...]  # (month, mentor, site, type, interaction)
Counts = list[int]  # sessions, met, quarters, late, unreviewed


def touches(fields: Iterable[str], watched: frozenset[str] = COUNTED_FIELDS) -> bool:
    """Whether a save or update of these fields can change the counters."""
    return any(name.removesuffix("_id") in watched for name in fields)


def month_number(year: int, month: int) -> int:
    return year * 100 + month


def month_of(moment: dt.datetime, tz: ZoneInfo) -> int:
    local = timezone.localtime(moment, tz)
    return month_number(local.year, local.month)


def _program_tz() -> ZoneInfo:
    from portal.mentoring.models import ProgramSettings

    return ProgramSettings.load().tz


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _counts_of(ids: list[int], *, lock: bool = False) -> dict[Key, Counts]:
    """What these entries count for now (deleted ones count for nothing), by row key."""
    from portal.mentoring.models import Attendance, SessionLog

    tz = _program_tz()
    found: dict[Key, Counts] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for chunk in _chunks(ids):
        rows = SessionLog.objects.filter(pk__in=chunk, deleted_at__isnull=True)
        if lock and connection.features.has_select_for_update_of:
            # The entries themselves, not their matches: editors of one entry take turns,
            # so each reads the values the other committed.
            rows = rows.select_for_update(of=("self",))
        for row in rows.values_list(
            "starts_at",
            "match__mentor_id",
            "match__site_id",
            "type_of_mentoring_id",
            "interaction_id",
            "attendance",
            "quarter_hours",
            "is_late",
            "reviewed_at",
        ).order_by():
            starts_at, mentor, site, kind, interaction, attendance, quarters, late, reviewed = row
            counts = found[(month_of(starts_at, tz), mentor, site, kind, interaction)]
            counts[0] += 1
            counts[1] += attendance == Attendance.MET
            counts[2] += quarters
            counts[3] += bool(late)
            counts[4] += reviewed is None
    return found


def _difference(before: dict[Key, Counts], after: dict[Key, Counts]) -> dict[Key, Counts]:
    changes: dict[Key, Counts] = {}
    for key in before.keys() | after.keys():
        old = before.get(key, [0] * 5)
        new = after.get(key, [0] * 5)
        delta = [n - o for n, o in zip(new, old, strict=True)]
        if any(delta):
            changes[key] = delta
    return changes


def _rolled_up(changes: dict[Key, Counts], pick) -> dict[Key, Counts]:
    rolled: dict[Key, Counts] = defaultdict(lambda: [0] * 5)
    for key, delta in changes.items():
        total = rolled[pick(key)]
        for index, value in enumerate(delta):
            total[index] += value
    return {key: delta for key, delta in rolled.items() if any(delta)}


def _add(model, rows: dict[Key, Counts]) -> None:
    """Add each delta to its counter row, creating the row if needed: one statement a row,
    in key order (two transactions adding to the same rows never wait on each other in a
    circle)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    keys = [quote(name) for name in model.KEYS]
    counters = [quote(name) for name in model.COUNTERS]
    columns = ", ".join(keys + counters)
    marks = ", ".join(["%s"] * (len(keys) + len(counters)))
    additions = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
    # Only names from the models are put together here; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {additions}"
    )
    values = [(*key, *rows[key]) for key in sorted(rows)]
    with connection.cursor() as cursor:
        if len(values) == 1:  # one entry saved: a plain statement, no batch machinery
            cursor.execute(sql, values[0])
        else:
            cursor.executemany(sql, values)


def _write(changes: dict[Key, Counts]) -> None:
    from portal.mentoring.models import MentorMonth, SiteMonth

    _add(MentorMonth, _rolled_up(changes, lambda key: (key[0], key[1])))
    _add(SiteMonth, _rolled_up(changes, lambda key: (key[0], key[2], key[3], key[4])))


class Change:
    """The entries a change is about; ``include`` adds those it creates."""

    def __init__(self, ids: Iterable[int]):
        self.ids = [pk for pk in ids if pk is not None]

    def include(self, *ids: int | None) -> None:
        self.ids.extend(pk for pk in ids if pk is not None)


@contextmanager
def sessions_changing(ids: Iterable[int] = ()):
    """Wrap a change of these entries: the counters follow it in the same transaction.

    No savepoint (as Django's own save): an error rolls the whole transaction back.
    """
    with transaction.atomic(savepoint=False):
        change = Change(ids)
        before = _counts_of(change.ids, lock=True) if change.ids else {}
        yield change
        after = _counts_of(change.ids)
        _write(_difference(before, after))


def sessions_added(ids: Iterable[int]) -> None:
    """Count entries just created (bulk_create): call inside the creating transaction."""
    _write(_counts_of([pk for pk in ids if pk is not None]))


def match_sessions(match_ids: Iterable[int]) -> list[int]:
    """The entries of these matches: a match given another mentor or site moves its
    entries' counts with it."""
    from portal.mentoring.models import SessionLog

    ids = list(match_ids)
    return [
        pk
        for chunk in _chunks(ids)
        for pk in SessionLog.objects.filter(match_id__in=chunk, deleted_at__isnull=True)
        .order_by()
        .values_list("pk", flat=True)
    ]


@contextmanager
def matches_changing(match_ids: Iterable[int]):
    """Wrap a change of matches' mentor or site."""
    with transaction.atomic(savepoint=False), sessions_changing(match_sessions(match_ids)):
        yield


# --- Rebuild ------------------------------------------------------------------------------


def _grouped(sessions, tz: ZoneInfo, keys: dict[str, str]):
    """The live sessions counted by month (of the time zone) and keys, each column named."""
    return (
        sessions.filter(deleted_at__isnull=True)
        .annotate(
            summary_month=ExtractYear("starts_at", tzinfo=tz) * 100
            + ExtractMonth("starts_at", tzinfo=tz)
        )
        .values("summary_month", **{f"k_{field}": F(source) for field, source in keys.items()})
        .annotate(
            n_sessions=Count("pk"),
            n_met=Count("pk", filter=Q(attendance="met")),
            n_quarters=Coalesce(Sum("quarter_hours"), 0),
            n_late=Count("pk", filter=Q(is_late=True)),
            n_unreviewed=Count("pk", filter=Q(reviewed_at__isnull=True)),
        )
        .order_by()
    )


def _recount(model, sessions, tz: ZoneInfo, keys: dict[str, str], months) -> int:
    """Replace the rows with a count made by the database itself (INSERT ... SELECT): a
    million sessions never pass through Python."""
    stale = model.objects.all()
    if months is not None:
        stale = stale.filter(month__in=months)
    stale.delete()
    grouped_sql, params = _grouped(sessions, tz, keys).query.sql_with_params()
    quote = connection.ops.quote_name
    counters = ("sessions", "met", "quarters", "late", "unreviewed")
    columns = ", ".join(quote(name) for name in ("month", *keys, *counters))
    keyed = ["summary_month", *(f"k_{field}" for field in keys)]
    picked = ", ".join(quote(name) for name in (*keyed, *(f"n_{c}" for c in counters)))
    order = ", ".join(quote(name) for name in keyed)
    # Only names and SQL compiled by the ORM are put together here; values are parameters.
    # In key order: each month's rows sit together, so a report reads a month from a few
    # pages of the table.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns})"  # noqa: S608
        f" SELECT {picked} FROM ({grouped_sql}) grouped ORDER BY {order}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


MENTOR_KEYS = {"mentor_id": "match__mentor_id"}
SITE_KEYS = {
    "site_id": "match__site_id",
    "type_of_mentoring_id": "type_of_mentoring_id",
    "interaction_id": "interaction_id",
}


def rebuild_with(
    *, session_model, mentor_month, site_month, tz: ZoneInfo, month: tuple[int, int] | None = None
) -> dict[str, int]:
    """Recount the counters from the sessions (all months, or one ``(year, month)``), in
    one transaction. Takes the models, so a migration can run it with its own."""
    sessions = session_model.objects.all()
    months = None
    if month is not None:
        year, number = month
        start = dt.datetime(year, number, 1, tzinfo=tz)
        end = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz)
        sessions = sessions.filter(starts_at__gte=start, starts_at__lt=end)
        months = [month_number(year, number)]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Session changes wait while the table is recounted (they would otherwise add
            # to rows being replaced); reads go on.
            quote = connection.ops.quote_name
            tables = ", ".join(quote(m._meta.db_table) for m in (mentor_month, site_month))
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        return {
            "mentor_rows": _recount(mentor_month, sessions, tz, MENTOR_KEYS, months),
            "site_rows": _recount(site_month, sessions, tz, SITE_KEYS, months),
        }


def rebuild(*, month: tuple[int, int] | None = None, tz: ZoneInfo | None = None) -> dict:
    from portal.mentoring.models import MentorMonth, SessionLog, SiteMonth

    return rebuild_with(
        session_model=SessionLog,
        mentor_month=MentorMonth,
        site_month=SiteMonth,
        tz=tz or _program_tz(),
        month=month,
    )
