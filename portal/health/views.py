"""Health checks for load balancers, security.txt and the favicon.

/health/live and /health/ready are answered by HealthCheckMiddleware, before sessions,
the Host check and the https redirect (see middleware.py); the URL patterns name them.
Their answers are short JSON, never cached, with nothing about the server's insides: a
failing check is named, and why it failed goes to the log.
"""

import datetime as dt
import logging
from email.utils import parseaddr

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_safe

from portal.health import checks
from portal.lib.text import printable
from portal.mentoring.models import ProgramSettings
from portal.security.logging import MESSAGE_KEPT, describe, redact
from portal.security.middleware import permissions_policy

logger = logging.getLogger("portal.health")

READY_CHECKS = {
    "database": checks.database,
    "cache": checks.cache_round_trip,
    "outbox": checks.outbox,
}
# The outbox is read from the database: with the database down it is not checked.
NEEDS_DATABASE = {"outbox"}


def _probe_answer(body: dict, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    add_never_cache_headers(response)
    # Answered above the middleware that sets these on every other response.
    response["X-Content-Type-Options"] = "nosniff"
    response["Permissions-Policy"] = permissions_policy()
    return response


@require_safe
def live(request):
    """The process answers: no database, no cache. A load balancer restarts or stops
    sending to a server that does not."""
    return _probe_answer({"status": "ok"}, 200)


@require_safe
def ready(request):
    """The server can do its work: 200 when every check passes, else 503 naming them."""
    results: dict[str, str] = {}
    for name, check in READY_CHECKS.items():
        if name in NEEDS_DATABASE and results.get("database") == "fail":
            results[name] = "not checked"
            continue
        try:
            check()
        except Exception as exc:  # any failure means "not ready"; the log says which
            results[name] = "fail"
            logger.warning("health check %s failed: %s", name, _why(exc))
        else:
            results[name] = "ok"
    failing = [name for name, result in results.items() if result != "ok"]
    body = {"status": "fail" if failing else "ok", "checks": results}
    if failing:
        body["failing"] = failing
    response = _probe_answer(body, 503 if failing else 200)
    # Django would log each 503 again as an error, every few seconds while a load
    # balancer probes; the warning above already says which check failed and why.
    response._has_been_logged = True
    return response


def _why(exc: Exception) -> str:
    """For the log: where it failed, and the message when it holds no one's text."""
    if isinstance(exc, (checks.CheckFailed, *MESSAGE_KEPT)):
        return f"{describe(exc)}: {printable(redact(str(exc)))[:300]}"
    return describe(exc)


def security_contact() -> str:
    """SECURITY_CONTACT, else the program's contact email, else DEFAULT_FROM_EMAIL's
    address; as a URI (RFC 9116 asks for mailto: or https:)."""
    contact = settings.SECURITY_CONTACT
    if not contact:
        contact = ProgramSettings.load().contact_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    if contact.startswith(("mailto:", "https://", "tel:")):
        return contact
    return f"mailto:{contact}"


@require_safe
def security_txt(request):
    """RFC 9116: where to report a security problem. Expires about a year ahead, always
    (computed on each request), so the file never goes stale."""
    expires = (timezone.now() + dt.timedelta(days=365)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    lines = [
        f"Contact: {security_contact()}",
        f"Expires: {expires.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    return response


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG."""
    response = HttpResponseRedirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    return response
