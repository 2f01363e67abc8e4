"""A small streaming writer of Excel workbooks (.xlsx), for exports of any size.

A general library builds an object per cell and takes about 220 µs a row in pure Python;
an export of a million sessions would take minutes. Here each row becomes one string of
XML and goes straight into the compressed sheet, so time is a few microseconds a cell and
memory stays flat whatever the number of rows.

What a sheet holds: a bold header row that stays in view (frozen panes at A2) with filters
over every row written, column widths, and cells of text (inline strings), numbers and
dates or times (Excel serial numbers with a number format, as Excel stores them). Excel
has at most 1,048,576 rows per sheet: a longer table goes on in a new sheet with the same
header ("Sessions (2)"), so the file still opens whole.

The caller gives cell values that are already what Excel should show (see
``tables._excel_value``: formulas neutralised, text cleaned, moments local and naive);
this module only makes them valid XML: ``& < >`` escaped, and characters XML 1.0 cannot
hold removed.
"""

import datetime as dt
import itertools
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# Excel's limit, header row included; a test lowers it to check the overflow sheets.
MAX_SHEET_ROWS = 1_048_576
# A sheet's XML is also kept under 2 GiB, the most zipfile writes into a member whose size
# it does not know beforehand (without the zip64 extension): very long notes would reach
# it before Excel's row limit.
MAX_SHEET_BYTES = 1_500_000_000
# Measured on 40,000 session rows: level 1 writes 4.2 MB in 13 µs a row (all the work,
# values included), level 3 3.8 MB in 14 µs, the default (6) 3.2 MB in 18.5 µs. The file
# is written once and sent once: speed wins.
COMPRESS_LEVEL = 1

# Excel holds at most 32,767 characters in a cell and calls a file with more damaged.
MAX_CELL_TEXT = 32_767

# Formats for dates and times in a column that declares none.
DEFAULT_FORMATS = {dt.datetime: "yyyy-mm-dd hh:mm", dt.date: "yyyy-mm-dd", dt.time: "hh:mm"}

_EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0 (with its false 29 February 1900)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_DATE, _TIME = dt.date, dt.time
_LEAP_DAY = dt.date(1900, 2, 28)  # after it, a day's number is its distance from the epoch
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass
class Sheet:
    """A sheet to write: ``rows`` are read once, as they come."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    formats: Sequence[str | None] = ()  # Excel number format per column, or None
    widths: Sequence[float] = ()  # in characters, per column


@dataclass
class _Written:
    title: str
    columns: int
    rows: int  # header included


@dataclass
class _Styles:
    """Cell styles: 0 plain, 1 bold (the header), then one per number format used."""

    formats: dict[str, int] = field(default_factory=dict)

    def of(self, number_format: str | None) -> str:
        """The cell attribute giving ``number_format``'s style ('' for none)."""
        if not number_format:
            return ""
        index = self.formats.setdefault(number_format, len(self.formats) + 2)
        return f' s="{index}"'

    def xml(self) -> str:
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        xf = 'fontId="{}" fillId="0" borderId="0" xfId="0"'
        cells = [
            f'<xf numFmtId="0" {xf.format(0)}/>',
            f'<xf numFmtId="0" {xf.format(1)} applyFont="1"/>',
        ]
        custom = []
        for n, number_format in enumerate(self.formats, start=164):  # 164: the first custom id
            custom.append(f'<numFmt numFmtId="{n}" formatCode="{_attribute(number_format)}"/>')
            cells.append(f'<xf numFmtId="{n}" {xf.format(0)} applyNumberFormat="1"/>')
        number_formats = (
            f'<numFmts count="{len(custom)}">{"".join(custom)}</numFmts>' if custom else ""
        )
        return (
            f'{_HEAD}<styleSheet xmlns="{_MAIN}">{number_formats}'
            f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '</borders><cellStyleXfs count="1">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(cells)}">{"".join(cells)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


def write_workbook(handle, sheets: Iterable[Sheet]) -> None:
    """The workbook of ``sheets`` into ``handle`` (a file opened for binary writing)."""
    styles = _Styles()
    written: list[_Written] = []
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as book:
        for sheet in sheets:
            rows = iter(sheet.rows)
            title = _unique(sheet.title, written)
            while True:
                number = len(written) + 1
                count, full = _write_sheet(book, number, sheet, rows, styles, first=number == 1)
                written.append(_Written(title, len(sheet.headers), count))
                # A full sheet: the rows left (if any) go on in one of the same header.
                more = next(rows, _END) if full else _END
                if more is _END:
                    break
                rows = itertools.chain([more], rows)
                title = _unique(sheet.title, written)
        book.writestr("xl/styles.xml", styles.xml())
        book.writestr("xl/workbook.xml", _workbook_xml(written))
        book.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(written)))
        book.writestr("_rels/.rels", _PACKAGE_RELS)
        book.writestr("[Content_Types].xml", _content_types(len(written)))


