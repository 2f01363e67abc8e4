"""A logging filter that keeps secrets out of the logs, whatever a message contains.

Nothing in the portal logs request bodies or query strings; this is the second line:
sign-in and reset tokens in paths, ``password=...``-style pairs and one-time codes are
replaced by ``[redacted]`` before any handler writes the record.
"""

import logging
import re

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


def redact(text: str) -> str:
    for pattern in PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave the record to the handler
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is a runtime dependency
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    """gunicorn's access log with tokens in paths redacted (see gunicorn.conf.py)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r", "q", "f"):
            if key in atoms and isinstance(atoms[key], str):
                atoms[key] = redact(atoms[key])
        return atoms
