"""No job that runs more than once a day reads the whole sessions table: each of their
queries on the session logs and the sign-in sessions goes through an index.

On PostgreSQL, with a program of realistic shape (the benchmark's generator at 1/20 of
real size: 50,000 sessions, 1,000 mentors, analyzed), every such query the jobs make is
explained, and a "Seq Scan" of those tables (or an index read from end to end, without a
condition) fails the test. portal/schedule.py has what the plans cost at real size.
"""

import datetime as dt
import io
import json
import re

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
    reason="query plans are PostgreSQL's: SQLite's planner has no statistics to go by",
)


def plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def whole_table_reads(sql: str) -> list[str]:
    """The reads of a guarded table in ``sql``'s plan that are not an index range."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        [[plan]] = cursor.fetchall()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    found = []
    for node in plan_nodes(plan[0]["Plan"]):
        if (
            node.get("Relation Name") not in GUARDED
            and node.get("Node Type") != "Bitmap Index Scan"
        ):
            continue
        kind = node["Node Type"]
        if kind == "Seq Scan":
            found.append(f"Seq Scan on {node['Relation Name']}")
        elif kind in ("Index Scan", "Index Only Scan", "Bitmap Index Scan") and not node.get(
            "Index Cond"
        ):
            found.append(f"{kind} of all of {node['Index Name']}")
    return found


# A queryset read with .iterator() on PostgreSQL is a server-side cursor.
CURSOR = re.compile(r'^DECLARE\s+"[^"]+"\s+.*?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+', re.S)


def guarded_queries(queries) -> list[str]:
    statements = (CURSOR.sub("", query["sql"].lstrip()) for query in queries)
    return [
        sql
        for sql in statements
        if any(table in sql for table in GUARDED)
        and sql.upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH"))
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


def test_the_jobs_that_run_through_the_day_read_sessions_through_an_index(a_busy_week):
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
    assert whole_table_reads(sql) == ["Seq Scan on mentoring_sessionlog"]