_END = object()


def _write_sheet(book, number: int, sheet: Sheet, rows, styles: _Styles, *, first: bool):
    """One sheet's XML: the header and as many ``rows`` as fit. The number of rows
    written (header included) and whether the sheet is full."""
    headers = list(sheet.headers)
    columns = max(len(headers), 1)
    letters = [column_letter(n) for n in range(columns)]
    formats = list(sheet.formats) + [None] * (columns - len(sheet.formats))
    column_styles = [styles.of(number_format) for number_format in formats]
    date_styles = {
        kind: styles.of(number_format) for kind, number_format in DEFAULT_FORMATS.items()
    }
    date_style, time_style = date_styles[dt.date], date_styles[dt.time]

    selected = ' tabSelected="1"' if first else ""
    view = (
        f'<sheetViews><sheetView workbookViewId="0"{selected}>'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
    )
    cols = "".join(
        f'<col min="{n}" max="{n}" width="{width:g}" customWidth="1"/>'
        for n, width in enumerate(sheet.widths, start=1)
    )
    header = "".join(
        f'<c r="{letter}1" s="1" t="inlineStr">'
        f'<is><t xml:space="preserve">{_text(text)}</t></is></c>'
        for letter, text in zip(letters, headers, strict=False)
        if text
    )
    count = 1
    size = 0
    full = False
    with book.open(f"xl/worksheets/sheet{number}.xml", "w") as member:
        start = (
            f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">{view}'
            f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}'
            f'<sheetData><row r="1">{header}</row>'
        ).encode()
        member.write(start)
        parts: list[str] = []
        append = parts.append
        for row in rows:
            count += 1
            r = str(count)
            if len(row) > len(letters):  # a row longer than the header: its cells all the same
                letters += [column_letter(n) for n in range(len(letters), len(row))]
                column_styles += [""] * (len(row) - len(column_styles))
            append(f'<row r="{r}">')
            for letter, style, value in zip(letters, column_styles, row, strict=False):
                kind = value.__class__
                if kind is str:
                    if not value:
                        continue
                    if (
                        not (value.isascii() and value.isprintable())
                        or ("&" in value or "<" in value or ">" in value)
                        or len(value) > MAX_CELL_TEXT
                    ):
                        value = _text(value)
                    append(
                        f'<c r="{letter}{r}"{style} t="inlineStr">'
                        f'<is><t xml:space="preserve">{value}</t></is></c>'
                    )
                elif kind is int or (kind is float and value - value == 0):  # not inf or nan
                    append(f'<c r="{letter}{r}"{style}><v>{value}</v></c>')
                elif kind is _DATE and value > _LEAP_DAY:  # the sessions' days: no call
                    style = style or date_style
                    append(
                        f'<c r="{letter}{r}"{style}><v>{value.toordinal() - _EPOCH_ORDINAL}</v></c>'
                    )
                elif kind is _TIME and value.tzinfo is None:
                    style = style or time_style
                    append(f'<c r="{letter}{r}"{style}><v>{_fraction(value)!r}</v></c>')
                elif value is not None:
                    append(_other_cell(f"{letter}{r}", style, value, date_styles))
            append("</row>")
            if count >= MAX_SHEET_ROWS:
                full = True
                break
            if len(parts) > 4000:
                data = "".join(parts).encode()
                parts.clear()
                member.write(data)
                size += len(data)
                if size >= MAX_SHEET_BYTES:
                    full = True
                    break
        member.write("".join(parts).encode())
        member.write(
            f'</sheetData><autoFilter ref="A1:{letters[columns - 1]}{count}"/></worksheet>'.encode()
        )
    return count, full


