"""Error pages: plain words and an error id that is in the log, never a trace; a 503 that
says the entry was not saved when the database does not answer, and recovery after."""

import logging
import time
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client
from django.urls import path

from portal.security import errors
from portal.security.logging import RedactSecretsFilter, redact
from portal.urls import urlpatterns as portal_urls
from tests.conftest import is_postgres


def explode(request):
    raise RuntimeError("secret detail that must not reach the page")


urlpatterns = [path("explode/", explode), *portal_urls]
handler400 = "portal.security.errors.bad_request"
handler403 = "portal.security.errors.permission_denied"
handler404 = "portal.security.errors.page_not_found"
handler500 = "portal.security.errors.server_error"

TRACE_MARKS = ["Traceback", "RuntimeError", "secret detail", 'File "', "site-packages"]


def error_id_of(response) -> str:
    error_id = response["X-Error-Id"]
    assert f"Error id: {error_id}" in response.content.decode()
    return error_id


def logged(caplog, error_id: str) -> bool:
    return any(error_id in record.getMessage() for record in caplog.records)


def test_the_404_page_has_an_id_that_is_logged(client, db, caplog):
    caplog.set_level(logging.INFO, logger="portal.errors")
    response = client.get("/no-such-page/?email=someone@example.org")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    error_id = error_id_of(response)
    assert logged(caplog, error_id)
    assert not any("someone@example.org" in r.getMessage() for r in caplog.records)


def test_the_403_page_has_an_id(client, mentor_a, caplog):
    caplog.set_level(logging.INFO, logger="portal.errors")
    client.force_login(mentor_a)
    response = client.get("/concerns/")
    assert response.status_code == 403
    assert "not available to you" in response.content.decode()
    assert logged(caplog, error_id_of(response))


def test_the_400_page_has_an_id(client, db, caplog):
    response = client.get("/accounts/sign-in/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Something was not right" in response.content.decode()
    assert logged(caplog, error_id_of(response))


@pytest.mark.urls(__name__)
def test_the_500_page_has_an_id_and_no_trace_and_the_log_has_both(db, caplog):
    client = Client(raise_request_exception=False)
    response = client.get("/explode/")
    assert response.status_code == 500
    body = response.content.decode()
    for mark in TRACE_MARKS:
        assert mark not in body
    error_id = error_id_of(response)
    record = next(r for r in caplog.records if error_id in r.getMessage())
    assert record.exc_info and record.exc_info[0] is RuntimeError


def test_the_500_page_needs_no_database(rf):
    # No database fixture: any query here would raise.
    response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()


# --- The database does not answer ------------------------------------------------------------


def failing_cursor():
    return mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("could not connect to server"),
    )


def test_a_database_outage_gives_a_503_that_says_the_entry_was_not_saved(client_a, match_a):
    client = Client(raise_request_exception=False)
    client.cookies = client_a.cookies
    with failing_cursor():
        response = client.post("/sessions/new/", {"notes": "We read a book together."})
    assert response.status_code == 503
    body = response.content.decode()
    assert "Your entry was not saved, please try again." in body
    assert response["Retry-After"] == "5"
    error_id_of(response)
    assert "no-store" in response["Cache-Control"]
    # Back as soon as the database is.
    assert client.get("/mentor/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_answers_quickly_and_recovers_without_a_restart(
    mentor_a, django_db_blocker
):
    client = Client(raise_request_exception=False)
    client.force_login(mentor_a)
    assert client.get("/mentor/").status_code == 200
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if is_postgres():
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", "9"
    else:
        connection.settings_dict["NAME"] = "/nonexistent-directory/portal.sqlite3"
    try:
        started = time.monotonic()
        response = client.get("/mentor/")
        assert response.status_code == 503
        assert time.monotonic() - started < 6
        assert "Your entry was not saved" in response.content.decode()
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert client.get("/mentor/").status_code == 200


def test_postgres_connections_have_connect_and_statement_timeouts(settings):
    if not is_postgres():
        pytest.skip("SQLite: busy_timeout is set in init_command instead")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["connect_timeout"] <= 5
    assert "statement_timeout=15000" in options["options"]
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_sqlite_waits_at_most_5_seconds_for_a_lock(settings):
    if is_postgres():
        pytest.skip("PostgreSQL: statement_timeout instead")
    assert "busy_timeout=5000" in settings.DATABASES["default"]["OPTIONS"]["init_command"]


# --- Nothing secret in the logs --------------------------------------------------------------


def test_the_log_filter_removes_passwords_tokens_and_notes():
    lines = {
        "POST /accounts/sign-in/ password=hunter2&username=a@b.org": "hunter2",
        'payload {"notes": "Jane was sad today"}': "Jane was sad",
        "GET /accounts/password/reset/MQ/cz7k1a-0123456789abcdef0123456789abcdef/": "cz7k1a",
        "GET /enroll/Ab3dEfGh1jKlMn0pQrStUvWxYz12/": "Ab3dEfGh1jKlMn0pQrStUvWxYz12",
        "code=123456": "123456",
        "Authorization: Bearer abc.def": "abc.def",
    }
    for line, secret in lines.items():
        assert secret not in redact(line), line
    assert redact("GET /mentor/sessions/42/edit/ 200") == "GET /mentor/sessions/42/edit/ 200"


def test_the_console_handler_uses_the_filter(settings):
    handler = settings.LOGGING["handlers"]["console"]
    # Redaction first, then the request id (which adds a field and changes no text).
    assert handler["filters"] == ["redact", "request_id"]
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token=%s", ("s3cr3t",), None)
    RedactSecretsFilter().filter(record)
    assert "s3cr3t" not in record.getMessage()


@pytest.mark.urls(__name__)
def test_a_failed_request_logs_no_body_and_no_query_string(client_a, caplog):
    caplog.set_level(logging.DEBUG)
    client = Client(raise_request_exception=False)
    client.cookies = client_a.cookies
    client.post("/explode/?token=abc123", {"notes": "Jane's family lost their home"})
    with failing_cursor():
        client.post("/sessions/new/", {"notes": "Jane's family lost their home"})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "Jane" not in text and "abc123" not in text


def gunicorn_access_atoms(path: str) -> dict:
    """The values gunicorn's access log line is made of, for a GET of ``path``."""
    import datetime as dt
    from types import SimpleNamespace

    from gunicorn.config import Config

    from portal.security.logging import GunicornLogger

    logger = GunicornLogger(Config())
    request = SimpleNamespace(
        headers=[], uri=path, path=path, query="", method="GET", version=(1, 1)
    )
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    response = SimpleNamespace(status="200 OK", response_length=10, headers=[], sent=10)
    return logger.atoms(response, request, environ, dt.timedelta(seconds=0.1))


def test_the_gunicorn_access_log_hides_tokens_in_paths():
    path = "/accounts/password/reset/MQ/cz7k1a-0123456789abcdef0123456789abcdef/"
    atoms = gunicorn_access_atoms(path)
    assert "cz7k1a" not in atoms["U"] and "cz7k1a" not in atoms["r"]


def test_a_form_from_a_stale_page_gets_a_plain_403_with_an_id(mentor_a, caplog):
    caplog.set_level(logging.INFO, logger="portal.errors")
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor_a)
    response = client.post("/sessions/new/", {"notes": "We met."})
    assert response.status_code == 403
    assert "Please try again" in response.content.decode()
    assert logged(caplog, error_id_of(response))
