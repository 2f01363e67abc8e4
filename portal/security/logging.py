"""A logging filter and formatter that keep secrets and children's data out of the logs.

Nothing in the portal logs request bodies or query strings; this is the second line:
sign-in and reset tokens in paths, ``password=...``-style pairs and one-time codes are
replaced by ``[redacted]``, a query string after a path by ``[query removed]``, and every
control character is written as an escape (a ``%0a`` in a URL cannot forge a log line)
before any handler writes the record. Exceptions are logged with their type and where
they happened, not their message, which can quote what a person typed (a database error
quotes the values it refused; openpyxl quotes the cell it could not write).
"""

import logging
import re
import traceback

from django.conf import settings

from portal.lib.text import printable

REDACTED = "[redacted]"

PATTERNS = [
    # "Authorization: Bearer <token>" and the like: the word after the scheme.
    re.compile(r"(?i)(\b(?:bearer|basic|token)\s+)(\S+)"),
    # key=value or "key": "value" pairs whose key names a secret or a note.
    re.compile(
        r"(?i)(\b[\w-]*(?:password|passwd|secret|token|code|notes|csrfmiddlewaretoken|"
        r"sessionid|api[_-]?key|authorization)[\w-]*[\"']?\s*[=:]\s*[\"']?)([^\s&\"',;]+)"
    ),
    # Password reset links: /password/reset/<uid>/<token>/
    re.compile(r"(/password/reset/)([^/\s]+/[^/\s]+)"),
    # Any path segment that looks like a token (long, letters and digits mixed).
    re.compile(r"(/)((?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{20,})(?=/|\s|$|\?)"),
]


# A query string after a path: "/staff/sessions/?mentor=..." keeps only the path.
QUERY_STRING = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def redact(text: str) -> str:
    for pattern in PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def scrub(text: str) -> str:
    """``text`` fit for one log line: secrets redacted, query strings removed, control
    characters escaped."""
    return printable(QUERY_STRING.sub(r"\1?[query removed]", redact(text)))


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave the record to the handler
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class SafeFormatter(logging.Formatter):
    """Tracebacks with their frames and the exception's type, without its message
    (unless DEBUG is on, on a developer's machine)."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        try:
            debug = settings.DEBUG
        except Exception:  # settings not configured (gunicorn's own start-up)
            debug = False
        if debug:
            return super().formatException(ei)
        exc_type, _, tb = ei
        frames = "".join(traceback.format_tb(tb))
        name = getattr(exc_type, "__qualname__", str(exc_type))
        return (
            f"Traceback (most recent call last):\n{frames}{name} "
            "(message left out: it may quote what was typed)"
        )


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is a runtime dependency
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    """gunicorn's logs with the portal's rules (see gunicorn.conf.py): tokens in paths
    redacted and control characters escaped in the access log; the error log ("Error
    handling request /path?query") through the same filter and formatter as the portal's."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            if not any(isinstance(f, RedactSecretsFilter) for f in handler.filters):
                handler.addFilter(RedactSecretsFilter())
            if handler.formatter is not None and not isinstance(handler.formatter, SafeFormatter):
                handler.setFormatter(SafeFormatter(self.error_fmt, self.datefmt))

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r", "q", "f", "a"):
            if key in atoms and isinstance(atoms[key], str):
                atoms[key] = printable(redact(atoms[key]))
        return atoms
