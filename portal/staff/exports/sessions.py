"""The sessions export: one column specification (``COLUMNS``) drives every writer.

Each column gives its header, the fields of the session it reads, how Python makes its
cell (the row writer, ``Table.rows``: CSV but on PostgreSQL), how it makes the cell for
Excel when that differs (``Table.excel_rows``: the date and the time as Excel values in
the program's time zone, not text) and how PostgreSQL makes the CSV's cell for ``COPY``.
Columns that read a field a model declares as text about a child (``CHILD_TEXT_FIELDS``:
the child's name, the notes, the details) are in the export only with
``include_children``: the de-identified export does not read them at all.

On PostgreSQL the CSV (a million rows and more) is written by the database: every cell
formatted (``neutralise`` included) and streamed with ``COPY (...) TO STDOUT WITH
(FORMAT csv)``, in a transaction of its own with a 30-minute statement timeout and the
program's time zone. COPY quotes as the csv module does; empty text is sent as NULL
(COPY would quote an empty string) and each row's "\\n" becomes the csv module's
"\\r\\n". tests/staff/test_export_speed_paths.py checks its bytes against the row
writer's. Elsewhere (SQLite, or a zone PostgreSQL does not know) the row writer writes
the CSV too.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import DatabaseError, connections, transaction
from django.db.models import Model

from portal.downloads.tables import (
    CHUNK_SIZE,
    FORMULA_STARTS,
    HOURS_FORMAT,
    Table,
    csv_lines,
    neutralise,
)
from portal.mentoring import rules
from portal.mentoring.models import Attendance, ResourceNeedKind, SessionLog

# How the writers treat a cell: text is neutralised (both writers), a yes/no column
# holds a condition written "Yes" or "No", a number is written as it is.
TEXT, NUMBER, YES_NO = "text", "number", "yes_no"

# A long export streamed to a slow client outlives the connection's 15-second limit;
# the export's own transaction allows this much instead.
EXPORT_STATEMENT_TIMEOUT = "30min"
# Resource needs written out per entry by the PostgreSQL writer (the app stores at most 7).
NEEDS_SPELLED_OUT = 16


@dataclass(frozen=True)
class Column:
    header: str
    # Fields of the session (``values_list`` paths) the cell is made from.
    reads: tuple[str, ...]
    kind: str = TEXT
    # The cell from the values read (after the context); by default the one value.
    cell: Callable | None = None
    # The cell in PostgreSQL from the expressions of the values read, final (quoted and
    # neutralised as COPY needs it); by default made from the kind.
    sql: Callable | None = None
    # The cell in Excel, when it is not the CSV's (``cell``): a real date, a time of day.
    excel: Callable | None = None


class Context:
    """What the row writer's cells need besides the row: the program's time zone and the
    choices' labels. The last start time's local time is kept: two cells read it."""

    def __init__(self, tz):
        self.tz = tz
        self.attendance = {key: str(label) for key, label in Attendance.choices}
        self.needs = {key: str(label) for key, label in ResourceNeedKind.choices}
        self._moment = self._local = None

    def local(self, moment):
        if moment is not self._moment:
            self._moment, self._local = moment, moment.astimezone(self.tz)
        return self._local


class Sql:
    """Builds PostgreSQL cells; constants other than column names and literals written
    here go in ``params``."""

    formula_codes = ", ".join(str(ord(char)) for char in FORMULA_STARTS)

    def __init__(self):
        self.params: list = []

    def text(self, expression: str) -> str:
        """``neutralise`` in SQL; empty text as NULL, which COPY writes unquoted."""
        return (
            f"CASE WHEN ascii({expression}) IN ({self.formula_codes}) "
            f"THEN '''' || {expression} ELSE NULLIF({expression}, '') END"
        )

    def labels(self, expression: str, choices) -> str:
        """A choice's label (a text cell); anything else as it is."""
        whens = []
        for value, label in choices:
            whens.append("WHEN %s THEN %s")
            self.params.extend([value, neutralise(label) or None])
        return f"CASE {expression} {' '.join(whens)} ELSE {self.text(expression)} END"

    @staticmethod
    def yes_no(condition: str) -> str:
        return f"CASE WHEN {condition} THEN 'Yes' ELSE 'No' END"


def _date(context, starts_at) -> str:
    local = context.local(starts_at)
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d}"


def _time(context, starts_at) -> str:
    local = context.local(starts_at)
    return f"{local.hour:02d}:{local.minute:02d}"


def _local_date(context, starts_at) -> dt.date:
    return context.local(starts_at).date()


def _local_time(context, starts_at) -> dt.time:
    local = context.local(starts_at)
    return dt.time(local.hour, local.minute)


