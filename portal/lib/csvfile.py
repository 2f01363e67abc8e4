"""CSV files that staff upload: read one way for every import.

- **Bytes to text.** UTF-8 with or without Excel's byte order mark, UTF-16 (Excel's
  "Unicode Text"), else Windows-1252 (Excel's plain "CSV" on Windows); a clear message when
  none of them reads the file.
- **Headers.** Case, spaces and underscores do not matter ("Full name" is "full_name");
  each import names the headers it knows, with their other spellings.
- **Rows** are numbered as a spreadsheet numbers them: the header is row 1, a value over
  several lines is still one row, and empty rows are skipped but counted.
- **Values** lose their control characters (``clean_text`` on one line: a NUL is removed,
  a word processor's line break becomes a space), their surrounding spaces and repeated
  spaces. Nothing else is judged here: each import checks its columns, lengths included.
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from portal.lib.text import clean_text, without_control_characters

MAX_UPLOAD_BYTES = 2 * 1024 * 1024

# The csv module refuses a value over 131,072 characters. An uploaded file is never
# larger than MAX_UPLOAD_BYTES, so with this limit every value is read, and the import
# says which column is too long and by how much instead of failing on the whole file.
csv.field_size_limit(max(csv.field_size_limit(), MAX_UPLOAD_BYTES))

NOT_TEXT = (
    "The file could not be read as text. In your spreadsheet, choose Save As, then "
    '"CSV UTF-8", and upload the new file.'
)


def upload_text(upload: UploadedFile, *, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The text of an uploaded CSV file, or ValidationError with a message for staff."""
    if upload.size > max_bytes:
        size = f"{max_bytes // 2**20} MB" if max_bytes >= 2**20 else f"{max_bytes // 2**10} KB"
        raise ValidationError(f"The file is larger than {size}: split it into smaller files.")
    return decode(upload.read())


def decode(raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "cp1252"]
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _plain(text)
    raise ValidationError(NOT_TEXT)


# A word processor's line and page breaks: inside a value, where a CSV file can hold them.
_BREAKS_IN_VALUES = re.compile("[\x0b\x0c\x85\u2028\u2029]")


def _plain(text: str) -> str:
    """``text`` with no control character but tab and line ends, its rows unchanged.

    Each value would lose them anyway (``read_csv``); doing it to the whole file first
    means the file can be kept in a session or sent back through a form field, whose own
    text rules would otherwise turn a vertical tab into a line break, and so a new row.
    """
    return without_control_characters(_BREAKS_IN_VALUES.sub(" ", text))


def header_key(name: str) -> str:
    """How a header is compared: "Full_Name ", "full name" and "FULL  NAME" are the same."""
    return " ".join(name.replace("_", " ").lower().split())


@dataclass
class CsvTable:
    header: list[str]  # the first row as the file has it
    columns: list[str | None]  # the name of each header, None for a header not known
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (row, message)

    def missing(self, required: list[str]) -> list[str]:
        return [name for name in required if name not in self.columns]

    def layout_problems(
        self, required: list[str], *, what: str, labels: dict[str, str] | None = None
    ) -> list[tuple[int, str, str]]:
        """(row, column, message) for a file without the columns it needs, or with nothing
        under its first row. ``what`` names the rows ("mentors"); ``labels`` how a column
        is written in the messages (its name by default)."""
        labels = labels or {}
        if not self.header:
            names = ", ".join(labels.get(name, name) for name in required)
            return [(1, "", f"The file is empty. Its first row names the columns: {names}.")]
        missing = self.missing(required)
        if missing:
            first_row = ", ".join(self.header)[:200]
            return [
                (
                    1,
                    name,
                    "The first row must name the columns: add one named "
                    f'"{labels.get(name, name)}". This file\'s first row is: {first_row}.',
                )
                for name in missing
            ]
        if not self.rows and not self.problems:
            return [(2, "", f"The file has a header row but no {what}.")]
        return []


def read_csv(text: str, *, headers: dict[str, str], max_rows: int) -> CsvTable:
    """The rows of ``text``, each a dict of the known columns (``headers`` maps each
    accepted spelling, as ``header_key`` writes it, to a column name)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    table = CsvTable(header=[], columns=[])
    number = 1  # the row being read
    try:
        first = next(reader, None)
        if first is None:
            return table
        table.header = [_value(h) for h in first]
        table.columns = [headers.get(header_key(h)) for h in table.header]
        number += 1
        for values in reader:
            row = {name: "" for name in table.columns if name}
            for name, value in reversed(list(zip(table.columns, values, strict=False))):
                if name:
                    row[name] = _value(value)  # a header named twice: the first one counts
            if any(row.values()):
                if len(table.rows) == max_rows:
                    table.problems.append(
                        (number, f"The file has more than {max_rows:,} rows: split it into parts.")
                    )
                    break
                table.rows.append((number, row))
            number += 1
    except csv.Error as error:
        table.problems.append((number, f"This row could not be read ({error})."))
    return table


def _value(raw: str) -> str:
    return " ".join(clean_text(raw, multiline=False).split())
