"""The benchmark behind `make bench`: the portal at real size, against the ceiling.

One run, on one machine:

1. PostgreSQL: (re)create the benchmark database, migrate it and fill it with
   ``bench_data`` (20,000 mentors, 1,000,000 sessions by default).
2. Serve it with gunicorn exactly as in production (gunicorn.conf.py, DEBUG off), under
   ``bench.settings``: the portal plus one extra page, the ceiling (one
   primary-key query through the same middleware).
3. Load each page from a second process on loopback with wrk: people signed in through
   Django's own ``login()`` (the cookie and CSRF token a browser would carry); posts log
   real sessions, each checked in the database afterwards.
4. Time the staff reports' figures as raw SQL through psycopg (the database ceiling) and
   stream the full CSV export, reading the worker's peak memory from /proc.
5. The same pages on the SQLite demo database.
6. Write docs/BENCHMARKS.md.

Queries per page are counted with Django's own query capture, on both databases: the same
count on the demo and on a million sessions shows that it does not grow with the data.
"""

import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess  # noqa: S404  (fixed argument lists, loopback only)
import sys
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LUA = Path(__file__).resolve().parent / "lua" / "portal.lua"
BENCH_DIR = ROOT / "var" / "bench"
# Posted sessions go back this many days (serve._slot_base); mentors matched before that.
POST_DAYS_BACK = 9
BENCH_NOTES = "Benchmark entry: we read a chapter together."
STAFF_EMAIL = "bench-staff@example.org"
ADMIN_EMAIL = "bench-admin@example.org"
DEMO_STAFF_EMAIL = "staff@example.org"
DEMO_ADMIN_EMAIL = "admin@example.org"


# --- What is measured ---------------------------------------------------------------------


@dataclass
class Page:
    name: str
    path: str
    who: str  # "anonymous", "mentor" or "staff"
    clients: int
    method: str = "GET"
    expect: int = 200
    kind: str = "mentor"  # "ceiling", "mentor" or "report": which target applies


@dataclass
class Measure:
    name: str
    path: str
    clients: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    ok: int
    bad: int
    socket_errors: int
    queries: int | None = None
    kind: str = "mentor"
    cpu_ms: float | None = None  # Django's CPU time per request, one at a time
    rps_runs: list = field(default_factory=list)  # every run's requests per second


@dataclass
class Report:
    started: str = ""
    machine: dict = field(default_factory=dict)
    generation: dict = field(default_factory=dict)
    postgres: list = field(default_factory=list)
    raw_sql: dict = field(default_factory=dict)
    export: dict = field(default_factory=dict)
    posts_checked: dict = field(default_factory=dict)
    sqlite: list = field(default_factory=list)
    staff: list = field(default_factory=list)  # staff_pages.measure() of each page
    staff_missing: list = field(default_factory=list)  # pages this program lacks
    staff_demo_queries: dict = field(default_factory=dict)  # the same pages on the demo
    excel: dict = field(default_factory=dict)
    mentor_import: dict = field(default_factory=dict)
    background: dict = field(default_factory=dict)
    total_seconds: float = 0.0


def pages(month: str, site_id: int, *, clients: int) -> list[Page]:
    """The pages loaded with wrk: the ceiling and the mentor pages. The staff pages, one
    client each, are in staff_pages.py."""
    return [
        Page("Ceiling: one primary-key query", f"/bench/ceiling/{site_id}/", "anonymous",
             clients, kind="ceiling"),
        Page("Mentor home", "/mentor/", "mentor", clients),
        Page("Session form", "/sessions/new/", "mentor", clients),
        Page("Session post", "/sessions/new/", "mentor", clients, method="POST", expect=302),
    ]  # fmt: skip


# --- Signed-in clients --------------------------------------------------------------------


@dataclass
class Client:
    cookie: str  # the Cookie header
    csrf: str
    match_id: int = 0
    type_id: int = 0
    interaction_id: int = 0
    email: str = ""  # who signed in (not given to wrk)

    def line(self) -> str:
        return (
            f"{self.cookie.replace(' ', '|')} {self.csrf} {self.match_id} {self.type_id} "
            f"{self.interaction_id}"
        )


def signed_in(user) -> Client:
    """A session made by Django's own login(), as the sign-in page would make it.

    The password check is skipped (1M PBKDF2 iterations per person would measure the hash,
    not the pages); everything login() does, signals included, happens.
    """
    from importlib import import_module

    from django.contrib.auth import login
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django.utils.crypto import get_random_string

    engine = import_module(settings.SESSION_ENGINE)
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")
    request.session = engine.SessionStore()
    request.user = AnonymousUser()
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    request.session.save()
    # A 32-character CSRF secret is also a valid token for it (Django's unmasked form).
    secret = get_random_string(32)
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={request.session.session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={secret}"
    )
    return Client(cookie=cookie, csrf=secret, email=user.email)


