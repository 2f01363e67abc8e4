"""Log lines cannot be forged and hold no one's text: control characters are escaped in
every record (the portal's and gunicorn's), tracebacks leave exception messages out, and
query strings are redacted. Read through the real console handler of settings.LOGGING."""

import datetime as dt
import io
import logging
from types import SimpleNamespace
from unittest import mock

import pytest
from django.test import Client

from portal.security.logging import GunicornLogger, RedactSecretsFilter

NOTES = "Jane said nobody was home for two days"


@pytest.fixture
def console():
    """What the portal's console handler writes, as text."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    )
    stream = io.StringIO()
    old = handler.setStream(stream)
    level = logging.getLogger().level
    logging.getLogger().setLevel(logging.INFO)
    yield stream
    handler.setStream(old)
    logging.getLogger().setLevel(level)


def test_a_line_feed_in_the_address_cannot_forge_a_log_line(db, console):
    response = Client().get("/no-such-page%0a2026-12-02 INFO portal.audit admin signed in/")

    assert response.status_code == 404
    lines = console.getvalue().splitlines()
    assert len(lines) == 1
    assert f"error {response['X-Error-Id']}: 404 GET /no-such-page\\n2026-12-02" in lines[0]


def test_every_control_character_of_a_message_is_escaped(console):
    logging.getLogger("portal.test").warning("a %s b", "x\x0b\x1b[31my\rz")

    assert console.getvalue().strip().endswith("a x\\x0b\\x1b[31my\\rz b")


def test_a_500_logs_its_error_id_and_frames_but_not_the_notes_nor_the_query(
    db, console, staff_user
):
    client = Client(raise_request_exception=False)
    client.force_login(staff_user)
    failure = ValueError(f"cannot be used in worksheets: {NOTES}")

    with mock.patch("portal.staff.selectors.dashboard_figures", side_effect=failure):
        response = client.get("/staff/?month=private-search-for-jane")

    assert response.status_code == 500
    written = console.getvalue()
    assert f"error {response['X-Error-Id']}: 500 GET /staff/" in written
    assert "Traceback (most recent call last)" in written
    assert "builtins.ValueError (message left out of the log)" in written
    assert "dashboard" in written  # the frames are kept
    assert NOTES not in written and "private-search" not in written


def test_a_database_connection_error_keeps_its_message(console):
    from django.db import OperationalError

    try:
        raise OperationalError("connection to server at 10.0.0.5 failed")
    except OperationalError:
        logging.getLogger("portal.test").exception("the database is down")

    assert "connection to server at 10.0.0.5 failed" in console.getvalue()


def test_an_address_in_a_message_loses_its_query_string(console):
    logging.getLogger("portal.errors").error(
        "Error handling request %s", "/staff/export/?report=sessions&mentor=jane"
    )

    written = console.getvalue()
    assert "/staff/export/?[redacted]" in written and "jane" not in written


# --- gunicorn -----------------------------------------------------------------------------


def _gunicorn_logger() -> GunicornLogger:
    from gunicorn.config import Config

    return GunicornLogger(Config())


def test_gunicorn_access_log_atoms_escape_control_characters():
    path = '/help/\n127.0.0.1 "GET /admin/ HTTP/1.1" 200'
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "agent\r\nforged",
    }
    request = SimpleNamespace(headers=[], uri=path, path=path, query="", method="GET")
    response = SimpleNamespace(status="404 Not Found", headers=[], sent=10)

    atoms = _gunicorn_logger().atoms(response, request, environ, dt.timedelta(seconds=0.1))

    assert atoms["U"] == '/help/\\n127.0.0.1 "GET /admin/ HTTP/1.1" 200'
    assert "\n" not in atoms["r"] and "\r" not in atoms["a"]


def test_gunicorn_error_log_is_filtered_like_the_portal():
    logger = _gunicorn_logger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.error_log.addHandler(handler)
    try:
        try:
            raise ValueError(NOTES)
        except ValueError:
            logger.exception("Error handling request %s", "/staff/export/?mentor=jane%0a")
    finally:
        logger.error_log.removeHandler(handler)

    written = stream.getvalue()
    assert "Error handling request /staff/export/?[redacted]" in written
    assert "builtins.ValueError (message left out of the log)" in written
    assert NOTES not in written and "jane" not in written
