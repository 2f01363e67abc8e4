"""Exports never fail on stored text: rows saved before the text rules (or by hand) with
control characters in their notes, details or names export in CSV and Excel. A download
that fails midway is cut short, with an error id in the log and nothing else."""

import csv
import datetime as dt
import io
import logging

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from portal.accounts.models import User
from portal.mentoring.models import SessionLog
from portal.staff import exports
from tests.staff.conftest import log_session

SESSIONS = "/staff/export/?report=sessions&include_children=on"


def _control_characters() -> str:
    # PostgreSQL cannot store NUL at all; SQLite can, and older rows there may hold one.
    nul = "" if connection.vendor == "postgresql" else "\x00"
    return f"\x0b\x0c\x1b{nul}\x7f"


@pytest.fixture
def stored_with_control_characters(program, match_a):
    """A session of this week whose stored texts hold control characters (saved around the
    forms, as older rows were), and a mentor whose stored name holds one."""
    odd = _control_characters()
    when = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3)
    session = log_session(match_a, when)
    SessionLog.objects.filter(pk=session.pk).update(
        notes=f"We read.{odd}Then we played cards.",
        safety_concern=True,
        safety_concern_details=f"Nobody{odd} was home.",
        resource_needs=["food"],
        resource_needs_details=f"Food{odd} for the weekend.",
    )
    User.objects.filter(pk=match_a.mentor.user_id).update(full_name=f"Ann{odd} Lee")
    return session


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _workbook_rows(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(_body(response)), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_the_excel_export_of_a_month_with_control_characters_in_notes_opens(
    stored_with_control_characters, staff_client
):
    response = staff_client.get(SESSIONS + "&file_format=xlsx")

    assert response.status_code == 200
    rows = _workbook_rows(response)
    row = dict(zip(rows[0], rows[1], strict=True))
    # A vertical tab or form feed is a line break typed in a word processor.
    assert row["Notes"] == "We read.\n\nThen we played cards."
    assert row["Concern details"] == "Nobody\n\n was home."
    assert row["Need details"] == "Food\n\n for the weekend."
    assert row["Mentor"] == "Ann\n\n Lee"


def test_the_csv_export_of_the_same_month_keeps_the_values(
    stored_with_control_characters, staff_client
):
    response = staff_client.get(SESSIONS + "&file_format=csv")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(_body(response).decode())))
    row = dict(zip(rows[0], rows[1], strict=True))
    odd = _control_characters()
    assert row["Notes"] == f"We read.{odd}Then we played cards."
    assert row["Concern details"] == f"Nobody{odd} was home."


def test_the_compliance_export_in_excel_opens_with_a_control_character_in_a_name(
    stored_with_control_characters, staff_client
):
    response = staff_client.get("/staff/export/?report=compliance&file_format=xlsx")

    assert response.status_code == 200
    mentors = [row[1] for row in _workbook_rows(response)[1:]]
    assert "Ann\n\n Lee" in mentors


def test_the_csv_row_writer_keeps_control_characters_too():
    table = exports.Table(name="t", headers=["notes"], rows=iter([["a\x0bb\x0cc"]]))

    body = "".join(exports.csv_chunks(table))

    assert body == "notes\r\na\x0bb\x0cc\r\n"


# --- A download that fails midway ---------------------------------------------------------


SECRET = "She said nobody was home"


def _failing_writer(*args, **kwargs):
    yield "1,2025-10-08,15:00,first row\r\n"
    raise ValueError(f"{SECRET} (from the notes)")


def _failing_rows(*args, **kwargs):
    # A first chunk's worth: the row writer sends it before the failure.
    yield [1, "2025-10-08", "15:00", "first row " + "x" * exports.CHUNK_SIZE]
    raise ValueError(f"{SECRET} (from the notes)")


def _failing_excel(table):
    raise ValueError(f"{SECRET} (from the notes)")
    yield b""  # pragma: no cover - a generator that fails at its first step


@pytest.fixture
def failing_exports(monkeypatch):
    monkeypatch.setattr(exports.sessions, "session_rows", _failing_rows)
    monkeypatch.setattr(exports.sessions, "_postgresql_csv", _failing_writer)
    monkeypatch.setattr(exports.tables, "xlsx_chunks", _failing_excel)


def test_a_csv_that_fails_midway_is_cut_short_with_an_error_id_and_a_last_line(
    stored_with_control_characters, staff_client, failing_exports, caplog
):
    caplog.set_level(logging.INFO)
    response = staff_client.get(SESSIONS + "&file_format=csv&q=private-search")
    received = []

    with pytest.raises(exports.ExportFailed) as failed:
        for chunk in response.streaming_content:
            received.append(chunk)

    error_id = str(failed.value).removeprefix("export failed, error id ")
    body = b"".join(received).decode()
    assert body.startswith("Session ID,") and "first row" in body
    assert body.endswith(
        f"This export failed and is incomplete (error id {error_id}). "
        "Download it again; if it fails again, tell the program this error id.\r\n"
    )
    logged = [r for r in caplog.records if r.name == "portal.exports"]
    assert len(logged) == 1
    assert logged[0].getMessage().startswith(f"export failed, error id {error_id} (")
    assert logged[0].exc_info is None
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert SECRET not in everything and "private-search" not in everything


def test_an_excel_file_that_fails_before_its_first_byte_still_sends_no_error_page(
    stored_with_control_characters, staff_client, failing_exports, caplog
):
    response = staff_client.get(SESSIONS + "&file_format=xlsx")
    chunks = iter(response.streaming_content)

    # The headers go out before any work, so the failure cuts the download short.
    assert response.status_code == 200
    assert next(chunks) == b""
    with pytest.raises(exports.ExportFailed, match=r"^export failed, error id [0-9A-F]{8}$"):
        next(chunks)
    assert SECRET not in "\n".join(r.getMessage() for r in caplog.records)


def test_the_failure_cut_short_carries_no_trace_of_the_first_exception():
    def broken():
        yield "a"
        raise ValueError(SECRET)

    stream = exports.guarded(broken(), file_format="xlsx")

    with pytest.raises(exports.ExportFailed) as failed:
        list(stream)

    assert failed.value.__suppress_context__
    assert failed.value.__cause__ is None
