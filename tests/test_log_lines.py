"""Log lines: one line per record, no query strings, no exception messages (SPEC 6)."""

import io
import logging

from gunicorn.config import Config

from portal.security.logging import GunicornLogger, RedactSecretsFilter, SafeFormatter
from tests.test_error_pages import gunicorn_access_atoms

NOTE = "Jane said she is scared of the bruise"


def fail(message: str):
    # The message comes from data, as a real error's does (the frame shows this line only).
    raise ValueError(message)


def formatted(message: str, *args, exc_info=None) -> str:
    record = logging.LogRecord("portal", logging.ERROR, __file__, 1, message, args, exc_info)
    RedactSecretsFilter().filter(record)
    return SafeFormatter("%(levelname)s %(message)s").format(record)


def test_a_line_feed_in_a_logged_path_cannot_forge_a_second_line():
    line = formatted("error %s: 404 GET %s", "AB12", "/x\nINFO portal forged: admin signed in")
    assert "\n" not in line
    assert line == "ERROR error AB12: 404 GET /x\\nINFO portal forged: admin signed in"


def test_other_control_characters_are_escaped_too():
    assert formatted("%s", "a\x0bb\x1b[31mc\x00d") == "ERROR a\\x0bb\\x1b[31mc\\x00d"


def test_a_query_string_is_never_written():
    line = formatted("Error handling request %s", "/staff/export/?mentor=Jane&notes=bruise")
    assert line == "ERROR Error handling request /staff/export/?[query removed]"


def test_an_exception_is_logged_with_its_type_and_frames_but_not_its_message(settings):
    settings.DEBUG = False
    try:
        fail(f"Cannot convert {NOTE!r} to Excel")
    except ValueError as exc:
        line = formatted("error %s", "AB12", exc_info=(type(exc), exc, exc.__traceback__))
    assert "ValueError" in line and "test_log_lines.py" in line
    assert "Jane" not in line and "scared" not in line


def gunicorn_logger() -> tuple[GunicornLogger, io.StringIO]:
    logger = GunicornLogger(Config())
    stream = io.StringIO()
    for handler in logger.error_log.handlers:
        handler.setStream(stream)
    return logger, stream


def test_gunicorns_error_log_leaves_out_query_strings_and_exception_messages(settings):
    settings.DEBUG = False
    logger, stream = gunicorn_logger()
    try:
        fail(f"the notes: {NOTE}")
    except ValueError:
        logger.exception("Error handling request %s", "/staff/export/?month=2026-11&q=Jane\nX")
    written = stream.getvalue()
    assert "Error handling request /staff/export/?[query removed]" in written
    assert "Jane" not in written and "bruise" not in written
    assert "ValueError" in written


def test_gunicorns_access_log_escapes_a_line_feed_in_the_path():
    atoms = gunicorn_access_atoms("/help/\nforged line")
    assert atoms["U"] == "/help/\\nforged line"
    assert "\n" not in atoms["r"]
