"""Exports in CSV and Excel, streamed in chunks so a million rows keep memory flat.

Rows come from ``.iterator()`` querysets; CSV is written to a small buffer and sent
every ~64 KB. Excel is built with openpyxl's write-only mode (rows go to a temporary
file, not memory) and the finished file is sent in 64 KB chunks.

The sessions CSV (a million rows and more) has two faster writers of the very same
bytes, checked byte for byte against the row-by-row writer (``Table.rows``, which Excel
still uses) in tests/staff/test_export_speed_paths.py:

- PostgreSQL formats every cell (``neutralise`` included) and streams the rows with
  ``COPY (...) TO STDOUT WITH (FORMAT csv)``, in a transaction of its own with a 30-minute
  statement timeout and the program's time zone. COPY quotes as the csv module does;
  empty text is sent as NULL (COPY would quote an empty string) and each row's "\n"
  becomes the csv module's "\r\n".
- Elsewhere (SQLite, or a zone PostgreSQL does not know) one query writes each CSV line
  but the date and time and the resource needs, which Python works out once per
  distinct value.

Stored text is exported as it is, whatever it holds: CSV keeps every value (with
``neutralise`` against formulas); Excel cannot hold control characters, so each text cell
goes through ``clean_text`` (a word processor's vertical tab becomes a line break, others
are removed).

A download that fails after it started cannot turn into an error page. It is cut short
instead, so the browser reports a failed download rather than a file that looks complete:
the log says "export failed, error id X" with the exception's type and place (never its
message, which may quote a child's notes, nor the address with its filters), and a CSV
ends with a last line that says it is incomplete and gives the same error id.
"""

import contextlib
import csv
import datetime as dt
import io
import json
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import DatabaseError, connections, transaction
from django.http import StreamingHttpResponse
from django.utils import timezone

from portal.lib.text import clean_text
from portal.security.errors import new_error_id
from portal.security.logging import describe

logger = logging.getLogger("portal.exports")

CHUNK_SIZE = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters that make the csv module put a field in quotes (QUOTE_MINIMAL, "\r\n").
CSV_QUOTED = (",", '"', "\r", "\n")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMULA_FIRST = frozenset(FORMULA_STARTS)


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if value.__class__ is str and value and value[0] in FORMULA_FIRST:
        return "'" + value
    return value


@dataclass
class Table:
    """An export: a title (the sheet and file name), its headers and its rows."""

    name: str
    headers: list[str]
    rows: Iterable[list]
    # A faster writer of exactly the CSV lines ``rows`` would give (without the header),
    # in chunks of about CHUNK_SIZE; called only when the CSV is sent.
    csv_body: Callable[[], Iterator[bytes | str]] | None = None


def csv_chunks(table: Table) -> Iterator[str | bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    if table.csv_body is not None:
        yield buffer.getvalue()
        yield from table.csv_body()
        return
    for row in table.rows:
        writer.writerow([neutralise(value) for value in row])
        if buffer.tell() >= CHUNK_SIZE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_chunks(table: Table) -> Iterator[bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.name[:31])
    sheet.append(table.headers)
    try:
        for row in table.rows:
            sheet.append([_excel_value(value) for value in row])
    except BaseException:
        # Finish openpyxl's own writer while its file is open, or it fails again later
        # when the garbage collector closes it.
        with contextlib.suppress(Exception):
            sheet.close()
        raise
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK_SIZE):
            yield chunk


def _excel_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        # Rows stored before the text rules may hold control characters Excel refuses.
        return neutralise(clean_text(value))
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        # Excel has no time zones: the program's local time, as shown on the pages.
        return timezone.localtime(value).replace(tzinfo=None)
    return neutralise(value)


class ExportFailed(Exception):
    """Cuts a download short after it failed; its message is the error id only."""


