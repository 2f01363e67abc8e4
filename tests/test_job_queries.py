"""No job that runs more than once a day reads the whole sessions table: each of their
queries reads a small part of the session logs and of the sign-in sessions.

On PostgreSQL, with a program of realistic shape (the benchmark's generator at 1/20 of
real size: 50,000 sessions over two years, 1,000 mentors, analyzed), every query the jobs
make on those tables is run under EXPLAIN ANALYZE, as it was sent (a cursor too: it is
planned for its first rows, which can turn a range read into a loop over every mentor's
sessions), and the rows it read of each table are counted, by every scan and every loop.
More than a tenth of the table fails the test, and so does a "Seq Scan" of it.
portal/schedule.py has what the plans cost at real size.
"""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from portal.jobs.cadence import DailyAt
from portal.mentoring.models import SessionLog
from portal.schedule import JOBS
from tests.bench_app import bench_app  # noqa: F401  (installs the benchmark's app)
from tests.conftest import chicago, frozen_at

GUARDED = {"mentoring_sessionlog", "django_session"}
# A Friday morning (the weekly reminder is due) and a deadline's morning (the deadline one).
MOMENTS = [chicago(2026, 11, 27, 9, 0), chicago(2026, 12, 7, 9, 0)]

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the plans checked are PostgreSQL's (EXPLAIN in JSON), the database of production",
)


def plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def rows_read(node: dict) -> int:
    removed = node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
    return (node.get("Actual Rows", 0) + removed) * node.get("Actual Loops", 1)


def whole_table_reads(sql: str) -> list[str]:
    """What ``sql`` reads of a guarded table that is more than a small part of it."""
    analyze = sql.lstrip().upper().startswith(("SELECT", "WITH", "DECLARE"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({'ANALYZE, ' if analyze else ''}FORMAT JSON) {sql}")
        [[plan]] = cursor.fetchall()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    found, read = [], {}
    for node in plan_nodes(plan[0]["Plan"]):
        table = node.get("Relation Name")
        if table not in GUARDED:
            continue
        if node["Node Type"] == "Seq Scan":
            found.append(f"Seq Scan on {table}")
        read[table] = read.get(table, 0) + rows_read(node)
    for table, rows in read.items():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own names
            [[size]] = cursor.fetchall()
        if rows > size / 10:
            found.append(f"{rows} rows read of {size} in {table}")
    return found


def guarded_queries(queries) -> list[str]:
    return [
        sql
        for sql in (query["sql"].lstrip() for query in queries)
        if any(table in sql for table in GUARDED)
        and sql.upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH", "DECLARE"))
    ]


@pytest.fixture
def a_busy_week(db):
    """Two years of a program of 1,000 mentors at 1/20 of real size, up to the Friday."""
    with frozen_at(MOMENTS[0] - dt.timedelta(hours=2)):
        call_command(
            "bench_data",
            reset=True,
            mentors=1000,
            mentees=1250,
            sites=10,
            sessions=50_000,
            stdout=io.StringIO(),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert SessionLog.objects.count() == 50_000


def test_the_jobs_that_run_through_the_day_read_a_small_part_of_the_sessions(a_busy_week):
    frequent = [job for job in JOBS if not isinstance(job.cadence, DailyAt)]
    assert {job.name for job in frequent} >= {"escalate_concerns", "send_reminders"}
    checked, problems = 0, {}
    for moment in MOMENTS:
        for job in frequent:
            with frozen_at(moment), CaptureQueriesContext(connection) as captured:
                job.run()
            for sql in guarded_queries(captured.captured_queries):
                checked += 1
                if found := whole_table_reads(sql):
                    problems.setdefault(job.name, []).append((found, sql))
    assert checked >= 2  # the reminders read the sessions at both moments
    assert problems == {}


def test_the_check_finds_a_query_that_reads_every_session(a_busy_week):
    with CaptureQueriesContext(connection) as captured:
        list(SessionLog.objects.filter(notes__contains="Jane").values("pk"))
    [sql] = guarded_queries(captured.captured_queries)
    assert whole_table_reads(sql) == [
        "Seq Scan on mentoring_sessionlog",
        "50000 rows read of 50000 in mentoring_sessionlog",
    ]
