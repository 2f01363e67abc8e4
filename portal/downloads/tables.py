"""Tables and their writers: CSV and Excel, streamed in chunks so a million rows keep
memory flat.

Rows come from ``.iterator()`` querysets; CSV is written to a small buffer and sent
every ~64 KB. Excel is built with openpyxl's write-only mode (rows go to a temporary
file, not memory) and the finished file is sent in 64 KB chunks. A table may bring a
faster writer of its CSV lines (``Table.csv_body``: the sessions export's COPY on
PostgreSQL, see sessions.py).

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
import io
import itertools
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise

from portal.lib.text import clean_text
from portal.security.errors import new_error_id
from portal.security.logging import describe

logger = logging.getLogger("portal.exports")

CHUNK_SIZE = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMULA_FIRST = frozenset(FORMULA_STARTS)


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
    if isinstance(value, Promise):
        value = str(value)
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