def guarded(chunks: Iterator[str | bytes], *, file_format: str) -> Iterator[str | bytes]:
    """``chunks``, sent so that a failure anywhere in them cuts the download short with
    an error id in the log and nothing else (see the module's docstring)."""
    # An empty first chunk sends the headers at once: a failure before the first real
    # chunk then also cuts the download, instead of gunicorn's bare 500 page (whose log
    # line gives the address with its query string).
    yield b""
    try:
        yield from chunks
    except Exception as exc:
        error_id = new_error_id()
        logger.error("export failed, error id %s (%s)", error_id, describe(exc))
        if file_format == "csv":
            yield (
                f"\r\nThis export failed and is incomplete (error id {error_id}). "
                "Download it again; if it fails again, tell the program this error id.\r\n"
            )
        raise ExportFailed(f"export failed, error id {error_id}") from None


def streaming_response(table: Table, *, file_format: str, filename: str) -> StreamingHttpResponse:
    if file_format == "xlsx":
        chunks = guarded(xlsx_chunks(table), file_format="xlsx")
        response = StreamingHttpResponse(chunks, content_type=XLSX_TYPE)
        extension = "xlsx"
    else:
        chunks = guarded(csv_chunks(table), file_format="csv")
        response = StreamingHttpResponse(chunks, content_type=CSV_TYPE)
        extension = "csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


# --- The tables staff can export ----------------------------------------------------------


SESSION_FIELDS = [
    "pk",
    "starts_at",
    "match__site__name",
    "match__mentor__user__full_name",
    "match__mentor__user__email",
    "match_id",
    "match__mentee__first_name",
    "match__mentee__last_initial",
    "quarter_hours",
    "type_of_mentoring__label",
    "interaction__label",
    "attendance",
    "is_late",
    "reviewed_at",
    "safety_concern",
    "resource_needs",
    "notes",
    "safety_concern_details",
    "resource_needs_details",
]

CHILDREN_FIELDS = frozenset(
    [
        "match__mentee__first_name",
        "match__mentee__last_initial",
        "notes",
        "safety_concern_details",
        "resource_needs_details",
    ]
)

# A long export streamed to a slow client outlives the connection's 15-second limit;
# the export's own transaction allows this much instead.
EXPORT_STATEMENT_TIMEOUT = "30min"
# Rows fetched at a time by the Python writer (about 64 KB of CSV).
FETCH_SIZE = 500
# Resource needs written out per entry by the PostgreSQL writer (the app stores at most 7).
NEEDS_SPELLED_OUT = 16
# Distinct start times remembered by the Python writer before it starts afresh.
MOMENTS_KEPT = 20_000


def sessions_table(sessions, *, tz, include_children: bool) -> Table:
    """Entries as rows. Without ``include_children`` (the funder default) the child's name
    and every free-text field (notes, concern and need details) are left out."""
    from portal.mentoring import rules
    from portal.mentoring.models import Attendance, ResourceNeedKind

    headers = [
        "Session ID",
        "Date",
        "Time",
        "School site",
        "Mentor",
        "Mentor email",
        "Match ID",
    ]
    if include_children:
        headers.append("Mentee")
    headers += [
        "Hours",
        "Type of mentoring",
        "Interaction",
        "Attendance",
        "Late",
        "Reviewed",
        "Child safety concern",
        "Resource needs",
    ]
    if include_children:
        headers += ["Notes", "Concern details", "Need details"]
    attendance = dict(Attendance.choices)
    needs = dict(ResourceNeedKind.choices)

    def rows():
        for values in (
            sessions.order_by("starts_at", "pk")
            .values_list(*SESSION_FIELDS)
            .iterator(chunk_size=5000)
        ):
            (pk, starts_at, site, mentor, email, match_id, first, initial, quarters, kind,
             interaction, attended, late, reviewed_at, concern, kinds, notes, concern_details,
             need_details) = values  # fmt: skip
            local = starts_at.astimezone(tz)
            day = f"{local.year:04d}-{local.month:02d}-{local.day:02d}"
            row = [pk, day, f"{local.hour:02d}:{local.minute:02d}", site, mentor, email, match_id]
            if include_children:
                row.append(f"{first} {initial}.")
            row += [
                float(rules.quarters_to_hours(quarters)),
                kind,
                interaction,
                attendance.get(attended, attended),
                "Yes" if late else "No",
                "Yes" if reviewed_at else "No",
                "Yes" if concern else "No",
                ", ".join(needs.get(k, k) for k in (kinds or [])),
            ]
            if include_children:
                row += [notes, concern_details, need_details]
            yield row

    writer = {"postgresql": _postgresql_csv, "sqlite": _python_csv}.get(
        connections[sessions.db].vendor
    )

    def csv_body():
        return writer(sessions, tz=tz, include_children=include_children)

    return Table(
        name="Sessions", headers=headers, rows=rows(), csv_body=csv_body if writer else None
    )


