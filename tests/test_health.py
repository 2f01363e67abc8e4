"""Load balancers' probes: /health/live touches no database; /health/ready answers 503
naming the database, the cache or the outbox when one fails; both are answered over plain
http and by IP address under production settings, never cached, with nothing private."""

import datetime as dt
import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone

from portal.notifications.models import Notification, NotificationState
from portal.urls import urlpatterns as portal_urls
from tests.test_security_headers import production

LIVE = "/health/live/"
READY = "/health/ready/"


def body(response) -> dict:
    return json.loads(response.content)


def never_cached(response) -> bool:
    control = response["Cache-Control"]
    return "no-store" in control and "no-cache" in control and "max-age=0" in control


def queue_email(**fields) -> Notification:
    return Notification.objects.create(to="mentor@example.org", template="invitation", **fields)


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


# --- Liveness ---------------------------------------------------------------------------------


def test_live_answers_without_the_database(client):
    """No ``db`` fixture: pytest-django refuses any query, and the connection fails too."""
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get(LIVE)
    assert response.status_code == 200
    assert body(response) == {"status": "ok"}
    assert response["Content-Type"] == "application/json"
    assert never_cached(response)
    assert not response.cookies  # no session, no CSRF cookie


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
def test_probes_without_the_final_slash_are_answered_not_redirected(client, db, path):
    assert client.get(path).status_code == 200


def test_probes_are_read_only(client, db):
    assert client.post(LIVE).status_code == 405
    assert client.post(READY).status_code == 405
    assert client.head(LIVE).status_code == 200


# --- Readiness ---------------------------------------------------------------------------------


def test_ready_when_everything_answers(client, db):
    response = client.get(READY)
    assert response.status_code == 200
    assert body(response) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "outbox": "ok"},
    }
    assert never_cached(response)


def test_an_email_waiting_longer_than_the_threshold_makes_the_server_not_ready(
    client, db, settings
):
    settings.HEALTH_OUTBOX_MAX_AGE_SECONDS = 600
    queue_email(next_attempt_at=ago(minutes=11))
    response = client.get(READY)
    assert response.status_code == 503
    assert body(response)["failing"] == ["outbox"]
    assert body(response)["checks"] == {"database": "ok", "cache": "ok", "outbox": "fail"}


def test_an_email_waiting_less_than_the_threshold_is_fine(client, db, settings):
    settings.HEALTH_OUTBOX_MAX_AGE_SECONDS = 600
    queue_email(next_attempt_at=ago(minutes=9))
    assert client.get(READY).status_code == 200


def test_emails_sent_failed_or_waiting_for_their_next_try_do_not_count(client, db, settings):
    settings.HEALTH_OUTBOX_MAX_AGE_SECONDS = 600
    long_ago = ago(days=2)
    queue_email(created_at=long_ago, state=NotificationState.SENT, sent_at=long_ago)
    queue_email(created_at=long_ago, state=NotificationState.FAILED)
    # Created long ago, tried and failed: its next try is in ten minutes.
    queue_email(created_at=long_ago, next_attempt_at=ago(minutes=-10), attempts=3)
    assert client.get(READY).status_code == 200


def test_an_email_a_killed_worker_claimed_long_ago_makes_the_server_not_ready(client, db, settings):
    settings.HEALTH_OUTBOX_MAX_AGE_SECONDS = 600
    settings.NOTIFICATION_LEASE_SECONDS = 60
    queue_email(state=NotificationState.SENDING, claimed_at=ago(minutes=12), claimed_by="w1")
    assert client.get(READY).status_code == 503


def test_an_email_being_sent_right_now_is_fine(client, db, settings):
    settings.HEALTH_OUTBOX_MAX_AGE_SECONDS = 600
    queue_email(
        state=NotificationState.SENDING,
        next_attempt_at=ago(minutes=30),
        claimed_at=ago(seconds=5),
        claimed_by="w1",
    )
    assert client.get(READY).status_code == 200


def test_a_cache_that_loses_values_makes_the_server_not_ready(client, db):
    with mock.patch("portal.health.checks.cache.get", return_value=None):
        response = client.get(READY)
    assert response.status_code == 503
    assert body(response)["failing"] == ["cache"]


def test_a_cache_that_cannot_be_reached_makes_the_server_not_ready(client, db, caplog):
    with mock.patch(
        "portal.health.checks.cache.set", side_effect=ConnectionError("redis:6379 refused")
    ):
        response = client.get(READY)
    assert response.status_code == 503
    assert body(response)["checks"]["cache"] == "fail"
    assert "redis" not in response.content.decode()  # the log says why, not the answer
    assert "health check cache failed" in caplog.text and "refused" in caplog.text


def test_a_database_that_is_down_makes_the_server_not_ready(client, db, caplog, settings):
    with mock.patch(
        "portal.health.checks.connection.cursor",
        side_effect=OperationalError('could not connect to server at "db.internal"'),
    ):
        response = client.get(READY)
    assert response.status_code == 503
    answer = body(response)
    assert answer["status"] == "fail"
    # Without Redis the cache is a database table, so it fails with the database.
    cache = "fail" if "DatabaseCache" in settings.CACHES["default"]["BACKEND"] else "ok"
    assert answer["checks"] == {"database": "fail", "cache": cache, "outbox": "not checked"}
    assert answer["failing"] == [n for n, result in answer["checks"].items() if result != "ok"]
    assert "database" in answer["failing"] and "outbox" in answer["failing"]
    assert "db.internal" not in response.content.decode()
    assert "health check database failed" in caplog.text
    # One warning per failed check, not Django's error for the 503 as well.
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_a_failing_answer_is_never_cached(client, db):
    with mock.patch("portal.health.checks.cache.get", return_value=None):
        response = client.get(READY)
    assert never_cached(response)


# --- Under production settings: plain http, any Host --------------------------------------------


@production
@override_settings(ALLOWED_HOSTS=["mentors.example.org"])
@pytest.mark.parametrize("path", [LIVE, READY])
def test_probes_over_plain_http_by_ip_address_are_answered(client, db, path):
    response = client.get(path, HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert body(response)["status"] == "ok"


@production
@override_settings(ALLOWED_HOSTS=["mentors.example.org"])
def test_every_other_page_is_still_redirected_and_host_checked(client, db):
    assert client.get("/help/", HTTP_HOST="mentors.example.org").status_code == 301
    assert client.get("/help/", HTTP_HOST="10.0.0.5", secure=True).status_code == 400
    # security.txt too: it names the site, so it goes through the full checks.
    assert client.get("/.well-known/security.txt", HTTP_HOST="10.0.0.5").status_code == 400


def test_the_redirect_exemption_in_the_settings_matches_the_probes():
    """Were the probes ever answered below SecurityMiddleware, its exemption still holds."""
    import re

    from tests.production_env import production_env

    code = "from django.conf import settings; print(settings.SECURE_REDIRECT_EXEMPT)"
    import subprocess
    import sys

    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=production_env(),
        capture_output=True,
        text=True,
    ).stdout
    patterns = [re.compile(p) for p in eval(out)]  # noqa: S307 - our own settings' repr
    for path in ("health/live/", "health/ready/", "health/live"):
        assert any(p.search(path) for p in patterns), path
    assert not any(p.search("help/") for p in patterns)


# The portal's URL configuration without the probes, for the test below.
urlpatterns = [p for p in portal_urls if getattr(p, "app_name", None) != "health"]
handler404 = "portal.security.errors.page_not_found"


@pytest.mark.urls(__name__)
def test_a_url_configuration_without_the_probes_still_serves(client, db):
    assert client.get(LIVE).status_code == 404
