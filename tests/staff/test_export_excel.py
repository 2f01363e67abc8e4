"""Excel files a funder can use, and the sessions export's range of days.

The workbooks are opened with openpyxl as written (not read-only: the frozen panes, the
filters and the widths are read back): real dates and times, number formats, a bold
frozen header with filters, column widths, one sheet per grouping of the hours report.
The range of days (both included, in the program's time zone) is checked on the
``october`` fixture, whose entries sit on both sides of midnight in Chicago and in UTC.
"""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from portal.audit.models import AuditEvent
from portal.downloads import tables
from portal.downloads.tables import Table, xlsx_chunks
from tests.conftest import chicago

SESSIONS = "/staff/export/?report=sessions"


def workbook_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def column(sheet, header: str) -> list:
    """The cells of the column under ``header``, header row left out."""
    headers = [cell.value for cell in sheet[1]]
    index = headers.index(header)
    return [row[index] for row in sheet.iter_rows(min_row=2)]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- The sheet ------------------------------------------------------------------------------


def test_sessions_in_excel_have_real_dates_times_and_hours(october, staff_client):
    book = workbook_of(staff_client.get(f"{SESSIONS}&file_format=xlsx&month=2025-10"))
    sheet = book["Sessions"]
    dates, times, hours = (column(sheet, name) for name in ("Date", "Time", "Hours"))
    assert len(dates) == 5
    # 1 Oct 00:30 in Chicago (05:30 in UTC): the program's day and clock, no zone.
    first = next(n for n, cell in enumerate(dates) if cell.value == dt.datetime(2025, 10, 1))
    assert dates[first].is_date and dates[first].number_format == "yyyy-mm-dd"
    assert times[first].value == dt.time(0, 30)
    assert times[first].is_date and times[first].number_format == "hh:mm"
    assert hours[first].value == 1.0 and hours[first].number_format == "0.00"
    assert hours[first].data_type == "n"
    # The last one, 31 Oct 23:45 in Chicago, is 1 November in UTC: still October here.
    assert (dates[-1].value, times[-1].value) == (dt.datetime(2025, 10, 31), dt.time(23, 45))
    moments = [dt.datetime.combine(d.value, t.value) for d, t in zip(dates, times, strict=True)]
    assert moments == sorted(moments)


def test_the_header_is_bold_frozen_and_filtered_and_columns_are_sized(october, staff_client):
    url = f"{SESSIONS}&file_format=xlsx&month=2025-10&include_children=on"
    sheet = workbook_of(staff_client.get(url))["Sessions"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["Session ID", "Date", "Time"]
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    last = sheet.cell(row=1, column=len(headers)).column_letter
    assert sheet.auto_filter.ref == f"A1:{last}6"  # the header and the 5 rows
    widths = {header: sheet.column_dimensions[cell.column_letter].width
              for header, cell in zip(headers, sheet[1], strict=True)}  # fmt: skip
    assert widths["Mentor email"] == len("ann@example.org") + 1
    assert widths["Session ID"] == len("Session ID") + 3  # the header and its filter button
    assert widths["Date"] == len("yyyy-mm-dd") + 1
    assert all(tables.MIN_WIDTH <= width <= tables.MAX_WIDTH for width in widths.values())


def test_widths_come_from_a_sample_and_stay_within_bounds():
    long_text = "word " * 100
    rows = [[long_text, "x"]] + [["short", "y"]] * 500 + [["z", "w" * 50]]
    table = Table(name="t", headers=["Notes", "Code"], rows=iter(rows))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx_chunks(table))))["t"]
    assert sheet.column_dimensions["A"].width == tables.MAX_WIDTH
    # Row 502's 50 characters are past the sample: the column fits the header and "x".
    assert sheet.column_dimensions["B"].width == len("Code") + 3
    assert sheet.max_row == 503 and sheet.auto_filter.ref == "A1:B503"


