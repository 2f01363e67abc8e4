"""Exports never fail on stored text, and a failure part way is logged with an id only."""

import csv
import io
import logging

import pytest
from openpyxl import load_workbook

from portal.mentoring.models import SessionLog
from portal.staff import exports

# Characters a word processor or an old import left in rows stored before the portal
# cleaned its text (PostgreSQL cannot store NUL at all).
STORED = "Jane said\x0bwe played cards.\x0cPage two\x1b[1m and\x7f more\x01."
URL = "/staff/export/?report=sessions&month=2025-10&include_children=on&file_format="


@pytest.fixture
def stored_text(october):
    SessionLog.objects.filter(notes__contains="").update(
        notes=STORED, resource_needs_details="Soap\x0bwashing powder"
    )


def test_the_excel_export_of_notes_with_control_characters_opens(stored_text, staff_client):
    response = staff_client.get(URL + "xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]
    notes = [cell for cell in cells if isinstance(cell, str) and cell.startswith("Jane said")]
    assert notes, "the notes are in the file"
    # The vertical tab and form feed were line breaks; the other control characters go.
    assert notes[0] == "Jane said\nwe played cards.\nPage two[1m and more."


def test_the_csv_export_of_notes_with_control_characters_is_complete(stored_text, staff_client):
    response = staff_client.get(URL + "csv")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 6  # the header and October's five entries
    assert "export failed" not in body


# A writer stopped part way leaves its library's generators to be closed by the garbage
# collector, after the test's database and temporary file are gone: expected here.
abandoned_generators = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_failure_part_way_is_logged_with_an_error_id_and_no_text(
    file_format, stored_text, staff_client, caplog, monkeypatch
):
    def broken(value):
        raise ValueError(f"cannot write {value!r}")  # the way openpyxl quotes a cell

    if file_format == "xlsx":
        # The Excel writer neutralises every text cell: make it fail on the notes.
        real = exports.neutralise
        monkeypatch.setattr(
            exports, "neutralise", lambda v: broken(v) if "Jane" in str(v) else real(v)
        )
    else:
        real_chunks = exports.csv_chunks

        def failing_chunks(table):
            for chunk in real_chunks(table):
                yield chunk
                broken(STORED)

        monkeypatch.setattr(exports, "csv_chunks", failing_chunks)
    caplog.set_level(logging.INFO)
    response = staff_client.get(URL + file_format)
    assert response.status_code == 200  # the headers went before the rows
    received = []
    with pytest.raises(exports.ExportAborted) as aborted:
        for chunk in response.streaming_content:
            received.append(chunk)
    error_id = str(aborted.value).removeprefix("error ")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"error {error_id}: the sessions-2025-10 export ({file_format}) failed" in logged
    assert "Jane" not in logged and "cards" not in logged
    assert "include_children" not in logged and "month=" not in logged
    if file_format == "csv":
        assert f"This export failed (error {error_id})" in b"".join(received).decode()


def test_the_abort_carries_no_cause_a_server_would_log(stored_text, staff_client, monkeypatch):
    monkeypatch.setattr(exports, "neutralise", lambda v: 1 / 0 if "Jane" in str(v) else v)
    response = staff_client.get(URL + "xlsx")
    with pytest.raises(exports.ExportAborted) as aborted:
        b"".join(response.streaming_content)
    assert aborted.value.__cause__ is None and aborted.value.__context__ is None