def _hours_sql(q: Sql, quarters: str) -> str:
    # Python's repr of quarters / 4 as a float: 0.0, 0.25, 0.5, 0.75, 1.0, ...
    return (
        f"CAST({quarters} / 4 AS TEXT) || CASE {quarters} - 4 * ({quarters} / 4) "
        "WHEN 0 THEN '.0' WHEN 1 THEN '.25' WHEN 2 THEN '.5' ELSE '.75' END"
    )


def _needs(context, kinds) -> str:
    return ", ".join(context.needs.get(kind, kind) for kind in (kinds or []))


def _needs_sql(q: Sql, kinds: str) -> str:
    # ", ".join of the labels, element by element: a subquery would keep PostgreSQL from
    # formatting rows in its parallel workers. The app stores a subset of the seven
    # kinds; elements past NEEDS_SPELLED_OUT would be left out.
    names = _sql_literal(json.dumps({k: str(v) for k, v in ResourceNeedKind.choices})) + "::jsonb"
    parts = ", ".join(
        f"COALESCE({names} ->> ({kinds} ->> {n}), {kinds} ->> {n})"
        for n in range(NEEDS_SPELLED_OUT)
    )
    joined = q.text(f"concat_ws(', ', {parts})")
    return f"CASE WHEN jsonb_typeof({kinds}) = 'array' AND {kinds} <> '[]'::jsonb THEN {joined} END"


COLUMNS = (
    Column("Session ID", ("pk",), NUMBER),
    # Casts are cheaper than to_char(): 'YYYY-MM-DD' (DateStyle ISO) and 'HH:MM'.
    Column(
        "Date",
        ("starts_at",),
        cell=_date,
        sql=lambda q, at: f"CAST({at} AS date)",
        excel=_local_date,
    ),
    Column(
        "Time",
        ("starts_at",),
        cell=_time,
        sql=lambda q, at: f"left(CAST(CAST({at} AS time) AS text), 5)",
        excel=_local_time,
    ),
    Column("School site", ("match__site__name",)),
    Column("Mentor", ("match__mentor__user__full_name",)),
    Column("Mentor email", ("match__mentor__user__email",)),
    Column("Match ID", ("match_id",), NUMBER),
    Column(
        "Mentee",
        ("match__mentee__first_name", "match__mentee__last_initial"),
        cell=lambda context, first, initial: f"{first} {initial}.",
        sql=lambda q, first, initial: q.text(f"({first} || ' ' || {initial} || '.')"),
    ),
    Column(
        "Hours",
        ("quarter_hours",),
        NUMBER,
        cell=lambda context, quarters: float(rules.quarters_to_hours(quarters)),
        sql=_hours_sql,
    ),
    Column("Type of mentoring", ("type_of_mentoring__label",)),
    Column("Interaction", ("interaction__label",)),
    Column(
        "Attendance",
        ("attendance",),
        cell=lambda context, value: context.attendance.get(value, value),
        sql=lambda q, value: q.labels(value, [(k, str(v)) for k, v in Attendance.choices]),
    ),
    Column("Late", ("is_late",), YES_NO),
    Column(
        "Reviewed",
        ("reviewed_at",),
        YES_NO,
        cell=lambda context, at: at is not None,
        sql=lambda q, at: q.yes_no(f"{at} IS NOT NULL"),
    ),
    Column("Child safety concern", ("safety_concern",), YES_NO),
    Column("Resource needs", ("resource_needs",), cell=_needs, sql=_needs_sql),
    Column("Notes", ("notes",)),
    Column("Concern details", ("safety_concern_details",)),
    Column("Need details", ("resource_needs_details",)),
)


