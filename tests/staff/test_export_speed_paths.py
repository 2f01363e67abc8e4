"""The sessions CSV's fast writer gives the very bytes of the row-by-row writer.

``sessions_table`` keeps the row-by-row writer (``Table.rows``, also used for Excel, and
for CSV but on PostgreSQL) and adds ``csv_body`` on PostgreSQL: ``COPY ... TO STDOUT``.
Both are made from one column specification (``sessions.COLUMNS``) and compared here on
the same filtered entries, with a hostile string in every text field, entries on both
sides of daylight-saving changes, ties on the start time, a deleted entry, and each
filter of the staff session list.
"""

import datetime as dt

import pytest
from django.db import connection, transaction

from portal.audit.models import AuditEvent
from portal.mentoring.models import (
    Choice,
    ChoiceList,
    Match,
    Mentee,
    Mentor,
    MentorStatus,
    SchoolSite,
    SessionLog,
)
from portal.mentoring.rules import Month
from portal.staff import exports, selectors
from portal.staff.exports import sessions as sessions_export
from tests.conftest import chicago, is_postgres, make_match, make_user
from tests.serialized import django_db_setup  # noqa: F401  (see tests/serialized.py)

postgres_only = pytest.mark.skipif(
    not is_postgres(), reason="COPY ... TO STDOUT needs PostgreSQL (DATABASE_URL)"
)
# serialized_rollback: the starting lists of the data migration are back for later tests.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Text a spreadsheet would run, text the CSV must quote, and text that is merely unusual.
HOSTILE = [
    "=1+1",
    "+cmd",
    "-2",
    '@SUM(A1)",',
    "\tTabbed",
    "\rReturned",
    'say "hi", then\nleave',
    "a,b",
    "line\r\nbreak",
    '"',
    "'quoted'",
    "\\.",
    " ",
    "é日本語 🙂",
    "x\x01y",
    "plain",
]


def hostile(n: int) -> str:
    return HOSTILE[n % len(HOSTILE)]


@pytest.fixture
def hostile_program(program, staff_user):
    """Three matches whose every text field is hostile, and entries across the year.

    Chicago leaves daylight time on 2 November 2025 at 02:00 (01:00-01:59 happens twice)
    and enters it on 9 March 2025; entries sit on both sides of both changes, and two
    matches share start times so the order falls back to the Session ID.
    """
    kind = Choice.objects.create(list=ChoiceList.TYPE_OF_MENTORING, label='+Tutoring, "1:1"')
    how = Choice.objects.create(list=ChoiceList.INTERACTION, label="-Walk\nand talk")
    plain_kind = Choice.objects.get(list=ChoiceList.TYPE_OF_MENTORING, label="Mentoring Hours")
    plain_how = Choice.objects.get(list=ChoiceList.INTERACTION, label="In-Person")
    matches = []
    for n, (site_name, full_name, email, first, initial) in enumerate(
        [
            ('=Lincoln, "East"', '=HYPERLINK("http://x")', "=evil@example.org", "@Ann", "Q"),
            ("Roosevelt\nMiddle", 'Smith, "Jo"\r\nJr', "plain@example.org", "", "R"),
            ("é School", "\tTabby", "q,uote@example.org", "Bé", "Z"),
        ]
    ):
        site = SchoolSite.objects.create(name=site_name, address="1 Main St")
        user = make_user(f"hostile{n}@example.org", "mentor", full_name)
        type(user).objects.filter(pk=user.pk).update(email=email)  # past the normaliser
        mentor = Mentor.objects.create(
            user=user, status=MentorStatus.ACTIVE, enrolled_on=dt.date(2024, 1, 1)
        )
        mentee = Mentee.objects.create(first_name=first, last_initial=initial, site=site, grade="4")
        matches.append(
            Match.objects.create(
                mentor=mentor, mentee=mentee, site=site, start_date=dt.date(2024, 1, 1)
            )
        )
    moments = [
        chicago(2025, 3, 8, 23, 30),  # the evening before daylight time
        chicago(2025, 3, 9, 3, 30),  # just after clocks went forward
        dt.datetime(2025, 11, 2, 6, 30, tzinfo=dt.UTC),  # 01:30 CDT
        dt.datetime(2025, 11, 2, 7, 30, tzinfo=dt.UTC),  # 01:30 CST, an hour later
        chicago(2025, 10, 31, 23, 45),  # October in Chicago, November in UTC
        chicago(2025, 11, 1, 0, 15),
        chicago(2025, 12, 31, 23, 59),
        chicago(2026, 1, 1, 0, 0),
    ]
    needs = [
        [],
        ["food", "school_supplies"],
        ["=evil", "food"],
        ['a,"b"\nc'],
        [""],
        ["health", "clothing", "household", "shelter", "food", "school_supplies", "other"],
        ["other"],
    ]
    attendances = ["met", "mentee_absent", "mentor_absent", "cancelled"]
    rows = []
    n = 0
    for match in matches:
        for moment in moments:
            attendance = attendances[n % 4]
            met = attendance == "met"
            concern = n % 3 == 0
            rows.append(
                SessionLog(
                    match=match,
                    starts_at=moment,
                    quarter_hours=(1 + n * 7 % 96) if met else 0,
                    type_of_mentoring=kind if n % 2 else plain_kind,
                    interaction=how if n % 3 else plain_how,
                    attendance=attendance,
                    notes=hostile(n) if hostile(n).strip() else "x" + hostile(n),
                    safety_concern=concern,
                    safety_concern_details=hostile(n + 1) if concern else "",
                    resource_needs=needs[n % len(needs)],
                    resource_needs_details=hostile(n + 2) if n % 2 else "",
                    entered_by=match.mentor.user,
                    is_late=n % 5 == 0,
                    reviewed_at=moment + dt.timedelta(days=1) if n % 2 else None,
                    reviewed_by=staff_user if n % 2 else None,
                )
            )
            n += 1
    SessionLog.objects.bulk_create(rows)
    deleted = SessionLog.objects.filter(match=matches[0]).order_by("pk").first()
    SessionLog.objects.filter(pk=deleted.pk).update(deleted_at=chicago(2026, 1, 2))
    return {"matches": matches, "deleted": deleted}


