"""Exports in CSV and Excel, streamed in chunks so a million rows keep memory flat.

Rows come from ``.iterator()`` querysets; CSV is written to a small buffer and sent
every ~64 KB. Excel is built with openpyxl's write-only mode (rows go to a temporary
file, not memory) and the finished file is sent in 64 KB chunks.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.http import StreamingHttpResponse
from django.utils import timezone

CHUNK_SIZE = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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


def csv_chunks(table: Table) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
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
    for row in table.rows:
        sheet.append([_excel_value(value) for value in row])
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
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        # Excel has no time zones: the program's local time, as shown on the pages.
        return timezone.localtime(value).replace(tzinfo=None)
    return neutralise(value)


def streaming_response(table: Table, *, file_format: str, filename: str) -> StreamingHttpResponse:
    if file_format == "xlsx":
        response = StreamingHttpResponse(xlsx_chunks(table), content_type=XLSX_TYPE)
        extension = "xlsx"
    else:
        response = StreamingHttpResponse(csv_chunks(table), content_type=CSV_TYPE)
        extension = "csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


# --- The tables staff can export ----------------------------------------------------------


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
    fields = [
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
    attendance = dict(Attendance.choices)
    needs = dict(ResourceNeedKind.choices)

    def rows():
        for values in (
            sessions.order_by("starts_at", "pk").values_list(*fields).iterator(chunk_size=5000)
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

    return Table(name="Sessions", headers=headers, rows=rows())


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
