"""Session lifetimes: 12 hours in all for everyone, 30 minutes idle for staff.

The clock values are kept in the session itself; the middleware reads them on each
request. ``UserSession`` rows let us end every session of a user at once.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.http import HttpRequest
from django.utils import timezone

from portal.security import fresh
from portal.security.models import UserSession

STARTED = "_signed_in_at"
LAST_SEEN = "_last_seen_at"
CODE_OK = "_code_verified_for"
# The secret of a two-step set-up in progress ({"user": pk, "secret": ...}); nothing is
# written to the database until the first good code.
PENDING_SETUP = "_totp_pending"


def absolute_limit() -> int:
    return getattr(settings, "SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)


def idle_limit() -> int:
    return getattr(settings, "STAFF_SESSION_IDLE_SECONDS", 30 * 60)


def start(request: HttpRequest, user) -> None:
    """A fresh sign-in: start both clocks, forget any earlier code, remember the key."""
    now = timezone.now().timestamp()
    session = request.session
    session[STARTED] = now
    session[LAST_SEEN] = now
    session.pop(CODE_OK, None)
    # The password was just checked: security changes need no other check for a while.
    session[fresh.CHECKED_AT] = now
    if session.session_key is None:
        session.save()
    UserSession.objects.filter(user=user).exclude(
        session_key__in=Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    ).delete()
    UserSession.objects.get_or_create(session_key=session.session_key, defaults={"user": user})


def end_all(user, *, keep: str | None = None) -> int:
    """Delete every stored session of ``user`` (except ``keep``). Returns how many."""
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    _forget_cached(keys)
    rows.delete()
    return len(keys)


def _forget_cached(keys: list[str]) -> None:
    """With sessions also kept in the cache (Redis: settings.SESSION_ENGINE), a session
    deleted from the table alone would still sign its browser in: delete its copy too."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    prefix = getattr(store, "cache_key_prefix", None)
    if prefix is None or not keys:
        return
    caches[settings.SESSION_CACHE_ALIAS].delete_many([prefix + key for key in keys])


def rekey(old_key: str | None, new_key: str, user) -> None:
    """Follow a session to its new key after ``cycle_key()``."""
    if old_key:
        UserSession.objects.filter(session_key=old_key).delete()
    UserSession.objects.get_or_create(session_key=new_key, defaults={"user": user})