FILTERS = {
    "everything": selectors.SessionFilters(),
    "november 2025": selectors.SessionFilters(month=Month(2025, 11)),
    "mentor search": selectors.SessionFilters(mentor="smith"),
    "met only": selectors.SessionFilters(attendance="met"),
    "late": selectors.SessionFilters(late=True),
    "flagged (distinct)": selectors.SessionFilters(flagged=True),
    "reviewed": selectors.SessionFilters(reviewed="yes"),
    "not reviewed": selectors.SessionFilters(reviewed="no"),
    # Both days included in Chicago: 2 November's two 01:30s, to the last minute of 2025.
    "days": selectors.SessionFilters(date_from=dt.date(2025, 11, 2), date_to=dt.date(2025, 12, 31)),
}


def filtered(name: str, program, hostile_program):
    sessions = selectors.staff_sessions()
    return selectors.filter_sessions(sessions, FILTERS[name], program=program)


def as_bytes(chunks) -> bytes:
    return b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in chunks)


def row_by_row(sessions, program, include_children: bool, tz=None) -> bytes:
    """The reference: each row formatted in Python and written by the csv module."""
    tz = tz or program.tz
    table = exports.sessions_table(sessions, tz=tz, include_children=include_children)
    table.csv_body = None
    return as_bytes(exports.csv_chunks(table))


def header(include_children: bool) -> bytes:
    table = exports.sessions_table(
        SessionLog.objects.none(), tz=None, include_children=include_children
    )
    return as_bytes([",".join(table.headers) + "\r\n"])


def test_the_reference_has_every_hostile_case(program, hostile_program):
    """Guards the fixture: quoting, formulas, both sides of the clock change, the order."""
    body = row_by_row(filtered("everything", program, hostile_program), program, True)
    text = body.decode()
    assert text.count("\r\n") > 20
    assert '\'=HYPERLINK(""http://x"")' in text  # neutralised, then quoted
    assert "2025-11-02,01:30" in text and "2025-03-09,03:30" in text
    assert text.count("2025-11-02,01:30") == 2 * len(hostile_program["matches"])
    assert f"\r\n{hostile_program['deleted'].pk}," not in text
    assert "'=evil, Food" in text and "Health, Clothing, Household" in text


