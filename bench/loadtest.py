#!/usr/bin/env python3
"""Month-end load test: many mentors sign in and log sessions at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_load \\
        .venv/bin/python -m bench.loadtest --mentors 20 --seconds 45

It (re)creates the throwaway database named in DATABASE_URL, migrates it, creates its own
mentors, starts gunicorn on a free port of 127.0.0.1 (loopback only), and runs one
thread per mentor: sign in, then again and again open the session form and post a
session. At the end it checks that every accepted submission is in the database exactly
once, and that nothing else is, then reports requests/s, p50 and p99 latency and errors.
Exit status 1 if any request failed or any row is missing or extra.

Standard library only (threads and urllib), so it needs nothing beyond the portal's own
requirements. It serves the portal under the production settings (``portal.settings``):
logging sessions needs nothing of the benchmark's app. ``PortalClient`` and
``start_server`` are reused by tests/test_faults.py.
"""

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess  # noqa: S404  (fixed argument lists, loopback only)
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "month-end-load-2026"  # noqa: S105  (throwaway mentors in a throwaway database)
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SESSION_RE = re.compile(r"/sessions/(\d+)/")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused or reset)
    body: str
    location: str
    seconds: float


class PortalClient:
    """One browser: its own cookies, no redirects followed, a short timeout."""

    def __init__(self, base_url: str, timeout: float = 10):
        self.base_url = base_url
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                status, text, location = response.status, response.read(), ""
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
            location = error.headers.get("Location", "")
        except (OSError, http.client.HTTPException) as error:
            return Answer(0, repr(error), "", time.perf_counter() - started)
        return Answer(
            status, text.decode(errors="replace"), location, time.perf_counter() - started
        )

    def set_cookie(self, name: str, value: str) -> None:
        """Carry a cookie made elsewhere (a session signed in by the test's own client)."""
        host = urllib.parse.urlparse(self.base_url).hostname
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0,
                name,
                value,
                None,
                False,
                host,
                False,
                False,
                "/",
                True,
                False,
                None,
                False,
                None,
                None,
                {},
            )
        )

    def csrf_token(self, path: str) -> tuple[str | None, Answer]:
        page = self.request(path)
        found = TOKEN_RE.search(page.body)
        return (found.group(1) if found else None), page

    def sign_in(self, email: str, password: str) -> Answer:
        token, page = self.csrf_token("/accounts/sign-in/")
        if token is None:
            return page
        return self.request(
            "/accounts/sign-in/",
            {"csrfmiddlewaretoken": token, "username": email, "password": password},
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, *, workers: int = 4, log=None) -> tuple[subprocess.Popen, str]:
    """gunicorn on a free loopback port against ``database_url``; waits until it answers."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "PORTAL_PLAIN_STATIC": "1",
        "DEBUG": "",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603
        [str(ROOT / ".venv/bin/gunicorn"), "--config", "gunicorn.conf.py", "portal.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log or subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before answering")
        if PortalClient(base_url, timeout=2).request("/help/").status == 200:
            return server, base_url
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@dataclass
class Mentor:
    email: str
    match_id: int
    type_id: int
    interaction_id: int


def session_form(mentor: Mentor, token: str, starts_at: str, **extra) -> dict:
    return {
        "csrfmiddlewaretoken": token,
        "submission_token": str(uuid.uuid4()),
        "match": mentor.match_id,
        "starts_at": starts_at,
        "attendance": "met",
        "hours": "1.00",
        "type_of_mentoring": mentor.type_id,
        "interaction": mentor.interaction_id,
        "activity": "",
        "notes": "Month-end entry: we read together and played a card game.",
        **extra,
    }


@dataclass
class Results:
    latencies: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    accepted: dict = field(default_factory=dict)  # submission token -> session pk
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, what: str, answer: Answer, ok: bool) -> None:
        with self.lock:
            self.latencies.append(answer.seconds)
            if not ok:
                self.errors.append(f"{what}: {answer.status} {answer.body[:120]!r}")


def mentor_thread(base_url, mentor, results, stop_at, first_slot, delay=0.0, slot_minutes=10):
    client = PortalClient(base_url, timeout=30)
    time.sleep(delay)  # mentors arrive over a few seconds, not in the same millisecond
    answer = client.sign_in(mentor.email, PASSWORD)
    results.record("sign in", answer, answer.status == 302)
    slot = 0
    while time.monotonic() < stop_at:
        token, page = client.csrf_token("/sessions/new/")
        results.record("form", page, token is not None)
        if token is None:
            continue
        starts_at = first_slot + slot * slot_minutes * 60
        slot += 1
        stamp = time.strftime("%Y-%m-%dT%H:%M", time.localtime(starts_at))
        data = session_form(mentor, token, stamp)
        answer = client.request("/sessions/new/", data)
        saved = answer.status == 302 and SESSION_RE.search(answer.location)
        results.record("post", answer, bool(saved))
        if saved:
            with results.lock:
                results.accepted[data["submission_token"]] = int(saved.group(1))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def prepare_database(database_url: str, mentors: int) -> list[Mentor]:
    """Recreate the throwaway database, migrate it and create the mentors."""
    import psycopg

    parsed = urllib.parse.urlparse(database_url)
    name = parsed.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name) or not name.endswith("_load"):
        sys.exit(f"Refusing to recreate {name!r}: the load test's database must end in _load.")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from portal.accounts.models import Role, User
    from portal.mentoring.models import (
        Choice,
        ChoiceList,
        Match,
        Mentee,
        MentorStatus,
        ProgramSettings,
        SchoolSite,
    )
    from portal.mentoring.models import (
        Mentor as MentorRecord,
    )

    ProgramSettings.load()
    site = SchoolSite.objects.create(name="Load Test Elementary")
    start = timezone.localdate() - timezone.timedelta(days=90)
    password = make_password(PASSWORD)
    type_id = Choice.objects.get(list=ChoiceList.TYPE_OF_MENTORING, is_default=True).pk
    interaction_id = Choice.objects.get(list=ChoiceList.INTERACTION, is_default=True).pk
    created = []
    for number in range(mentors):
        email = f"load-mentor-{number}@example.org"
        user = User.objects.create(
            email=email, password=password, role=Role.MENTOR, full_name=f"Load Mentor {number}"
        )
        record = MentorRecord.objects.create(
            user=user, status=MentorStatus.ACTIVE, enrolled_on=start
        )
        mentee = Mentee.objects.create(
            first_name=f"Child{number}", last_initial="L", site=site, grade="4"
        )
        match = Match.objects.create(mentor=record, mentee=mentee, site=site, start_date=start)
        created.append(Mentor(email, match.pk, type_id, interaction_id))
    from django.db import connections

    connections.close_all()
    return created


def check_database(results: Results, mentors: list[Mentor]) -> list[str]:
    from django.db.models import Count

    from portal.mentoring.models import SessionLog

    problems = []
    rows = SessionLog.objects.filter(match_id__in=[m.match_id for m in mentors])
    by_token = dict(
        rows.values_list("submission_token")
        .annotate(n=Count("pk"))
        .values_list("submission_token", "n")
    )
    by_token = {str(token): count for token, count in by_token.items()}
    for token in results.accepted:
        if by_token.get(token) != 1:
            problems.append(
                f"accepted submission {token} is in the database {by_token.get(token, 0)} times"
            )
    extra = set(by_token) - set(results.accepted)
    if extra:
        problems.append(f"{len(extra)} rows in the database were never acknowledged")
    without_history = rows.annotate(n=Count("revisions")).filter(n=0).count()
    if without_history:
        problems.append(f"{without_history} sessions without their history row")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_load"
        ),
    )
    args = parser.parse_args()
    print(f"Preparing {args.database_url} with {args.mentors} mentors ...", flush=True)
    mentors = prepare_database(args.database_url, args.mentors)
    server, base_url = start_server(args.database_url, workers=args.workers)
    results = Results()
    try:
        print(f"Load: {args.mentors} mentors for {args.seconds:.0f} s on {base_url}", flush=True)
        started = time.monotonic()
        stop_at = started + args.seconds
        # Each mentor logs sessions 10 minutes apart, from 40 days ago: all in the past.
        first = time.time() - 40 * 86400
        threads = [
            threading.Thread(
                target=mentor_thread,
                args=(base_url, mentor, results, stop_at, first, number * 0.25),
            )
            for number, mentor in enumerate(mentors)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        stop_server(server)
    problems = check_database(results, mentors)
    requests = len(results.latencies)
    print(
        f"requests: {requests} in {elapsed:.1f} s = {requests / elapsed:.0f}/s; "
        f"p50 {percentile(results.latencies, 0.50) * 1000:.0f} ms, "
        f"p99 {percentile(results.latencies, 0.99) * 1000:.0f} ms, "
        f"mean {statistics.fmean(results.latencies or [0]) * 1000:.0f} ms"
    )
    print(
        f"sessions accepted: {len(results.accepted)} "
        f"({len(results.accepted) / elapsed:.0f}/s); errors: {len(results.errors)}; "
        f"rows missing or extra: {len(problems)}"
    )
    for line in results.errors[:10] + problems[:10]:
        print("  " + line)
    return 1 if results.errors or problems or not results.accepted else 0


if __name__ == "__main__":
    sys.exit(main())
