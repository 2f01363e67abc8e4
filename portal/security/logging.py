"""A logging filter that keeps secrets out of the logs, whatever a message contains.

Nothing in the portal logs request bodies or query strings; this is the second line:

- sign-in and reset tokens in paths, ``password=...``-style pairs, one-time codes and
  query strings are replaced by ``[redacted]`` before any handler writes the record, as
  are ``notes=...`` pairs for every field a model declares as text about a child
  (``CHILD_TEXT_FIELDS``, read once the models are loaded);
- control characters are written as escapes (``\\n``, ``\\x0b``), so a path with ``%0a``
  cannot forge a log line;
- a traceback keeps its frames (file, line, code) but not the exception's message, which
  may quote what someone typed (a child's notes in a value a library refused). Messages
  of connection errors, which hold no one's text, are kept.

gunicorn's access and error logs go through the same filter (``GunicornLogger``).

Each record also carries the id of the request it was written for (``RequestIdFilter``,
set by ``RequestIdMiddleware``), and ``LOG_FORMAT=json`` writes one JSON object a line
(``JsonFormatter``), so the lines of one request can be found across several servers.
"""

import contextvars
import datetime as dt
import json
import logging
import re
import traceback

from django.apps import apps
from django.db import InterfaceError, OperationalError

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
    # The query string of an address: searches and filters can name people.
    re.compile(r"((?:^|[\s\"'(])/[^\s?\"']*\?)([^\s\"']+)"),
]

# Exceptions whose messages are about connections, never about anyone's text.
MESSAGE_KEPT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


# Built from the models' declarations the first time it is needed once they are loaded
# (the logging is set up before the models, and may write before them).
_child_text: list[re.Pattern] = []


def child_text_pattern() -> list[re.Pattern]:
    """``name=value`` or ``"name": "value"`` for each child text field name, alone or
    after a prefix (``form-0-notes``)."""
    if not _child_text and apps.ready:
        names = sorted(
            {
                name
                for model in apps.get_models()
                for name in getattr(model, "CHILD_TEXT_FIELDS", ())
            }
        )
        if names:
            alternatives = "|".join(re.escape(name) for name in names)
            _child_text.append(
                re.compile(
                    rf"(?i)((?<![\w-])(?:[\w-]*[_-])?(?:{alternatives})"
                    r"[\"']?\s*[=:]\s*[\"']?)([^\s&\"',;]+)"
                )
            )
    return _child_text


def redact(text: str) -> str:
    for pattern in (*PATTERNS, *child_text_pattern()):
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def describe(exc: BaseException) -> str:
    """An exception for the log without its message: its type, and where it was raised."""
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return name
    last = frames[-1]
    return f"{name} at {last.filename}:{last.lineno} in {last.name}"


def traceback_without_messages(exc: BaseException) -> str:
    """A traceback as Python prints it, with every exception's message left out (kept,
    escaped, for connection errors)."""
    parts = []
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        name = f"{type(exc).__module__}.{type(exc).__qualname__}"
        if isinstance(exc, MESSAGE_KEPT):
            last = f"{name}: {printable(redact(str(exc)))[:500]}"
        else:
            last = f"{name} (message left out of the log)"
        frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
        parts.append(f"Traceback (most recent call last):\n{frames}{last}")
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\n\nWhile handling the exception above, this one:\n\n".join(reversed(parts))


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            # Set before any handler formats the record, so none writes the messages.
            record.exc_text = traceback_without_messages(record.exc_info[1])
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave the record to the handler
            return True
        cleaned = printable(redact(message))
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


# The id of the request this thread is answering ("-" outside a request).
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_request_id", default="-"
)


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record, for the formats to write."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    and the traceback (already without messages, see above) as ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id.get()),
        }
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry)  # ASCII: no character a reader could take for a line end


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is a runtime dependency
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    """gunicorn's logs, with the portal's filter (see gunicorn.conf.py): tokens in paths
    redacted, control characters escaped in every access log atom, and the error log
    (which names the address of a request that failed) filtered like the portal's."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactSecretsFilter) for f in log.filters):
                log.addFilter(RedactSecretsFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str):
                value = printable(value)
                atoms[key] = redact(value) if key in ("U", "r", "q", "f") else value
        return atoms