def test_only_postgresql_has_a_faster_csv_writer(program):
    table = exports.sessions_table(SessionLog.objects.all(), tz=program.tz, include_children=True)
    assert (table.csv_body is not None) == is_postgres()


def test_the_de_identified_export_leaves_out_every_column_reading_child_text():
    children = [c.header for c in sessions_export.COLUMNS if sessions_export.about_the_child(c)]
    assert children == ["Mentee", "Notes", "Concern details", "Need details"]
    assert header(False).decode().rstrip().split(",") == [
        c.header for c in sessions_export.COLUMNS if c.header not in children
    ]


@postgres_only
@pytest.mark.parametrize("include_children", [False, True], ids=["de-identified", "children"])
def test_the_copy_select_has_the_columns_of_the_specification(program, include_children):
    sessions = selectors.staff_sessions()
    sql, params = sessions_export.copy_sql(sessions, include_children=include_children)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) AS copied LIMIT 0", params)  # noqa: S608
        names = [column.name for column in cursor.description]
    table = exports.sessions_table(sessions, tz=program.tz, include_children=include_children)
    assert names == table.headers


@postgres_only
@pytest.mark.parametrize("include_children", [False, True], ids=["de-identified", "children"])
@pytest.mark.parametrize("name", list(FILTERS))
def test_postgresql_copy_gives_the_same_bytes(program, hostile_program, name, include_children):
    sessions = filtered(name, program, hostile_program)
    expected = row_by_row(sessions, program, include_children)
    body = as_bytes(
        sessions_export._postgresql_csv(sessions, tz=program.tz, include_children=include_children)
    )
    assert header(include_children) + body == expected


@postgres_only
def test_postgresql_copy_in_another_time_zone(program, hostile_program):
    """The program's zone, not Chicago's: Sydney's clocks change on other dates."""
    from zoneinfo import ZoneInfo

    sydney = ZoneInfo("Australia/Sydney")
    sessions = filtered("everything", program, hostile_program)
    expected = row_by_row(sessions, program, True, tz=sydney)
    body = as_bytes(sessions_export._postgresql_csv(sessions, tz=sydney, include_children=True))
    assert header(True) + body == expected


@postgres_only
def test_a_zone_without_a_name_postgresql_knows_goes_to_the_python_writer(program, hostile_program):
    fixed = dt.timezone(dt.timedelta(hours=-6))  # no IANA name to give PostgreSQL
    with transaction.atomic(), connection.cursor() as cursor:
        assert not sessions_export._postgresql_local_time(cursor, "Nowhere/Atlantis", "default")
        assert not sessions_export._postgresql_local_time(cursor, None, "default")
        cursor.execute("SHOW TimeZone")
        assert cursor.fetchone()[0] == "UTC"  # the failed attempt left nothing behind
        assert sessions_export._postgresql_local_time(cursor, "America/Chicago", "default")
        cursor.execute("SHOW TimeZone")
        assert cursor.fetchone()[0] == "America/Chicago"
        transaction.set_rollback(True)
    sessions = filtered("everything", program, hostile_program)
    expected = row_by_row(sessions, program, False, tz=fixed)
    body = as_bytes(sessions_export._postgresql_csv(sessions, tz=fixed, include_children=False))
    assert header(False) + body == expected
    assert b"2025-11-02,00:30" in body  # 06:30 UTC, six hours back whatever the season


@pytest.mark.parametrize("include_children", ["", "&include_children=on"])
def test_the_view_sends_the_fast_bytes(staff_client, program, hostile_program, include_children):
    url = f"/staff/export/?report=sessions&file_format=csv&month=2025-11{include_children}"
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response.streaming
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'attachment; filename="sessions-2025-11.csv"'
    body = b"".join(response.streaming_content)
    sessions = filtered("november 2025", program, hostile_program)
    assert body == row_by_row(sessions, program, bool(include_children))
    if not include_children:
        assert b"Ann" not in body and b"\r\nSession ID" not in body
        assert AuditEvent.objects.filter(action="export.deidentified").count() == 1
    else:
        assert AuditEvent.objects.filter(action="export.with_children").count() == 1