def _text(value: str) -> str:
    """``value`` as XML text: escaped, without the characters XML cannot hold, cut to the
    length Excel holds in a cell."""
    if len(value) > MAX_CELL_TEXT:
        value = value[: MAX_CELL_TEXT - 1] + "…"
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if not (value.isascii() and value.isprintable()):
        # A carriage return would be read back as a line feed: written as a reference.
        value = _NOT_XML.sub("", value).replace("\r", "&#13;")
    return value


def _attribute(value: str) -> str:
    return (
        _NOT_XML.sub("", value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def _other_cell(reference: str, style: str, value, date_styles: dict) -> str:
    """A cell of a less common kind: a moment, a day, a time of day, a decimal, other."""
    for kind in (dt.datetime, dt.date, dt.time):  # a moment is also a day: it comes first
        if isinstance(value, kind) and getattr(value, "tzinfo", None) is None:
            style = style or date_styles[kind]
            return f'<c r="{reference}"{style}><v>{excel_serial(value)!r}</v></c>'
    number = isinstance(value, Decimal | int | float) and not isinstance(value, bool)
    if number and math.isfinite(value):  # Excel has no NaN nor infinity
        return f'<c r="{reference}"{style}><v>{value}</v></c>'
    text = _text(str(value))
    return (
        f'<c r="{reference}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    )


def excel_serial(value: dt.datetime | dt.date | dt.time) -> float | int:
    """Excel's number for a day (days since 30 December 1899), a moment or a time of day
    (a fraction of a day). Days before 1 March 1900 count Excel's false 29 February."""
    if isinstance(value, dt.time):
        return _fraction(value)
    if isinstance(value, dt.datetime):
        days = value.toordinal() - _EPOCH_ORDINAL
        fraction = _fraction(value.time())
    else:
        days, fraction = value.toordinal() - _EPOCH_ORDINAL, 0
    if 0 < days <= 60:
        days -= 1
    return days + fraction if fraction else days


def _fraction(value: dt.time) -> float:
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return seconds / 86400


def column_letter(n: int) -> str:
    """The letters of column ``n`` (0 is A, 26 is AA)."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _unique(title: str, written: list[_Written]) -> str:
    """``title`` (at most 31 characters), or "title (2)" and on if a sheet has it."""
    taken = {sheet.title.lower() for sheet in written}
    title = title[:31]
    n = 1
    candidate = title
    while candidate.lower() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = title[: 31 - len(suffix)] + suffix
    return candidate


def _workbook_xml(sheets: list[_Written]) -> str:
    entries = "".join(
        f'<sheet name="{_attribute(sheet.title)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, sheet in enumerate(sheets, start=1)
    )
    # Excel keeps each sheet's filter range as a hidden name too.
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
        f"{_attribute(_quoted(sheet.title))}!$A$1:${column_letter(max(sheet.columns, 1) - 1)}"
        f"${sheet.rows}</definedName>"
        for n, sheet in enumerate(sheets)
    )
    return (
        f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets><definedNames>{names}</definedNames></workbook>"
    )


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _workbook_rels(count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    styles = f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    return f'{_HEAD}<Relationships xmlns="{_PACKAGE_REL}">{sheets}{styles}</Relationships>'


_PACKAGE_RELS = (
    f'{_HEAD}<Relationships xmlns="{_PACKAGE_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_TYPE}.worksheet+xml"/>'
        for n in range(1, count + 1)
    )
    return (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/>'
        f"{sheets}</Types>"
    )