# --- The sessions CSV in SQL --------------------------------------------------------------


def _sessions_sql(sessions, *, include_children: bool, vendor: str, copy: bool = False):
    """One SELECT over the filtered ``sessions``, in the export's order.

    For PostgreSQL's ``copy`` there is one column per cell, every cell final, and empty
    text is NULL so that COPY writes it unquoted as the csv module does. The date and time
    are read in the session's time zone, which ``_postgresql_csv`` sets to the program's.

    Without it (the Python writer) each row holds the pieces of one CSV line, quoted as
    the csv module quotes: the Session ID, the start time as stored, the cells from School
    site to Child safety concern (with a comma on either side), the resource needs as
    stored (JSON), and the free text (after a comma) or ''.
    """
    from portal.mentoring.models import Attendance, ResourceNeedKind

    # Ordered outside: a subquery without ORDER BY is merged into the outer query, which
    # lets PostgreSQL format the cells in its parallel workers.
    # The de-identified export does not read the child's name or the free text at all.
    fields = [f for f in SESSION_FIELDS if include_children or f not in CHILDREN_FIELDS]
    queryset = sessions.order_by().values_list(*fields)
    inner, inner_params = queryset.query.get_compiler(using=queryset.db).as_sql()
    columns = [f"c{n}" for n in range(len(fields))]
    c = dict(zip(fields, columns, strict=True))
    params: list = []
    postgresql = vendor == "postgresql"
    first_code = "ascii" if postgresql else "unicode"  # the code point of the first character
    formula_codes = ", ".join(str(ord(char)) for char in FORMULA_STARTS)
    final = copy

    def neutralised(expression: str) -> str:
        return (
            f"CASE WHEN {first_code}({expression}) IN ({formula_codes}) "
            f"THEN '''' || {expression} ELSE {expression} END"
        )

    def contains(expression: str, char: str) -> str:
        char = f"chr({ord(char)})" if postgresql else f"char({ord(char)})"
        if postgresql:
            return f"strpos({expression}, {char}) > 0"
        return f"instr({expression}, {char}) > 0"

    def text(expression: str) -> str:
        """A text cell: ``neutralise`` in SQL, then as COPY or the csv module needs it."""
        if final:
            return (
                f"CASE WHEN {first_code}({expression}) IN ({formula_codes}) "
                f"THEN '''' || {expression} ELSE NULLIF({expression}, '') END"
            )
        special = " OR ".join(contains(expression, char) for char in CSV_QUOTED)
        value = neutralised(expression)
        return (
            f"CASE WHEN {special} THEN '\"' || replace({value}, '\"', '\"\"') || '\"' "
            f"ELSE COALESCE({value}, '') END"
        )

    def labels(expression: str, choices) -> str:
        """A choice's label (a text cell); anything else as it is."""
        whens = []
        for value, label in choices:
            whens.append("WHEN %s THEN %s")
            cell = neutralise(label)
            params.extend([value, (cell or None) if final else _csv_field(cell)])
        return f"CASE {expression} {' '.join(whens)} ELSE {text(expression)} END"

    def yes_no(condition: str) -> str:
        return f"CASE WHEN {condition} THEN 'Yes' ELSE 'No' END"

    if final:
        # Casts are cheaper than to_char(): 'YYYY-MM-DD' (DateStyle ISO) and 'HH:MM'.
        cells = [
            c["pk"],
            f"CAST({c['starts_at']} AS date)",
            f"left(CAST(CAST({c['starts_at']} AS time) AS text), 5)",
        ]
    else:
        cells = []
    cells += [
        text(c["match__site__name"]),
        text(c["match__mentor__user__full_name"]),
        text(c["match__mentor__user__email"]),
        f"CAST({c['match_id']} AS TEXT)",
    ]
    if include_children:
        first, initial = c["match__mentee__first_name"], c["match__mentee__last_initial"]
        cells.append(text(f"({first} || ' ' || {initial} || '.')"))
    quarters = c["quarter_hours"]
    # Python's repr of quarters / 4 as a float: 0.0, 0.25, 0.5, 0.75, 1.0, ...
    cells.append(
        f"CAST({quarters} / 4 AS TEXT) || CASE {quarters} - 4 * ({quarters} / 4) "
        "WHEN 0 THEN '.0' WHEN 1 THEN '.25' WHEN 2 THEN '.5' ELSE '.75' END"
    )
    cells += [text(c["type_of_mentoring__label"]), text(c["interaction__label"])]
    cells.append(labels(c["attendance"], Attendance.choices))
    cells += [
        yes_no(c["is_late"]),
        yes_no(f"{c['reviewed_at']} IS NOT NULL"),
        yes_no(c["safety_concern"]),
    ]
    if include_children:
        free_text = [
            text(c["notes"]),
            text(c["safety_concern_details"]),
            text(c["resource_needs_details"]),
        ]
    kinds = c["resource_needs"]
    if final:
        # ", ".join of the labels, element by element: a subquery would keep PostgreSQL
        # from formatting rows in its parallel workers. The app stores a subset of the
        # seven kinds; elements past NEEDS_SPELLED_OUT would be left out.
        names = _sql_literal(json.dumps(dict(ResourceNeedKind.choices))) + "::jsonb"
        parts = ", ".join(
            f"COALESCE({names} ->> ({kinds} ->> {n}), {kinds} ->> {n})"
            for n in range(NEEDS_SPELLED_OUT)
        )
        joined = text(f"concat_ws(', ', {parts})")
        cells.append(
            f"CASE WHEN jsonb_typeof({kinds}) = 'array' AND {kinds} <> '[]'::jsonb "
            f"THEN {joined} END"
        )
        if include_children:
            cells += free_text
    else:
        starts_at = c["starts_at"]
        if vendor == "sqlite":
            starts_at = f"CAST({starts_at} AS TEXT)"  # no converter: Python reads it once
        comma = " || ',' || "
        cells = [
            c["pk"],
            starts_at,
            f"',' || {comma.join(cells)} || ','",
            kinds,
            f"',' || {comma.join(free_text)}" if include_children else "''",
        ]
    # Only column names and literals written here go into the text: values are parameters.
    sql = (
        f"WITH q ({', '.join(columns)}) AS ({inner}) "  # noqa: S608
        f"SELECT {', '.join(cells)} FROM q ORDER BY q.{c['starts_at']}, q.{c['pk']}"
    )
    return sql, [*inner_params, *params]


