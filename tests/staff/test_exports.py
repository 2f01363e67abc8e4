"""Exports: content, formula neutralisation, the de-identified default, the audit trail."""

import csv
import io

from openpyxl import load_workbook

from portal.audit.models import AuditEvent
from portal.staff.exports import Table, csv_chunks, neutralise


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_formula_cells_get_a_leading_apostrophe():
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("Plain notes") == "Plain notes"
    assert neutralise(-1) == -1  # numbers stay numbers


def test_csv_comes_in_chunks_of_about_64_kb():
    rows = ([n, "x" * 100] for n in range(5000))
    chunks = list(csv_chunks(Table(name="t", headers=["n", "x"], rows=rows)))
    assert len(chunks) > 5
    assert all(64 * 1024 <= len(chunk) < 66 * 1024 for chunk in chunks[:-1])


def test_sessions_export_leaves_out_names_and_notes_by_default(october, staff_client):
    response = staff_client.get("/staff/export/?report=sessions&file_format=csv&month=2025-10")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sessions-2025-10.csv"'
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert "Mentee" not in header and "Notes" not in header
    assert len(body) == 5
    text = "\n".join(",".join(row) for row in rows)
    assert "Ann D." not in text and "card game" not in text
    first = dict(zip(header, body[0], strict=True))
    assert (first["Date"], first["Time"], first["Hours"], first["Mentor email"]) == (
        "2025-10-01",
        "00:30",
        "1.0",
        "ann@example.org",
    )
    event = AuditEvent.objects.get(action="export.deidentified")
    assert event.new_values["report"] == "sessions"
    assert event.new_values["include_children_names_and_notes"] is False


def test_staff_can_include_names_and_notes_and_that_is_audited(october, staff_client, staff_user):
    url = "/staff/export/?report=sessions&file_format=csv&month=2025-10&include_children=on"
    rows = read_csv(staff_client.get(url))
    header = rows[0]
    assert "Mentee" in header and "Notes" in header
    mentees = {dict(zip(header, row, strict=True))["Mentee"] for row in rows[1:]}
    assert mentees == {"Ann D.", "Ben D."}
    event = AuditEvent.objects.get(action="export.with_children")
    assert event.actor == staff_user
    assert event.new_values["include_children_names_and_notes"] is True


def test_notes_that_look_like_formulas_are_neutralised(staff_client, match_a):
    from django.utils import timezone

    from tests.conftest import log_session

    now = timezone.now().replace(second=0, microsecond=0)
    log_session(match_a, now - timezone.timedelta(hours=2), notes='=HYPERLINK("http://x")')
    rows = read_csv(
        staff_client.get("/staff/export/?report=sessions&file_format=csv&include_children=on")
    )
    notes = dict(zip(rows[0], rows[1], strict=True))["Notes"]
    assert notes == '\'=HYPERLINK("http://x")'


def test_compliance_export_in_excel(october, staff_client):
    response = staff_client.get("/staff/export/?report=compliance&file_format=xlsx&month=2025-10")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert rows[0][:4] == ["Month", "Mentor", "Mentor email", "Sessions"]
    by_email = {row[2]: row for row in rows[1:]}
    assert by_email["ann@example.org"][3:8] == [4, 3, 1, 3.0, 1]
    assert by_email["cal@example.org"][8] == "Yes"
    assert AuditEvent.objects.filter(action="export.deidentified").count() == 1


def test_hours_export_has_each_grouping_and_the_total(october, staff_client):
    rows = read_csv(
        staff_client.get("/staff/export/?report=hours&file_format=csv&start=2025-09&end=2025-11")
    )
    assert ["Month", "2025-10", "5", "4", "3.75"] in rows
    assert ["School site", "Roosevelt Middle", "1", "1", "0.75"] in rows
    assert rows[-1] == ["Total", "", "8", "7", "7.75"]


def test_mentors_and_site_contacts_cannot_export(client, mentor_a, site_contact_a):
    for user in (mentor_a, site_contact_a):
        client.force_login(user)
        response = client.get("/staff/export/?report=sessions&file_format=csv")
        assert response.status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="export").exists()


def test_csv_rows_are_read_as_they_are_sent_not_all_at_once():
    """An endless source still yields its first chunk: memory stays flat at any size."""
    import itertools

    endless = ([n, "row"] for n in itertools.count())
    first = next(csv_chunks(Table(name="t", headers=["n", "x"], rows=endless)))
    assert first.startswith("n,x\r\n0,row\r\n") and len(first) >= 64 * 1024


def test_excel_cells_are_neutralised_too():
    from portal.staff.exports import xlsx_chunks

    table = Table(name="t", headers=["a"], rows=iter([["=1+1"], ["@x"], [3]]))
    workbook = load_workbook(io.BytesIO(b"".join(xlsx_chunks(table))), read_only=True)
    values = [row[0] for row in workbook.active.iter_rows(values_only=True)]
    assert values == ["a", "'=1+1", "'@x", 3]
