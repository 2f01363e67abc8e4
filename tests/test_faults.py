"""Faults on PostgreSQL (ASVS 5.0 V16.5): the database drops every connection of the
portal several times in the middle of a load of session posts.

The portal runs in gunicorn on a free loopback port against this test run's database.
Mentors post sessions from threads (a signed-in session and the CSRF token, as a
browser), retrying an unanswered post with the same form, as a browser's resubmission
does. Meanwhile ``pg_terminate_backend`` cuts the portal's connections three times.
The answers must be successes or the portal's own 500/503 pages (never a trace), no
row may be half-written, every accepted entry must be there exactly once, and service
must be back within a few seconds. Then identical submissions race: one row.
"""

import datetime as dt
import os
import threading
import time
import urllib.parse
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench import loadtest
from portal.mentoring.models import Choice, ChoiceList, SessionLog
from portal.notifications.models import Notification
from portal.safeguarding.models import SafetyConcern
from tests.conftest import CHICAGO, is_postgres, make_match
from tests.serialized import django_db_setup  # noqa: F401  (see tests/serialized.py)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not is_postgres(), reason="faults need PostgreSQL (pg_terminate_backend); set DATABASE_URL"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


LOAD_SECONDS = 9
KILLS_AT = (2.0, 4.5, 7.0)
RECOVERY_SECONDS = 5


def portal_database_url() -> str:
    parsed = urllib.parse.urlparse(os.environ["DATABASE_URL"])
    return parsed._replace(path="/" + connection.settings_dict["NAME"]).geturl()


@pytest.fixture
def server(transactional_db):
    process, base_url = loadtest.start_server(portal_database_url(), workers=2)
    yield base_url
    loadtest.stop_server(process)


@pytest.fixture
def mentors(program, school_a, school_b, site_contact_a, staff_user):
    start = timezone.localdate() - dt.timedelta(days=200)
    return [
        make_match(f"fault-mentor-{n}@example.org", school_a if n % 2 else school_b, f"K{n}", start)
        for n in range(4)
    ]


def browser_for(base_url: str, user) -> "loadtest.PortalClient":
    """A urllib browser carrying a session signed in by Django's test client."""
    client = Client()
    client.force_login(user)
    browser = loadtest.PortalClient(base_url, timeout=15)
    browser.set_cookie("sessionid", client.cookies["sessionid"].value)
    return browser


def form_for(match, token: str, when: dt.datetime, **extra) -> dict:
    local = timezone.localtime(when, CHICAGO)
    return {
        "csrfmiddlewaretoken": token,
        "submission_token": str(uuid.uuid4()),
        "match": match.pk,
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "attendance": "met",
        "hours": "1.00",
        "type_of_mentoring": Choice.objects.get(
            list=ChoiceList.TYPE_OF_MENTORING, is_default=True
        ).pk,
        "interaction": Choice.objects.get(list=ChoiceList.INTERACTION, is_default=True).pk,
        "activity": "",
        "notes": "We played cards. Logged during a database fault drill.",
        **extra,
    }


def kill_connections() -> int:
    """Cut every connection to the test database but this test's own: the portal's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        return len(cursor.fetchall())


def test_the_portal_survives_lost_database_connections(server, mentors):
    browsers = [(match, browser_for(server, match.mentor.user)) for match in mentors]
    # Build the forms before the load: the choice lookups use this test's connection.
    first = timezone.now() - dt.timedelta(days=30)
    answers, submitted, accepted, successes = [], [], {}, []
    lock = threading.Lock()
    started = time.monotonic()
    stop_at = started + LOAD_SECONDS
    template = {m.pk: form_for(m, "", first) for m in mentors}

    def mentor(index, match, browser):
        slot = 0
        while time.monotonic() < stop_at:
            token, page = browser.csrf_token("/sessions/new/")
            with lock:
                answers.append(("form", page))
            if token is None:
                time.sleep(0.1)
                continue
            when = first + dt.timedelta(minutes=15 * slot)
            slot += 1
            data = {
                **template[match.pk],
                "csrfmiddlewaretoken": token,
                "submission_token": str(uuid.uuid4()),
                "starts_at": timezone.localtime(when, CHICAGO).strftime("%Y-%m-%dT%H:%M"),
            }
            if slot % 4 == 0:
                data.update(safety_concern="on", safety_concern_details="Fault drill concern.")
            with lock:
                submitted.append(data["submission_token"])
            for _attempt in range(40):  # retry the same form until it is answered
                answer = browser.request("/sessions/new/", data)
                with lock:
                    answers.append(("post", answer))
                found = loadtest.SESSION_RE.search(answer.location)
                if answer.status == 302 and found:
                    with lock:
                        accepted[data["submission_token"]] = int(found.group(1))
                        successes.append(time.monotonic())
                    break
                time.sleep(0.2)

    threads = [threading.Thread(target=mentor, args=(i, m, b)) for i, (m, b) in enumerate(browsers)]
    for thread in threads:
        thread.start()
    kills = []
    for moment in KILLS_AT:
        time.sleep(max(0, started + moment - time.monotonic()))
        kills.append((time.monotonic(), kill_connections()))
    for thread in threads:
        thread.join(timeout=60)

    statuses = {}
    for _kind, answer in answers:
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        assert "Traceback" not in answer.body and 'File "/' not in answer.body
        if answer.status >= 500:
            assert "<html" in answer.body.lower(), answer.body[:200]
    unexpected = set(statuses) - {200, 302, 500, 503}
    assert not unexpected, f"answers: {statuses}"
    assert sum(kill[1] for kill in kills) > 0, "the drill cut no connection"
    for killed_at, _count in kills:
        back = [moment for moment in successes if moment > killed_at]
        assert back and back[0] - killed_at < RECOVERY_SECONDS, "service not back in time"

    # Every submission was accepted in the end, exactly once, and nothing else was saved.
    assert set(accepted) == set(submitted)
    rows = SessionLog.objects.filter(match__in=mentors)
    saved = [str(token) for token in rows.values_list("submission_token", flat=True)]
    assert sorted(saved) == sorted(accepted), "rows lost or duplicated"
    assert not rows.filter(revisions__isnull=True).exists(), "a session without its history"
    for session in rows.filter(safety_concern=True):
        concern = SafetyConcern.objects.get(session=session)
        assert Notification.objects.filter(subject_id=concern.pk).exists(), "concern, no email"
    print(
        f"\nfault drill: {len(kills)} cuts ({sum(k[1] for k in kills)} connections), "
        f"{len(answers)} requests, answers {statuses}, {len(accepted)} sessions saved, "
        f"rows lost 0"
    )


def test_identical_submissions_at_once_create_one_row(server, mentors):
    match = mentors[0]
    browsers = [browser_for(server, match.mentor.user) for _ in range(6)]
    token, _page = browsers[0].csrf_token("/sessions/new/")
    same = form_for(match, token, timezone.now() - dt.timedelta(days=2))
    barrier = threading.Barrier(len(browsers))
    answers = []

    def submit(browser):
        browser.set_cookie("csrftoken", _csrf_cookie(browsers[0]))
        barrier.wait()
        answers.append(browser.request("/sessions/new/", same))

    threads = [threading.Thread(target=submit, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert SessionLog.objects.filter(match=match).count() == 1
    assert {a.status for a in answers} <= {200, 302}, [a.status for a in answers]


def _csrf_cookie(browser) -> str:
    return next(cookie.value for cookie in browser.jar if cookie.name == "csrftoken")