def _csv_field(value: str) -> str:
    """``value`` as the csv module writes it in a row of several fields."""
    if any(char in value for char in CSV_QUOTED):
        return '"' + value.replace('"', '""') + '"'
    return value


def _sql_literal(value: str) -> str:
    """A constant of ours as SQL text (the query then goes through %-parameter binding)."""
    return "'" + value.replace("'", "''").replace("%", "%%") + "'"


def _postgresql_csv(sessions, *, tz, include_children: bool) -> Iterator[bytes]:
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


def _postgresql_rows(cursor, sessions, tz, include_children: bool) -> Iterator[bytes]:
    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [EXPORT_STATEMENT_TIMEOUT])
    if not _postgresql_local_time(cursor, getattr(tz, "key", None), sessions.db):
        yield from _python_csv(sessions, tz=tz, include_children=include_children)
        return
    sql, params = _sessions_sql(
        sessions, include_children=include_children, vendor="postgresql", copy=True
    )
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


def _python_csv(sessions, *, tz, include_children: bool) -> Iterator[str]:
    """SQL writes each CSV line but two cells: the date and time in the program's time
    zone, and the resource needs; Python works each out once per distinct value."""
    from portal.mentoring.models import ResourceNeedKind, SessionLog

    connection = connections[sessions.db]
    sql, params = _sessions_sql(
        sessions, include_children=include_children, vendor=connection.vendor
    )
    labels = dict(ResourceNeedKind.choices)
    json_field = SessionLog._meta.get_field("resource_needs")
    convert_datetime = getattr(connection.ops, "convert_datetimefield_value", None)
    moments: dict = {}
    needs: dict = {}

    def moment(value) -> str:
        """'YYYY-MM-DD,HH:MM' in the program's time zone, as ``rows`` writes them."""
        if convert_datetime is not None:
            value = convert_datetime(value, None, connection)
        elif timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        local = value.astimezone(tz)
        return (
            f"{local.year:04d}-{local.month:02d}-{local.day:02d},"
            f"{local.hour:02d}:{local.minute:02d}"
        )

    def need(value) -> str:
        kinds = json_field.from_db_value(value, None, connection)
        return _csv_field(neutralise(", ".join(labels.get(k, k) for k in (kinds or []))))

    cursor = connection.chunked_cursor()
    try:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH_SIZE):
            lines = []
            for pk, starts_at, middle, kinds, free_text in batch:
                when = moments.get(starts_at)
                if when is None:
                    if len(moments) >= MOMENTS_KEPT:
                        moments.clear()
                    when = moments[starts_at] = moment(starts_at)
                labelled = needs.get(kinds)
                if labelled is None:
                    labelled = needs[kinds] = need(kinds)
                lines.append(f"{pk},{when}{middle}{labelled}{free_text}\r\n")
            yield "".join(lines)
    finally:
        cursor.close()