def test_declared_formats_and_widths_win_and_aware_datetimes_are_local(settings):
    settings.TIME_ZONE = "America/Chicago"
    moment = dt.datetime(2025, 11, 2, 7, 30, tzinfo=dt.UTC)  # 01:30 CST
    table = Table(
        name="Reviewed: [a/b]?",
        headers=["At", "Hours", "Day"],
        rows=iter([[moment, 1.5, dt.date(2025, 1, 2)], [None, 2, None]]),
        formats={"Hours": tables.HOURS_FORMAT},
        widths={"At": 30},
    )
    book = load_workbook(io.BytesIO(b"".join(xlsx_chunks(table))))
    assert book.sheetnames == ["Reviewed   a b"]  # characters Excel refuses left out
    sheet = book.active
    assert sheet["A2"].value == dt.datetime(2025, 11, 2, 1, 30)
    assert sheet["A2"].number_format == tables.DATETIME_FORMAT
    assert sheet["B2"].number_format == sheet["B3"].number_format == "0.00"
    assert (
        sheet["C2"].value == dt.datetime(2025, 1, 2) and sheet["C2"].number_format == "yyyy-mm-dd"
    )
    assert sheet["A3"].value is None
    assert sheet.column_dimensions["A"].width == 30


def test_text_is_still_neutralised_in_a_formatted_sheet():
    table = Table(name="t", headers=["a", "Hours"], rows=iter([["=1+1", 1.0], ["@x", 2.0]]))
    table.formats = {"Hours": tables.HOURS_FORMAT}
    sheet = load_workbook(io.BytesIO(b"".join(xlsx_chunks(table)))).active
    assert [sheet["A2"].value, sheet["A3"].value] == ["'=1+1", "'@x"]
    assert sheet["A2"].data_type == "s"


def test_the_csv_of_sessions_keeps_its_text_dates(october, staff_client):
    rows = csv_rows(staff_client.get(f"{SESSIONS}&file_format=csv&month=2025-10"))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["Date"], first["Time"], first["Hours"]) == ("2025-10-01", "00:30", "1.0")


# --- The hours report ---------------------------------------------------------------------


def test_the_hours_report_in_excel_has_one_sheet_per_grouping(october, staff_client):
    url = "/staff/export/?report=hours&file_format=xlsx&start=2025-09&end=2025-11"
    book = workbook_of(staff_client.get(url))
    assert book.sheetnames == [
        "By month",
        "By school site",
        "By type of mentoring",
        "By interaction",
    ]
    months = book["By month"]
    assert [cell.value for cell in months[1]] == ["Month", "Sessions", "Met", "Hours"]
    assert [[cell.value for cell in row] for row in months.iter_rows(min_row=2)] == [
        [dt.datetime(2025, 9, 1), 2, 2, 3.0],
        [dt.datetime(2025, 10, 1), 5, 4, 3.75],
        [dt.datetime(2025, 11, 1), 1, 1, 1.0],
        ["Total", 8, 7, 7.75],
    ]
    assert months["A2"].number_format == "yyyy-mm" and months["D3"].number_format == "0.00"
    sites = book["By school site"]
    assert [[cell.value for cell in row] for row in sites.iter_rows(min_row=1)] == [
        ["School site", "Sessions", "Met", "Hours"],
        ["Lincoln Elementary", 7, 6, 7.0],
        ["Roosevelt Middle", 1, 1, 0.75],
        ["Total", 8, 7, 7.75],
    ]
    kinds = {row[0].value: row[3].value for row in book["By type of mentoring"].iter_rows()}
    assert kinds["Mentoring Hours"] == 6.75 and kinds["Group Activity"] == 1.0
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:D{sheet.max_row}"
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.column_dimensions["A"].width >= len(sheet["A1"].value) + 2


def test_the_hours_report_in_csv_stays_one_file(october, staff_client):
    rows = csv_rows(
        staff_client.get("/staff/export/?report=hours&file_format=csv&start=2025-09&end=2025-11")
    )
    assert rows[0] == ["Grouping", "Value", "Sessions", "Met", "Hours"]
    assert ["Month", "2025-10", "5", "4", "3.75"] in rows
    assert ["Interaction", "Virtual", "1", "1", "0.75"] in rows
    assert rows[-1] == ["Total", "", "8", "7", "7.75"]