def test_excel_still_has_the_rows(staff_client, program, hostile_program):
    import io

    from openpyxl import load_workbook

    response = staff_client.get("/staff/export/?report=sessions&file_format=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Session ID", "Date", "Time")
    assert len(rows) - 1 == filtered("everything", program, hostile_program).count()
    assert {row[3] for row in rows[1:]} >= {'\'=Lincoln, "East"'}


# --- PostgreSQL: the export's transaction and the connection after it ------------------


@pytest.fixture
def many_sessions(program, school_a):
    """About 1 MB of CSV: COPY is still sending when the first chunk reaches the client.

    (New choices are not made here: after a serialized rollback the choice ids restart.)
    """
    match = make_match("many@example.org", school_a, "Many", dt.date(2019, 1, 1))
    kind = Choice.objects.get(list=ChoiceList.TYPE_OF_MENTORING, label="Mentoring Hours")
    how = Choice.objects.get(list=ChoiceList.INTERACTION, label="In-Person")
    start = dt.datetime(2020, 1, 1, 15, tzinfo=dt.UTC)
    SessionLog.objects.bulk_create(
        SessionLog(
            match=match,
            starts_at=start + dt.timedelta(hours=n),
            quarter_hours=4,
            type_of_mentoring=kind,
            interaction=how,
            attendance="met",
            notes="n" * 200,
            entered_by=match.mentor.user,
        )
        for n in range(4000)
    )


def server_state() -> tuple:
    """Transaction, statement timeout, time zone and date style of the connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('statement_timeout'), current_setting('TimeZone'), "
            "current_setting('DateStyle')"
        )
        settings = cursor.fetchone()
    return connection.in_atomic_block, connection.connection.info.transaction_status, *settings


@postgres_only
def test_inside_a_callers_transaction_the_export_leaves_no_settings(
    staff_client, program, hostile_program
):
    """The export's savepoint is rolled back: its time zone and timeout end with it."""
    before = server_state()
    response = staff_client.get("/staff/export/?report=sessions&file_format=csv")
    assert b"".join(response.streaming_content).count(b"\r\n") > 20
    assert server_state() == before
    assert before[2:4] == ("15s", "UTC")


@postgres_only
@transactional
def test_a_client_gone_mid_export_leaves_the_connection_clean(staff_client, program, many_sessions):
    from psycopg.pq import TransactionStatus

    before = server_state()
    assert before[:2] == (False, TransactionStatus.IDLE)
    url = "/staff/export/?report=sessions&file_format=csv&include_children=on"
    response = staff_client.get(url)
    assert response.status_code == 200
    chunks = iter(response.streaming_content)
    assert next(chunks) == b""  # the headers go out before any work (exports.guarded)
    first = next(chunks)
    assert first.startswith(b"Session ID,")
    second = next(chunks)
    assert len(second) >= exports.CHUNK_SIZE
    assert connection.in_atomic_block  # the export's transaction is open, COPY running
    response.close()  # what the server does when the client goes away
    assert server_state() == before
    assert SessionLog.objects.count() == 4000  # the connection answers


@postgres_only
@transactional
def test_the_export_outlives_the_connections_statement_timeout(
    staff_client, program, many_sessions, monkeypatch
):
    """A slow export (here: the query sleeps 0.4 s) under a 100 ms statement timeout."""
    real = sessions_export.copy_sql

    def slow(*args, **kwargs):
        sql, params = real(*args, **kwargs)
        return f"SELECT q2.*, pg_sleep(0.2) FROM ({sql}) AS q2 LIMIT 2", params  # noqa: S608

    monkeypatch.setattr(sessions_export, "copy_sql", slow)
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 100")
    try:
        response = staff_client.get("/staff/export/?report=sessions&file_format=csv")
        body = b"".join(response.streaming_content)
        assert body.count(b"\r\n") == 3  # the header and two slow rows
        assert server_state()[2] == "100ms"  # the export's own timeout ended with it
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")


def test_other_databases_keep_the_row_by_row_writer(program, hostile_program, monkeypatch):
    sessions = filtered("everything", program, hostile_program)
    expected = row_by_row(sessions, program, True)
    monkeypatch.setattr(connection, "vendor", "mysql")
    table = exports.sessions_table(sessions, tz=program.tz, include_children=True)
    assert table.csv_body is None
    assert as_bytes(exports.csv_chunks(table)) == expected