def field_of(model: type[Model], path: str):
    """The model field at the end of ``path`` ("match__mentee__first_name")."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def about_the_child(column: Column) -> bool:
    """Whether the column reads a field its model declares as text about a child."""
    for path in column.reads:
        field = field_of(SessionLog, path)
        if field.name in getattr(field.model, "CHILD_TEXT_FIELDS", ()):
            return True
    return False


def columns_for(include_children: bool) -> list[Column]:
    return [c for c in COLUMNS if include_children or not about_the_child(c)]


def _fields(columns: list[Column]) -> list[str]:
    """The fields the columns read, each once, with the two the export is ordered by."""
    fields = ["pk", "starts_at"]
    for column in columns:
        fields += [path for path in column.reads if path not in fields]
    return fields


def sessions_table(sessions, *, tz, include_children: bool) -> Table:
    """Entries as rows. Without ``include_children`` (the funder default) the child's name
    and every free-text field (notes, concern and need details) are left out."""
    columns = columns_for(include_children)

    def csv_body():
        return _postgresql_csv(sessions, tz=tz, include_children=include_children)

    postgresql = connections[sessions.db].vendor == "postgresql"
    return Table(
        name="Sessions",
        headers=[column.header for column in columns],
        rows=session_rows(sessions, tz=tz, columns=columns),
        csv_body=csv_body if postgresql else None,
        # Generators: only the one the chosen format reads runs its query.
        excel_rows=session_rows(sessions, tz=tz, columns=columns, excel=True),
        formats={"Hours": HOURS_FORMAT},
    )


def session_rows(sessions, *, tz, columns: list[Column], excel: bool = False) -> Iterator[list]:
    """The row writer: each cell made in Python, in the export's order; with ``excel``,
    the Excel cells (``Column.excel``) where they differ."""
    fields = _fields(columns)
    context = Context(tz)
    makers = []
    for column in columns:
        where = [fields.index(path) for path in column.reads]
        cell = (excel and column.excel) or column.cell or (lambda context, value: value)
        makers.append((cell, where, column.kind == YES_NO))
    queryset = sessions.order_by("starts_at", "pk").values_list(*fields)
    for values in queryset.iterator(chunk_size=5000):
        row = []
        for cell, where, yes_no in makers:
            value = cell(context, *[values[n] for n in where])
            row.append(("Yes" if value else "No") if yes_no else value)
        yield row


def copy_sql(sessions, *, include_children: bool) -> tuple[str, list]:
    """The SELECT that COPY writes: one column per cell of ``COLUMNS``, named by its
    header, every cell final, in the export's order. The date and time are read in the
    session's time zone, which ``_postgresql_csv`` sets to the program's."""
    columns = columns_for(include_children)
    fields = _fields(columns)
    # Ordered outside: a subquery without ORDER BY is merged into the outer query, which
    # lets PostgreSQL format the cells in its parallel workers.
    queryset = sessions.order_by().values_list(*fields)
    inner, inner_params = queryset.query.get_compiler(using=queryset.db).as_sql()
    names = dict(zip(fields, [f"c{n}" for n in range(len(fields))], strict=True))
    q = Sql()
    cells = []
    for column in columns:
        expressions = [names[path] for path in column.reads]
        if column.sql is not None:
            cell = column.sql(q, *expressions)
        elif column.kind == TEXT:
            cell = q.text(*expressions)
        elif column.kind == YES_NO:
            cell = q.yes_no(*expressions)
        else:
            cell = expressions[0]
        cells.append(f'{cell} AS "{column.header}"')
    # Only column names and literals written here go into the text: values are parameters.
    sql = (
        f"WITH q ({', '.join(names.values())}) AS ({inner}) "  # noqa: S608
        f"SELECT {', '.join(cells)} FROM q ORDER BY q.{names['starts_at']}, q.{names['pk']}"
    )
    return sql, [*inner_params, *q.params]


def _sql_literal(value: str) -> str:
    """A constant of ours as SQL text (the query then goes through %-parameter binding)."""
    return "'" + value.replace("'", "''").replace("%", "%%") + "'"


def _postgresql_csv(sessions, *, tz, include_children: bool) -> Iterator[bytes | str]:
    """PostgreSQL writes the rows (``COPY ... TO STDOUT WITH (FORMAT csv)``); Python only
    turns each row's ``\\n`` into the csv module's ``\\r\\n`` and sends ~64 KB at a time.

    The COPY runs in its own transaction (a savepoint inside a caller's), with a generous
    statement timeout and the program's time zone, and is always rolled back. If the client
    goes away the generator is closed: psycopg cancels the COPY and the rollback leaves the
    connection idle and clean.
    """
    alias = sessions.db
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        try:
            yield from _postgresql_rows(cursor, sessions, tz, include_children)
        finally:
            # Nothing to keep; rolling back also ends the settings when the block is a
            # savepoint in a caller's transaction.
            transaction.set_rollback(True, using=alias)


def _postgresql_rows(cursor, sessions, tz, include_children: bool) -> Iterator[bytes | str]:
    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [EXPORT_STATEMENT_TIMEOUT])
    if not _postgresql_local_time(cursor, getattr(tz, "key", None), sessions.db):
        columns = columns_for(include_children)
        yield from csv_lines(session_rows(sessions, tz=tz, columns=columns))
        return
    sql, params = copy_sql(sessions, include_children=include_children)
    buffer = bytearray()
    with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
        read = copy.read
        # PostgreSQL sends one CopyData message per row, each ending in a newline.
        while row := read():
            buffer += row[:-1]
            buffer += b"\r\n"
            if len(buffer) >= CHUNK_SIZE:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


def _postgresql_local_time(cursor, tz_name: str | None, alias: str) -> bool:
    """Set the transaction's time zone to the program's, with ISO dates. False (and nothing
    set) if the zone has no name or PostgreSQL does not know that name."""
    if tz_name is None:
        return False
    try:
        with transaction.atomic(using=alias):
            cursor.execute(
                "SELECT set_config('TimeZone', %s, true), set_config('DateStyle', 'ISO', true)",
                [tz_name],
            )
    except DatabaseError:
        return False
    return True