# --- The range of days --------------------------------------------------------------------


def session_starts(response) -> list[tuple[str, str]]:
    rows = csv_rows(response)
    header = rows[0]
    return [(row[header.index("Date")], row[header.index("Time")]) for row in rows[1:]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Both days included, in Chicago: 30 Sep 23:30 and 1 Nov 00:15 are outside.
        (
            "date_from=2025-10-01&date_to=2025-10-31",
            [("2025-10-01", "00:30"), ("2025-10-05", "15:00"), ("2025-10-15", "15:00"),
             ("2025-10-20", "15:00"), ("2025-10-31", "23:45")],
        ),
        # One day: 30 September in Chicago, although it is 1 October in UTC.
        ("date_from=2025-09-30&date_to=2025-09-30", [("2025-09-30", "23:30")]),
        ("date_from=2025-10-31&date_to=2025-10-31", [("2025-10-31", "23:45")]),
        ("date_from=2025-10-31", [("2025-10-31", "23:45"), ("2025-11-01", "00:15")]),
        ("date_to=2025-09-12", [("2025-08-15", "15:00"), ("2025-09-12", "15:00")]),
        # With the month: the days of both.
        ("month=2025-10&date_from=2025-09-01&date_to=2025-10-05",
         [("2025-10-01", "00:30"), ("2025-10-05", "15:00")]),
    ],
)  # fmt: skip
def test_the_range_of_days_includes_both_days_in_the_program_time_zone(
    october, staff_client, query, expected
):
    found = session_starts(staff_client.get(f"{SESSIONS}&file_format=csv&{query}"))
    assert found == expected


def test_the_range_applies_to_excel_and_names_the_file(october, staff_client):
    url = f"{SESSIONS}&file_format=xlsx&date_from=2025-10-01&date_to=2025-10-05"
    response = staff_client.get(url)
    assert response["Content-Disposition"] == (
        'attachment; filename="sessions-2025-10-01-to-2025-10-05.xlsx"'
    )
    dates = [cell.value for cell in column(workbook_of(response)["Sessions"], "Date")]
    assert dates == [dt.datetime(2025, 10, 1), dt.datetime(2025, 10, 5)]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("month=2025-10", "sessions-2025-10"),
        ("date_from=2025-10-01", "sessions-from-2025-10-01"),
        ("date_to=2025-10-31", "sessions-to-2025-10-31"),
        ("month=2025-10&date_from=2025-10-02&date_to=2025-10-03",
         "sessions-2025-10-2025-10-02-to-2025-10-03"),
        ("", "sessions"),
    ],
)  # fmt: skip
def test_the_file_name_says_the_range(october, staff_client, query, name):
    response = staff_client.get(f"{SESSIONS}&file_format=csv&{query}")
    assert response["Content-Disposition"] == f'attachment; filename="{name}.csv"'


def test_the_audit_records_the_range(october, staff_client):
    staff_client.get(f"{SESSIONS}&file_format=xlsx&date_from=2025-10-01&date_to=2025-10-31")
    staff_client.get(f"{SESSIONS}&file_format=csv&date_to=2025-10-31")
    first, second = AuditEvent.objects.filter(action="export.deidentified").order_by("pk")
    assert first.new_values["date_range"] == {"from": "2025-10-01", "to": "2025-10-31"}
    assert first.new_values["filters"]["date_from"] == "2025-10-01"
    assert second.new_values["date_range"] == {"from": None, "to": "2025-10-31"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2025-10-31&date_to=2025-10-01",
         "The to day (2025-10-01) is before the from day (2025-10-31)"),
        ("date_from=2025-02-30", "Enter the day as a date, like 2025-10-01"),
        ("date_to=yesterday", "Enter the day as a date, like 2025-10-01"),
        ("date_from=10/01/2025", "Enter the day as a date, like 2025-10-01"),
        ("date_to=9999-12-31", "Enter a day between 1900-01-01 and 2999-12-31"),
        ("date_from=0001-01-01", "Enter a day between 1900-01-01 and 2999-12-31"),
    ],
)  # fmt: skip
def test_a_bad_range_is_refused_on_the_page(october, staff_client, query, message):
    for file_format in ("csv", "xlsx"):
        response = staff_client.get(f"{SESSIONS}&file_format={file_format}&{query}")
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="export").exists()