def mentor_clients(count: int) -> list[Client]:
    """Active mentors, each with an active match that started before the days the posts
    log sessions in (a session before its match started is refused, rightly)."""
    import datetime as dt

    from django.utils import timezone

    from portal.mentoring.models import Choice, ChoiceList, Match, MentorStatus

    type_id = Choice.objects.get(list=ChoiceList.TYPE_OF_MENTORING, is_default=True).pk
    interaction_id = Choice.objects.get(list=ChoiceList.INTERACTION, is_default=True).pk
    started_before = timezone.localdate() - dt.timedelta(days=POST_DAYS_BACK + 2)
    matches = (
        Match.objects.filter(
            status="active",
            start_date__lte=started_before,
            end_date__isnull=True,
            mentor__status=MentorStatus.ACTIVE,
        )
        .select_related("mentor__user")
        .order_by("mentor_id", "pk")
    )
    clients, seen = [], set()
    for match in matches.iterator():
        if match.mentor_id in seen:
            continue
        seen.add(match.mentor_id)
        client = signed_in(match.mentor.user)
        client.match_id, client.type_id, client.interaction_id = match.pk, type_id, interaction_id
        clients.append(client)
        if len(clients) == count:
            break
    if not clients:
        raise RuntimeError("No active mentor with an active match to sign in as.")
    return clients


def staff_client(email: str) -> Client:
    from portal.accounts.models import User

    return signed_in(User.objects.get(email=email))


def write_clients(path: Path, clients: list[Client]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(client.line() + "\n" for client in clients))
    return path


# --- Queries per page ---------------------------------------------------------------------


def _test_clients(page_list: list[Page], *, mentor_email: str, staff_email: str):
    """Each page with a test client of the portal (bench addresses included) signed in as
    the page's person: the in-process measures below take their requests from here."""
    from django.test import Client as TestClient
    from django.test import override_settings

    from portal.accounts.models import User

    users = {
        "mentor": User.objects.get(email=mentor_email),
        "staff": User.objects.get(email=staff_email),
    }
    with override_settings(ROOT_URLCONF="bench.urls"):
        for page in page_list:
            client = TestClient(HTTP_HOST="127.0.0.1")
            if page.who in users:
                client.force_login(users[page.who])
            yield page, client, users


