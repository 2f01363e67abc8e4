"""Reading an uploaded CSV file, the same way for every import (portal/lib/csvfile.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.lib import csvfile

HEADERS = {"email": "email", "full name": "full_name", "name": "full_name"}


def read(text: str, max_rows: int = 10) -> csvfile.CsvTable:
    return csvfile.read_csv(text, headers=HEADERS, max_rows=max_rows)


def test_rows_are_numbered_as_a_spreadsheet_numbers_them():
    text = 'email,full name\na@example.org,"Ann\nLee"\n\n,\nb@example.org,Bo\n'
    table = read(text)
    assert table.rows == [
        (2, {"email": "a@example.org", "full_name": "Ann Lee"}),
        (5, {"email": "b@example.org", "full_name": "Bo"}),
    ]


def test_headers_ignore_case_spaces_and_underscores_and_the_first_of_two_counts():
    table = read(" EMAIL ,Full_Name,notes,name\na@example.org,Ann,x,Other\n")
    assert table.columns == ["email", "full_name", None, "full_name"]
    assert table.rows == [(2, {"email": "a@example.org", "full_name": "Ann"})]
    assert table.missing(["email", "full_name", "phone"]) == ["phone"]


def test_values_lose_control_characters_and_repeated_spaces():
    table = read("email,full name\na\x00@example.org,  Ann\x0bLee \x1b  Smith \n")
    assert table.rows == [(2, {"email": "a@example.org", "full_name": "Ann Lee Smith"})]


def test_a_value_longer_than_the_csv_modules_default_limit_is_read_whole():
    table = read(f"email,full name\na@example.org,{'x' * 200_000}\n")
    assert len(table.rows[0][1]["full_name"]) == 200_000


def test_a_value_too_long_to_read_is_a_problem_on_its_row():
    too_long = "x" * (csvfile.MAX_UPLOAD_BYTES + 1)
    text = f"email,full name\na@example.org,Ann\nb@example.org,{too_long}\n"
    table = read(text)
    assert table.rows == [(2, {"email": "a@example.org", "full_name": "Ann"})]
    assert [number for number, _ in table.problems] == [3]


def test_rows_past_the_limit_are_a_problem():
    table = read("email\n" + "".join(f"{n}@example.org\n" for n in range(4)), max_rows=3)
    assert len(table.rows) == 3
    assert table.problems == [(5, "The file has more than 3 rows: split it into parts.")]


def test_an_empty_file_has_no_header():
    assert read("").header == []
    assert read("email,full name\n").rows == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_files_saved_by_spreadsheets_are_read(encoding):
    raw = "email,full name\nj@example.org,José Núñez\n".encode(encoding)
    table = read(csvfile.decode(raw))
    assert table.rows == [(2, {"email": "j@example.org", "full_name": "José Núñez"})]


def test_a_file_that_is_not_text_gets_a_message():
    with pytest.raises(ValidationError, match="could not be read as text"):
        csvfile.decode(b"email\x81\x8d\n")


def test_the_text_of_a_file_keeps_its_rows_and_loses_its_control_characters():
    """So a form field carrying the file back cannot turn a vertical tab into a new row."""
    text = csvfile.decode(b"email,full name\r\na@example.org,Ann\x0bLee\x00\r\n")
    assert text == "email,full name\r\na@example.org,Ann Lee\r\n"


def test_an_upload_over_the_size_limit_gets_a_message():
    upload = SimpleUploadedFile("big.csv", b"x" * 2048)
    with pytest.raises(ValidationError, match="larger than 1 KB"):
        csvfile.upload_text(upload, max_bytes=1024)


def test_a_file_without_its_columns_or_its_rows_gets_one_message_for_each_import():
    assert read("").layout_problems(["email"], what="mentors") == [
        (1, "", "The file is empty. Its first row names the columns: email.")
    ]
    (problem,) = read("mail,full name\nx,y\n").layout_problems(["email"], what="mentors")
    assert problem[:2] == (1, "email") and 'add one named "email"' in problem[2]
    assert read("email,full name\n").layout_problems(["email"], what="mentors") == [
        (2, "", "The file has a header row but no mentors.")
    ]