def test_the_export_page_offers_the_range(staff_client, program):
    page = staff_client.get("/staff/export/").content.decode()
    assert 'name="date_from"' in page and 'name="date_to"' in page
    assert 'type="date"' in page


def test_the_session_list_filters_by_the_range_too(october, staff_client):
    response = staff_client.get("/staff/sessions/?date_from=2025-10-31&date_to=2025-10-31")
    assert response.status_code == 200
    shown = response.context["page"].object_list
    assert [session.starts_at for session in shown] == [chicago(2025, 10, 31, 23, 45)]
    export_links = response.content.decode()
    assert "date_from=2025-10-31&amp;date_to=2025-10-31" in export_links


def test_training_hours_have_a_real_day_in_excel_and_the_same_text_in_csv(
    october, staff_client, staff_user
):
    from portal.readiness.models import TrainingLog

    TrainingLog.objects.create(
        mentor=october["ann"].mentor,
        on_date=dt.date(2025, 10, 4),
        quarter_hours=6,
        topic="=Safeguarding basics",
        entered_by=staff_user,
        entered_at=chicago(2025, 10, 4, 12, 0),
    )
    rows = csv_rows(staff_client.get("/staff/export/?report=training&file_format=csv"))
    assert rows[1][:5] == [
        "2025-10-04",
        "Mentor Ann",
        "ann@example.org",
        "'=Safeguarding basics",
        "1.5",
    ]
    sheet = workbook_of(staff_client.get("/staff/export/?report=training&file_format=xlsx")).active
    assert (
        sheet["A2"].value == dt.datetime(2025, 10, 4) and sheet["A2"].number_format == "yyyy-mm-dd"
    )
    assert sheet["E2"].value == 1.5 and sheet["E2"].number_format == "0.00"
    assert sheet["D2"].value == "'=Safeguarding basics"


def test_the_compliance_month_is_a_month_in_excel_and_text_in_csv(october, staff_client):
    url = "/staff/export/?report=compliance&month=2025-10&file_format="
    sheet = workbook_of(staff_client.get(url + "xlsx")).active
    assert sheet["A2"].value == dt.datetime(2025, 10, 1) and sheet["A2"].number_format == "yyyy-mm"
    hours = column(sheet, "Hours")
    assert hours and all(cell.number_format == "0.00" for cell in hours)
    assert csv_rows(staff_client.get(url + "csv"))[1][0] == "2025-10"


def test_a_streamed_workbook_keeps_the_views_time_zone():
    """The file is written after the view (and its time zone) has ended."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    moment = dt.datetime(2025, 11, 1, 4, 15, tzinfo=dt.UTC)  # 23:15 on 31 October in Chicago
    table = Table(name="t", headers=["At"], rows=iter([[moment]]))
    with timezone.override(ZoneInfo("America/Chicago")):
        response = tables.streaming_response(table, file_format="xlsx", filename="t")
    with timezone.override(ZoneInfo("Asia/Tokyo")):
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A2"].value == dt.datetime(2025, 10, 31, 23, 15)


def test_the_session_list_explains_a_bad_range(october, staff_client):
    response = staff_client.get("/staff/sessions/?date_from=2025-10-31&date_to=2025-10-01")
    assert response.status_code == 200
    assert "The to day (2025-10-01) is before the from day (2025-10-31)" in (
        response.content.decode()
    )
