"""The streaming Excel writer: files that open cleanly, values that come back as written,
and tables longer than a sheet going on in further sheets.

Files are read back with openpyxl in both of its modes, with every warning an error
(LibreOffice is not installed here; the zip's own checks and an XML parse of every part
stand in for it).
"""

import datetime as dt
import io
import warnings
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from portal.downloads import tables, xlsx
from portal.downloads.tables import Table, xlsx_chunks


def file_of(table: Table) -> bytes:
    return b"".join(xlsx_chunks(table))


def opened(body: bytes, *, read_only: bool = False):
    """The workbook, read without a single warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load_workbook(io.BytesIO(body), read_only=read_only)


def values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def check_package(body: bytes) -> zipfile.ZipFile:
    """A sound zip whose every part is well-formed XML."""
    package = zipfile.ZipFile(io.BytesIO(body))
    assert package.testzip() is None
    for name in package.namelist():
        ElementTree.fromstring(package.read(name))  # noqa: S314 (a file we just wrote)
    return package


TEXTS = [
    "Tom & Jerry <b>bold</b> > less",
    "She said \"hello\" and 'bye'",
    "Niño, acción, pingüino, ¿qué tal? ¡Olé!",
    "Good day 🎉👍🏽",
    "Two\nlines",
    "  spaces kept  ",
    "&amp; stays as typed",
]


@pytest.mark.parametrize("read_only", [False, True])
def test_text_comes_back_as_written(read_only):
    table = Table(name="t", headers=["Text"], rows=iter([[text] for text in TEXTS]))
    body = file_of(table)
    check_package(body)
    found = values(opened(body, read_only=read_only).active)
    assert found == [["Text"]] + [[text] for text in TEXTS]


def test_formulas_are_neutralised_in_cells_and_headers():
    rows = [['=HYPERLINK("http://x")'], ["+1"], ["-1"], ["@SUM(A1)"], ["=1&2<3"]]
    table = Table(name="t", headers=["=danger"], rows=iter(rows))
    sheet = opened(file_of(table)).active
    assert values(sheet) == [
        ["'=danger"],
        ['\'=HYPERLINK("http://x")'],
        ["'+1"],
        ["'-1"],
        ["'@SUM(A1)"],
        ["'=1&2<3"],
    ]
    assert all(cell.data_type == "s" for cell in sheet["A"])


def test_characters_xml_cannot_hold_are_left_out():
    # Text from before the text rules, or any caller of the writer: NUL, a vertical tab,
    # a form feed, a lone surrogate, U+FFFE. The tables' cleaning makes a vertical tab a
    # line break; the writer itself drops what is left.
    table = Table(
        name="t", headers=["a"], rows=iter([["x\x00y\x0bz\x0c!"], ["bad\ud800\ufffe end"]])
    )
    body = file_of(table)
    check_package(body)
    assert values(opened(body).active) == [["a"], ["xy\nz\n!"], ["bad end"]]

    handle = io.BytesIO()
    sheet = xlsx.Sheet(title="raw", headers=["a"], rows=[["a\x01b\rc\x1f"]])
    xlsx.write_workbook(handle, [sheet])
    # A carriage return stays one (written as a reference, not read back as a line feed).
    assert values(opened(handle.getvalue()).active) == [["a"], ["ab\rc"]]


def test_text_longer_than_excel_holds_is_cut_with_an_ellipsis():
    long = "é&" * 20_000  # 40,000 characters, more than a cell holds
    book = opened(file_of(Table(name="t", headers=["a"], rows=iter([[long], ["short"]]))))
    cell = book.active["A2"].value
    assert len(cell) == xlsx.MAX_CELL_TEXT and cell == long[: xlsx.MAX_CELL_TEXT - 1] + "…"
    assert book.active["A3"].value == "short"


def test_numbers_dates_and_times_keep_their_types():
    rows = [
        [1, 2.5, Decimal("3.25"), dt.date(2025, 10, 1), dt.datetime(2025, 10, 1, 15, 45),
         dt.time(8, 30), True],
        [-7, 0.1, None, dt.date(1900, 1, 1), dt.datetime(1900, 2, 28, 12), dt.time(0, 0), ""],
        [10**12, float("nan"), float("inf"), dt.date(1900, 3, 1), dt.datetime(2999, 12, 31, 23, 59),
         dt.time(23, 59, 59), "x"],
    ]  # fmt: skip
    headers = ["Int", "Float", "Decimal", "Day", "Moment", "Time", "Other"]
    table = Table(name="t", headers=headers, rows=iter(rows), tz=dt.UTC)
    book = opened(file_of(table))
    sheet = book.active
    assert values(sheet)[1:] == [
        [1, 2.5, 3.25, dt.datetime(2025, 10, 1), dt.datetime(2025, 10, 1, 15, 45),
         dt.time(8, 30), "Yes"],
        [-7, 0.1, None, dt.datetime(1900, 1, 1), dt.datetime(1900, 2, 28, 12), dt.time(0, 0),
         None],
        [10**12, "nan", "inf", dt.datetime(1900, 3, 1), dt.datetime(2999, 12, 31, 23, 59),
         dt.time(23, 59, 59), "x"],
    ]  # fmt: skip
    assert sheet["A2"].data_type == "n" and sheet["B2"].data_type == "n"
    assert sheet["D2"].is_date and sheet["D2"].number_format == "yyyy-mm-dd"
    assert sheet["E2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["F2"].is_date and sheet["F2"].number_format == "hh:mm"
    assert sheet["G2"].data_type == "s"
    # Read-only openpyxl leaves out a row's empty cells at its end.
    again = opened(
        file_of(Table(name="t", headers=headers, rows=iter(rows), tz=dt.UTC)), read_only=True
    )
    padded = [row + [None] * (len(headers) - len(row)) for row in values(again.active)]
    assert padded == values(sheet)


def test_the_serial_numbers_are_excels():
    # Known values from Excel itself (=DATEVALUE, =TIMEVALUE).
    assert xlsx.excel_serial(dt.date(1900, 1, 1)) == 1
    assert xlsx.excel_serial(dt.date(1900, 2, 28)) == 59
    assert xlsx.excel_serial(dt.date(1900, 3, 1)) == 61  # after Excel's false 29 February
    assert xlsx.excel_serial(dt.date(2025, 10, 1)) == 45931
    assert xlsx.excel_serial(dt.datetime(2025, 10, 1, 18)) == 45931.75
    assert xlsx.excel_serial(dt.time(6)) == 0.25
    assert [xlsx.column_letter(n) for n in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_an_empty_table_is_a_header_with_its_filter():
    table = Table(name="Sessions", headers=["Session ID", "Date", "Notes"], rows=iter([]))
    body = file_of(table)
    check_package(body)
    for read_only in (False, True):
        assert values(opened(body, read_only=read_only).active) == [["Session ID", "Date", "Notes"]]
    sheet = opened(body).active
    assert sheet.auto_filter.ref == "A1:C1" and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == len("Session ID") + 3


def test_a_table_without_headers_or_rows_still_opens():
    body = file_of(Table(name="", headers=[], rows=iter([])))
    check_package(body)
    book = opened(body)
    assert book.sheetnames == ["Sheet"]


@pytest.fixture
def four_rows_a_sheet(monkeypatch):
    """Sheets of at most four rows: the header and three rows."""
    monkeypatch.setattr(xlsx, "MAX_SHEET_ROWS", 4)


def test_rows_beyond_a_sheet_go_on_in_sheets_with_the_same_header(four_rows_a_sheet):
    rows = [[n, f"row {n}", dt.date(2025, 10, n)] for n in range(1, 9)]
    table = Table(name="Sessions", headers=["n", "Text", "Day"], rows=iter(rows))
    body = file_of(table)
    package = check_package(body)
    assert sorted(n for n in package.namelist() if n.startswith("xl/worksheets/")) == [
        f"xl/worksheets/sheet{n}.xml" for n in (1, 2, 3)
    ]
    for read_only in (False, True):
        book = opened(body, read_only=read_only)
        assert book.sheetnames == ["Sessions", "Sessions (2)", "Sessions (3)"]
        found = [values(sheet) for sheet in book.worksheets]
        assert [sheet[0] for sheet in found] == [["n", "Text", "Day"]] * 3
        assert [row for sheet in found for row in sheet[1:]] == [
            [n, f"row {n}", dt.datetime(2025, 10, n)] for n in range(1, 9)
        ]
    book = opened(body)
    assert [sheet.auto_filter.ref for sheet in book.worksheets] == ["A1:C4", "A1:C4", "A1:C3"]
    assert all(sheet.freeze_panes == "A2" for sheet in book.worksheets)
    assert all(cell.font.bold for sheet in book.worksheets for cell in sheet[1])
    assert all(sheet["C2"].number_format == "yyyy-mm-dd" for sheet in book.worksheets)
    widths = {sheet.column_dimensions["B"].width for sheet in book.worksheets}
    assert widths == {len("Text") + 3}  # the header and its filter button


def test_a_table_that_just_fits_is_one_sheet(four_rows_a_sheet):
    table = Table(name="Sessions", headers=["n"], rows=iter([[1], [2], [3]]))
    book = opened(file_of(table))
    assert book.sheetnames == ["Sessions"] and values(book.active) == [["n"], [1], [2], [3]]


def test_overflow_sheets_keep_their_place_among_other_sheets(four_rows_a_sheet):
    long_name = "A grouping with a very long name indeed"
    first = Table(name=long_name, headers=["Value"], rows=iter([[n] for n in range(5)]))
    second = Table(name="By site", headers=["Site"], rows=iter([["Lincoln"]]))
    table = Table(name="hours", headers=[], rows=iter([]), sheets=[first, second])
    book = opened(file_of(table))
    assert book.sheetnames == [long_name[:31], long_name[:27] + " (2)", "By site"]
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert values(book["By site"]) == [["Site"], ["Lincoln"]]


def test_a_sheet_grown_too_large_in_bytes_goes_on_in_another(monkeypatch):
    # Long notes could pass the zip format's plain size limit before Excel's row limit.
    monkeypatch.setattr(xlsx, "MAX_SHEET_BYTES", 1)
    rows = [[n, "note " * 20] for n in range(5000)]
    book = opened(file_of(Table(name="Sessions", headers=["n", "Notes"], rows=iter(rows))))
    assert len(book.sheetnames) > 1 and book.sheetnames[1] == "Sessions (2)"
    found = [row[0] for sheet in book.worksheets for row in values(sheet)[1:]]
    assert found == list(range(5000))


def test_rows_are_read_as_the_sheet_is_written():
    """The rows are taken from their iterator once, one at a time: a caller may count them."""
    taken = []

    def rows():
        for n in range(500):
            taken.append(n)
            yield [n]

    chunks = xlsx_chunks(Table(name="t", headers=["n"], rows=rows()))
    assert taken == []  # nothing read before the file is asked for
    body = b"".join(chunks)
    assert taken == list(range(500))
    assert values(opened(body).active)[-1] == [499]


def test_sheet_names_are_valid_and_escaped():
    table = Table(name='Q&A <"notes"> / it\'s', headers=["a"], rows=iter([[1]]))
    book = opened(file_of(table))
    assert book.sheetnames == ['Q&A <"notes">   it\'s']
    assert tables.sheet_title("tab\there") == "tab here"
    assert tables.sheet_title("'quoted'") == "quoted"  # Excel refuses an apostrophe at an end
