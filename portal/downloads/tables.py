"""Tables and their writers: CSV and Excel, streamed in chunks so a million rows keep
memory flat.

Rows come from ``.iterator()`` querysets; CSV is written to a small buffer and sent
every ~64 KB. Excel is written by a small streaming writer of our own (xlsx.py: each row
one string of XML, compressed into a temporary file, not memory; about 13 µs a row where
openpyxl took 220) and the finished file is sent in 64 KB chunks. A table may bring a
faster writer of its CSV lines (``Table.csv_body``: the sessions export's COPY on
PostgreSQL, see sessions.py).

In Excel a table is a sheet a funder can work with: a bold header row that stays in view
(frozen panes at A2) with filters over it, each column as wide as its header and a sample
of its first rows need (or as the table declares), dates and times as real Excel dates in
the program's time zone (Excel has none: local time, without a zone), numbers with the
format the table gives per header (hours with two decimals). A table may bring other rows
for Excel (``Table.excel_rows``: the sessions' date and time as values rather than text)
and may be several sheets in Excel (``Table.sheets``: the hours report, one per grouping)
while its CSV stays one file. Past Excel's 1,048,575 rows a sheet, a table goes on in
further sheets with the same header ("Sessions (2)").

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

import csv
import datetime as dt
import io
import itertools
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise

from portal.downloads import xlsx
from portal.lib.text import clean_text
from portal.security.errors import new_error_id
from portal.security.logging import describe

logger = logging.getLogger("portal.exports")

CHUNK_SIZE = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMULA_FIRST = frozenset(FORMULA_STARTS)

# Excel number formats a table may give its columns (``Table.formats``); dates and times
# get theirs from their values.
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TIME_FORMAT = "hh:mm"
MONTH_FORMAT = "yyyy-mm"
HOURS_FORMAT = "0.00"
VALUE_FORMATS = ((dt.datetime, DATETIME_FORMAT), (dt.date, DATE_FORMAT), (dt.time, TIME_FORMAT))

# Column widths (in characters) come from the header and the first rows, never the whole
# export: a million rows are written as they come.
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 6, 60


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, Promise):  # a translatable label (Attendance, needs): its text
        value = str(value)
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
    # Rows for Excel, when its cells differ from the CSV's (a date as a date, not text).
    excel_rows: Iterable[list] | None = None
    # Excel number formats and widths (characters) by header; others are worked out.
    formats: dict[str, str] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)
    # In Excel, these sheets instead of this table's one (the CSV is this table).
    sheets: Sequence["Table"] = ()
    # Where Excel's moments are shown (Excel has no time zones). A streamed file is
    # written after the view has ended, and its time zone with it: streaming_response
    # sets the view's.
    tz: dt.tzinfo | None = None


def csv_chunks(table: Table) -> Iterator[str | bytes]:
    if table.csv_body is not None:
        yield from csv_lines([table.headers])
        yield from table.csv_body()
        return
    yield from csv_lines(itertools.chain([table.headers], table.rows))


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """``rows`` as CSV (text cells neutralised), about CHUNK_SIZE at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
        if buffer.tell() >= CHUNK_SIZE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_chunks(table: Table) -> Iterator[bytes]:
    """The workbook, its moments in ``Table.tz`` (by default the time zone current when
    the writing starts).

    Rows are read from the table's iterator as the sheet is written (a background job may
    count them as they go); the finished file is then sent in CHUNK_SIZE chunks.
    """
    tz = table.tz or timezone.get_current_timezone()
    with tempfile.TemporaryFile() as handle:
        xlsx.write_workbook(handle, (_sheet(sheet, tz) for sheet in table.sheets or [table]))
        handle.seek(0)
        while chunk := handle.read(CHUNK_SIZE):
            yield chunk


def sheet_title(name: str) -> str:
    """Excel's rules for a sheet's name: at most 31 characters, none of []:*?/\\, no
    apostrophe at either end."""
    name = clean_text(str(name), multiline=False)
    name = "".join(" " if char in "[]:*?/\\" else char for char in name)[:31]
    return name.strip().strip("'").strip() or "Sheet"


def _sheet(table: Table, tz) -> xlsx.Sheet:
    """The table's sheet: a bold frozen header with filters, sized columns, its rows.

    The column widths go out before the first row, so the first rows are read ahead to
    size the columns; the rest are read as the sheet is written.
    """
    rows = iter(table.excel_rows if table.excel_rows is not None else table.rows)
    sample = [
        [_excel_value(value, tz) for value in row]
        for row in itertools.islice(rows, WIDTH_SAMPLE_ROWS)
    ]
    headers = [neutralise(clean_text(str(header))) for header in table.headers]
    formats = [
        table.formats.get(header) or _value_format(sample, n)
        for n, header in enumerate(map(str, table.headers))
    ]
    widths = [
        table.widths.get(header) or _width(header, sample, n, formats[n])
        for n, header in enumerate(map(str, table.headers))
    ]
    return xlsx.Sheet(
        title=sheet_title(table.name),
        headers=headers,
        rows=itertools.chain(sample, ([_excel_value(value, tz) for value in row] for row in rows)),
        formats=formats,
        widths=widths,
    )


def _value_format(sample: list[list], n: int) -> str | None:
    """A date or time column's format, from its first value that is not empty."""
    for row in sample:
        value = row[n] if n < len(row) else ""
        if value != "":
            for kind, number_format in VALUE_FORMATS:
                if isinstance(value, kind):
                    return number_format
            return None
    return None


def _width(header: str, sample: list[list], n: int, number_format: str | None) -> float:
    """Wide enough for the header and the sampled cells (their longest line), within
    MIN_WIDTH and MAX_WIDTH; a formatted cell is as wide as its format."""
    longest = len(header) + 2  # the filter's button sits at the header's right
    for row in sample:
        value = row[n] if n < len(row) else ""
        if value == "":
            continue
        if number_format and not isinstance(value, str):
            length = len(number_format) if number_format != HOURS_FORMAT else len(f"{value:.2f}")
        else:
            length = max(len(line) for line in str(value).split("\n"))
        longest = max(longest, length)
    return float(min(max(longest + 1, MIN_WIDTH), MAX_WIDTH))


def _excel_value(value, tz):
    kind = value.__class__
    # The common cells first, without the general checks below (an export has millions).
    if kind is str:
        # Rows stored before the text rules may hold control characters Excel refuses;
        # printable ASCII holds none, so clean_text would leave it as it is.
        if not (value.isascii() and value.isprintable()):
            value = clean_text(value)
        return "'" + value if value and value[0] in FORMULA_FIRST else value
    if kind is int or kind is float:
        return value
    if isinstance(value, Promise):
        value = str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return neutralise(clean_text(value))
    if getattr(value, "tzinfo", None) is not None:
        if isinstance(value, dt.datetime):
            # Excel has no time zones: the program's local time, as shown on the pages.
            return value.astimezone(tz).replace(tzinfo=None)
        return value.replace(tzinfo=None)  # a time of day with a zone: its clock reading
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
        # The view's time zone (the program's), read now: the file is written later.
        table.tz = table.tz or timezone.get_current_timezone()
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
