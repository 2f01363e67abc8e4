"""Response headers Django does not set, the request id, HTML compression, and the
session rules (lifetimes, codes)."""

import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from portal.lib.text import has_control_characters
from portal.security import sessions, totp
from portal.security.client_ip import from_trusted_proxy
from portal.security.errors import bad_request
from portal.security.logging import current_request_id
from portal.security.models import UserSession

# What a proxy's X-Request-ID may hold: a uuid, or any short token of letters, digits
# and . _ - (nothing a log line or header could be forged with).
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")


class RequestIdMiddleware:
    """Each request gets an id: the one the proxy in front sent (``X-Request-ID``, believed
    only from ``TRUSTED_PROXIES``, so the lines of one request join up with the proxy's
    log), or a new one. Every log line written for the request carries it, and the answer
    returns it in ``X-Request-ID``, so a person reporting a problem can quote it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = self.incoming(request) or uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response

    @staticmethod
    def incoming(request) -> str | None:
        value = request.META.get("HTTP_X_REQUEST_ID", "").strip()
        if value and REQUEST_ID.fullmatch(value) and from_trusted_proxy(request):
            return value
        return None


class HtmlGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for pages only: downloads (CSV, the streamed exports) and
    other answers go out as they are, at full streaming speed."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)


def permissions_policy() -> str:
    """``camera=(), ..., publickey-credentials-get=(self)`` from PERMISSIONS_POLICY."""
    return ", ".join(
        f"{feature}=({' '.join(origins)})"
        for feature, origins in settings.PERMISSIONS_POLICY.items()
    )


class ResponseHeadersMiddleware:
    """Cross-Origin-Resource-Policy and Permissions-Policy on everything (static files
    included: it sits outside WhiteNoise), and ``Cache-Control: no-store`` on every
    response to a signed-in person and on every download, so no shared or browser cache
    keeps a page about a child."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = permissions_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("Permissions-Policy", self.permissions_policy)
        if self._signed_in(request) or self._is_download(response):
            patch_cache_control(response, no_store=True)
        return response

    @staticmethod
    def _signed_in(request) -> bool:
        user = getattr(request, "user", None)
        if user is None:
            return False
        try:
            return bool(user.is_authenticated)
        except DatabaseError:
            return True  # cannot tell: be careful

    @staticmethod
    def _is_download(response) -> bool:
        return response.get("Content-Disposition", "").lower().startswith("attachment")


class QueryTextMiddleware:
    """A query string holding control characters (``?q=%00``, ``?mentor=%0b``) is answered
    with the 400 page before any view reads it: no search, filter or export takes one, and
    PostgreSQL refuses NUL outright. Views read the rest through ``portal.lib.query``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if has_control_characters(key) or any(map(has_control_characters, values)):
                return bad_request(request)
        return self.get_response(request)


class SessionPolicyMiddleware:
    """After AuthenticationMiddleware (and MessageMiddleware):

    - every session ends 12 hours after sign-in, whatever happens in between;
    - a staff or administrator session ends after 30 minutes without a request;
    - an account that uses one-time codes or passkeys reaches nothing but the second step
      (and sign-out, Help, Contact) until a code or passkey is used in this session; with
      REQUIRE_STAFF_TOTP on, staff and administrators without either are sent to set one
      up first (the passkey pages themselves refuse a person who has one: they must pass
      the second step first).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: set[str] | None = None

    def open_paths(self) -> set[str]:
        if self._open_paths is None:
            self._open_paths = {
                reverse(name)
                for name in (
                    "security:verify",
                    "security:setup",
                    "security:confirm",
                    "security:passkey_check_options",
                    # A person with no second step yet may make a passkey their first.
                    "security:passkeys",
                    "security:passkey_register_options",
                    "security:passkey_add",
                    "accounts:logout",
                    "support:help",
                    "support:contact",
                )
            }
        return self._open_paths

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            answer = self.apply(request, user)
            if answer is not None:
                return answer
        return self.get_response(request)

    def apply(self, request, user):
        session = request.session
        now = timezone.now().timestamp()
        started = session.setdefault(sessions.STARTED, now)
        last_seen = session.get(sessions.LAST_SEEN, now)
        if now - started > sessions.absolute_limit():
            self.end(request, "You were signed out because 12 hours passed. Please sign in again.")
            return None
        if user.is_program_staff and now - last_seen > sessions.idle_limit():
            minutes = sessions.idle_limit() // 60
            self.end(
                request,
                f"You were signed out after {minutes} minutes without activity. "
                "Please sign in again.",
            )
            return None
        if user.is_program_staff and now - last_seen >= 30:
            # Saving the session on each request would be a write per click; every
            # 30 seconds is plenty for a 30-minute rule.
            session[sessions.LAST_SEEN] = now
        if session.get(sessions.CODE_OK) != user.pk and totp.requires_code(user):
            if request.path in self.open_paths():
                return None
            target = "security:verify" if totp.has_second_step(user) else "security:setup"
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(target)}?{query}")
        return None

    @staticmethod
    def end(request, message: str) -> None:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
        request.session.flush()
        request.user = AnonymousUser()
        messages.info(request, message)