def count_queries(page_list: list[Page], *, mentor_email: str, staff_email: str) -> dict:
    """Queries of one request to each page, captured by Django, after one warm-up request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for page, client, users in _test_clients(
        page_list, mentor_email=mentor_email, staff_email=staff_email
    ):
        if page.method == "POST":
            data = _one_post(users["mentor"])
            with CaptureQueriesContext(connection) as captured:
                response = client.post(page.path, data)
        else:
            client.get(page.path)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page.path)
                if response.streaming:
                    b"".join(response.streaming_content)
        if response.status_code != page.expect:
            raise RuntimeError(f"{page.name}: {response.status_code}, not {page.expect}")
        counts[page.name] = len(captured)
    return counts


def cpu_per_request(page_list: list[Page], *, mentor_email: str, staff_email: str) -> dict:
    """CPU milliseconds of the portal's own process per GET, one request at a time through
    Django's test client (no HTTP, no other client): the median of 15 after 3 warm-ups.
    Where a page's requests per second stand against the ceiling's, this says how much of
    the gap is Python (middleware, views, templates, building queries)."""
    found = {}
    gets = [page for page in page_list if page.method == "GET"]
    for page, client, _users in _test_clients(
        gets, mentor_email=mentor_email, staff_email=staff_email
    ):
        runs = []
        for number in range(18):
            started = time.process_time()
            client.get(page.path)
            if number >= 3:
                runs.append((time.process_time() - started) * 1000)
        found[page.name] = round(statistics.median(runs), 2)
    return found


def _one_post(user) -> dict:
    """A valid new session for the mentor's active match, at a time nobody else used."""
    import uuid

    from django.utils import timezone

    from portal.mentoring.models import Choice, ChoiceList, MatchStatus, ProgramSettings

    program = ProgramSettings.load()
    match = user.mentor.matches.filter(status=MatchStatus.ACTIVE).first()
    defaults = Choice.objects.filter(is_default=True)
    moment = timezone.localtime(timezone.now() - dt.timedelta(days=1), program.tz)
    return {
        "submission_token": str(uuid.uuid4()),
        "match": match.pk,
        "starts_at": moment.replace(minute=(moment.minute // 5) * 5 + 1).strftime("%Y-%m-%dT%H:%M"),
        "attendance": "met",
        "hours": "1.00",
        "type_of_mentoring": defaults.get(list=ChoiceList.TYPE_OF_MENTORING).pk,
        "interaction": defaults.get(list=ChoiceList.INTERACTION).pk,
        "activity": "",
        "notes": BENCH_NOTES,
    }  # fmt: skip


# --- The database ceiling -----------------------------------------------------------------


def raw_sql_timings(database_url: str, *, month_start, month_end, month_first_day,
                    month_last_day, repeat: int = 15) -> dict:  # fmt: skip
    """The staff reports' figures as plain SQL through psycopg: median milliseconds."""
    import psycopg

    from bench import report_sql

    params = {
        "start": month_start,
        "end": month_end,
        "first_day": month_first_day,
        "last_day": month_last_day,
    }
    timings = {}
    with psycopg.connect(database_url, autocommit=True) as connection:
        for name, statements in report_sql.REPORTS.items():
            runs = []
            for _ in range(repeat + 2):
                started = time.perf_counter()
                for statement in statements:
                    connection.execute(statement, params).fetchall()
                runs.append((time.perf_counter() - started) * 1000)
            timings[name] = {
                "median_ms": round(statistics.median(runs[2:]), 2),
                "statements": len(statements),
            }
    return timings


# --- The machine --------------------------------------------------------------------------


def machine(database_url: str | None) -> dict:
    import sqlite3

    import django

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        memory_gb = round(int(memory) / 1024 / 1024, 1)
    except OSError:
        memory_gb = 0
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": " ".join(_first_line(["wrk", "--version"]).split()[:2]),
        **_gunicorn_settings(),
    }
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as connection:
            info["postgresql"] = connection.execute("SHOW server_version").fetchone()[0]
    return info


def _gunicorn_settings() -> dict:
    """Workers, their kind and threads, as gunicorn.conf.py sets them in this environment."""
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return {
        "gunicorn_workers": conf["workers"],
        "gunicorn_worker_class": conf.get("worker_class", "sync"),
        "gunicorn_threads": conf.get("threads", 1),
    }


def _first_line(command: list[str]) -> str:
    if not shutil.which(command[0]):
        return "not installed"
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    return (done.stdout or done.stderr).splitlines()[0].strip()


def recreate_database(database_url: str) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(database_url)
    name = parsed.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name) or not name.endswith("_bench"):
        sys.exit(f"Refusing to recreate {name!r}: the benchmark's database must end in _bench.")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def problems(report: Report) -> list[str]:
    """Anything in the run that was not a normal answer: the figures would not mean much."""
    found = []
    for database, measures in (("PostgreSQL", report.postgres), ("SQLite", report.sqlite)):
        for m in measures:
            if m.bad or m.socket_errors:
                found.append(
                    f"{database}, {m.name}: {m.bad} unexpected answers, "
                    f"{m.socket_errors} socket errors"
                )
    posts = report.posts_checked
    if posts and not posts.get("each_once"):
        found.append(f"posts: {posts.get('accepted')} saved but {posts.get('rows')} rows stored")
    export = report.export
    if export and (export.get("status") != 200 or export["rows"] != export["expected_rows"]):
        found.append(f"export: status {export.get('status')}, {export['rows']} rows of "
                     f"{export['expected_rows']}")  # fmt: skip
    for m in report.staff:
        if m["bad"]:
            found.append(f"{m['name']}: {m['bad']} of {m['requests']} answers were not 200")
    excel = report.excel
    if excel and (excel.get("status") != 200 or not excel.get("is_excel")):
        found.append(f"Excel export: status {excel.get('status')}")
    imported = report.mentor_import
    if imported and (imported.get("failures") or imported["added"] != imported["mentors"]):
        found.append(
            f"import: {imported['added']} of {imported['mentors']} mentors added; "
            + "; ".join(imported.get("failures") or [])
        )
    done = report.background
    if done.get("available") and (
        done.get("status") != "ready" or done.get("rows") != done.get("expected_rows")
    ):
        found.append(
            f"background export: {done.get('status')}, "
            f"{done.get('rows')} of {done.get('expected_rows')} rows"
        )
    return found


def save(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(report), indent=2, default=str))
