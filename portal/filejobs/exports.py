"""Which exports run in the background, and writing their file in the worker.

Only the sessions export can be large (every other report is one row per mentor, site or
month). It runs in the background when:

- it is Excel and its rows (a COUNT with the same filters, cheap on the sessions' indexes:
  some 10 ms for a month, 50 ms for a million rows) are over ``EXPORT_BACKGROUND_ROWS``
  (50,000). A month (about 40,000 rows) is written in a second or two; larger files
  would hold a request (and the proxy's patience) too long. An export of all
  time is counted like any other: a real program's (a million rows) goes to the worker,
  a young program's few thousand rows come at once, faster than through the worker;
- it is CSV of all time (no month or date range) with more than
  ``EXPORT_BACKGROUND_CSV_ROWS`` rows (3,000,000). CSV of all time is otherwise a direct
  download: on PostgreSQL the database writes it with COPY at 150,000 to 200,000 rows a
  second and the first bytes leave at once, so no proxy sees an idle connection, and
  3,000,000 rows end in about 20 s, inside the 30 s any request may take. A CSV of a
  month is never counted: it is small.

Excel holds at most 1,048,576 rows a sheet (the header and 1,048,575 rows): the writer
(portal/downloads/xlsx.py) goes on in a further sheet of the same header, so no export is
cut short or refused for its size.
"""

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator

from django.conf import settings

from portal.filejobs.params import filters_from_json, filters_to_json
from portal.mentoring.models import ProgramSettings
from portal.mentoring.rules import Month
from portal.staff import exports, list_selectors, selectors

DEFAULT_BACKGROUND_ROWS = 50_000
DEFAULT_BACKGROUND_CSV_ROWS = 3_000_000


def background_rows(file_format: str) -> int:
    if file_format == "xlsx":
        return getattr(settings, "EXPORT_BACKGROUND_ROWS", DEFAULT_BACKGROUND_ROWS)
    return getattr(settings, "EXPORT_BACKGROUND_CSV_ROWS", DEFAULT_BACKGROUND_CSV_ROWS)


def covers_all_time(filters: selectors.SessionFilters) -> bool:
    """No month and no date range: no filter holds a month, a day or a moment (whatever
    the range's fields are called)."""
    return not any(
        isinstance(getattr(filters, f.name), Month | dt.date) for f in dataclasses.fields(filters)
    )


def sessions_of(filters: selectors.SessionFilters, program: ProgramSettings):
    return list_selectors.session_list(filters=filters, program=program)


def sessions_decision(filters, *, file_format: str, program: ProgramSettings) -> tuple[bool, int]:
    """Whether the sessions export goes to the background, and its rows when counted
    (0 when not counted: a CSV of a month or a date range)."""
    if file_format != "xlsx" and not covers_all_time(filters):
        return False, 0
    rows = sessions_of(filters, program).count()
    return rows > background_rows(file_format), rows


def export_params(filters) -> dict:
    return filters_to_json(filters)


def export_chunks(job, progress: Callable[[int], None], every: int) -> tuple[Iterator, int, str]:
    """The job's file in chunks, calling ``progress(rows)`` every ``every`` rows; with the
    rows expected and the file's extension."""
    program = ProgramSettings.load()
    filters = filters_from_json(selectors.SessionFilters, job.params)
    sessions = sessions_of(filters, program)
    expected = sessions.count()
    table = exports.sessions_table(sessions, tz=program.tz, include_children=job.include_children)
    if job.file_format == "xlsx":
        # The Excel writer reads the rows made for Excel (dates as values) when the table
        # has them: those are the ones to count.
        if table.excel_rows is not None:
            table.excel_rows = _counted(table.excel_rows, progress, every)
        else:
            table.rows = _counted(table.rows, progress, every)
        return exports.xlsx_chunks(table), expected, "xlsx"
    table.rows = _counted(table.rows, progress, every)
    if table.csv_body is not None:
        body = table.csv_body
        table.csv_body = lambda: _lines_counted(body(), progress)
    return exports.csv_chunks(table), expected, "csv"


def _counted(rows, progress, every: int) -> Iterator[list]:
    done = 0
    for row in rows:
        done += 1
        yield row
        if done % every == 0:
            progress(done)
    progress(done)


def _lines_counted(chunks, progress) -> Iterator[bytes | str]:
    """COPY's chunks, their rows counted by line ends (a note holding a line break makes
    the count run ahead a little: the file is exact, the count approximate).

    Progress is told only once the COPY has ended: while it runs, the connection belongs
    to it, and an UPDATE on it would wait for the COPY forever. The COPY is short (some
    200,000 rows a second), well inside the lease.
    """
    done = 0
    for chunk in chunks:
        done += chunk.count(b"\r\n" if isinstance(chunk, bytes) else "\r\n")
        yield chunk
    progress(done)