def compliance_table(rows, *, month_label: str) -> Table:
    headers = [
        "Month",
        "Mentor",
        "Mentor email",
        "Sessions",
        "Met",
        "Absent or cancelled",
        "Hours",
        "Late entries",
        "Logged nothing",
        "Declared no session",
    ]

    def table_rows():
        for row in rows:
            yield [
                month_label,
                row.mentor.user.full_name,
                row.mentor.user.email,
                row.sessions,
                row.met,
                row.absences,
                float(row.hours),
                row.late,
                "Yes" if row.logged_nothing and not row.declared else "No",
                "Yes" if row.declared else "No",
            ]

    return Table(name="Compliance", headers=headers, rows=table_rows())


def hours_table(report: dict) -> Table:
    headers = ["Grouping", "Value", "Sessions", "Met", "Hours"]

    def table_rows():
        for row in report["by_month"]:
            yield ["Month", row["month"].key, row["sessions"], row["met"], float(row["hours"])]
        for key, title in (
            ("by_site", "School site"),
            ("by_type", "Type of mentoring"),
            ("by_interaction", "Interaction"),
        ):
            field = {
                "by_site": "match__site__name",
                "by_type": "type_of_mentoring__label",
                "by_interaction": "interaction__label",
            }[key]
            for row in report[key]:
                yield [title, row[field], row["sessions"], row["met"], float(row["hours"])]
        total = report["total"]
        yield ["Total", "", total["sessions"], total["met"], float(total["hours"])]

    return Table(name="Hours", headers=headers, rows=table_rows())


def mentor_hours_table(totals) -> Table:
    """ "Download my hours" (RULES 5): a mentor's sessions and hours by month, oldest first,
    then the total. ``totals`` are the mentor's own MonthTotals (mentoring.selectors)."""
    from portal.mentoring import rules

    months = sorted(totals, key=lambda total: total.month)

    def table_rows():
        for total in months:
            yield [total.label, total.sessions, total.hours]
        yield [
            "Total",
            sum(total.sessions for total in months),
            rules.quarters_to_hours(sum(total.quarter_hours for total in months)),
        ]

    return Table(name="My hours", headers=["Month", "Sessions", "Hours"], rows=table_rows())
