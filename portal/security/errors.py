"""Error pages: plain words, an error id that is also in the log, never a trace.

The 500 page is rendered without a request context (no database: the program name comes
from the database), and when the cause is the database being unreachable it becomes a
503 page that says the entry was not saved.
"""

import logging
import secrets
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger("portal.errors")

DATABASE_ERRORS = (OperationalError, InterfaceError)


def new_error_id() -> str:
    return secrets.token_hex(4).upper()


def _page(request, template: str, status: int, error_id: str) -> HttpResponse:
    try:
        response = render(request, template, {"error_id": error_id}, status=status)
    except Exception:  # the page must appear even when the database does not answer
        logger.exception("error %s: could not render %s", error_id, template)
        response = _plain(template, status, error_id)
    response["X-Error-Id"] = error_id
    return response


def _plain(template: str, status: int, error_id: str) -> HttpResponse:
    body = loader.get_template(template).render({"error_id": error_id})
    response = HttpResponse(body, status=status)
    response["X-Error-Id"] = error_id
    return response


def _log(status: int, request, error_id: str, level=logging.WARNING, **kwargs) -> None:
    # The path only: query strings and bodies can hold notes, emails or tokens.
    logger.log(
        level, "error %s: %s %s %s", error_id, status, request.method, request.path, **kwargs
    )


def bad_request(request, exception=None):
    error_id = new_error_id()
    _log(400, request, error_id)
    return _page(request, "400.html", 400, error_id)


def permission_denied(request, exception=None):
    error_id = new_error_id()
    _log(403, request, error_id, level=logging.INFO)
    return _page(request, "403.html", 403, error_id)


def page_not_found(request, exception=None):
    error_id = new_error_id()
    _log(404, request, error_id, level=logging.INFO)
    return _page(request, "404.html", 404, error_id)


def server_error(request):
    error_id = new_error_id()
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        _log(503, request, error_id, level=logging.ERROR, exc_info=True)
        drop_broken_connections()
        response = _plain("503.html", 503, error_id)
        response["Retry-After"] = "5"
        return response
    _log(500, request, error_id, level=logging.ERROR, exc_info=True)
    return _plain("500.html", 500, error_id)


def drop_broken_connections() -> None:
    """Close connections that no longer answer, so the next request opens a fresh one
    (Django does this too at the end of the request; this makes it certain)."""
    for connection in connections.all(initialized_only=True):
        try:
            if connection.connection is not None and not connection.is_usable():
                connection.close()
        except Exception:  # noqa: S112 - a connection that cannot even close is gone
            continue


def csrf_failure(request, reason: str = ""):
    """A form sent from a page that was too old (or from elsewhere): say so, with an id."""
    error_id = new_error_id()
    _log(403, request, error_id, level=logging.INFO)
    logger.info("error %s: CSRF check failed: %s", error_id, reason)
    return _page(request, "403_csrf.html", 403, error_id)
