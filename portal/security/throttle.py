"""Limits on failed sign-ins, one-time codes, password reset requests and signed-out drafts.

Counts live in Django's cache (Redis or the database table: shared by every worker and
server, never one process's memory). Each limit is counted twice and separately: per
account (so guessing one person's password is slow, and only that account waits) and per
client address (so one machine cannot try many accounts). One person can therefore lock
at most the accounts they name, and only for the lock time, and never anyone else's
address.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int  # this many failures within ``window`` seconds ...
    window: int
    lock: int  # ... lock for this many seconds


def _limits() -> dict[str, Limit]:
    custom = getattr(settings, "SIGNIN_LIMITS", {})
    defaults = {
        "signin-account": Limit("signin-account", 5, 15 * 60, 15 * 60),
        "signin-ip": Limit("signin-ip", 20, 15 * 60, 15 * 60),
        "code-account": Limit("code-account", 5, 15 * 60, 15 * 60),
        "code-ip": Limit("code-ip", 20, 15 * 60, 15 * 60),
        "reset-account": Limit("reset-account", 3, 60 * 60, 60 * 60),
        "reset-ip": Limit("reset-ip", 10, 60 * 60, 60 * 60),
        # Drafts kept for a post whose sign-in expired: each one stores a session row.
        "draft-ip": Limit("draft-ip", 20, 60 * 60, 60 * 60),
    }
    for name, (attempts, window, lock) in custom.items():
        defaults[name] = Limit(name, attempts, window, lock)
    return defaults


def limit(name: str) -> Limit:
    return _limits()[name]


def _key(name: str, subject: str) -> str:
    # Hash the subject: cache keys must not hold email addresses in clear.
    digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]
    return f"throttle:{name}:{digest}"


def _now() -> float:
    return timezone.now().timestamp()


def locked_for(name: str, subject: str) -> int:
    """Seconds left on the lock of ``subject`` under limit ``name`` (0 when free)."""
    until = cache.get(_key(name, subject) + ":lock")
    if until is None:
        return 0
    left = until - _now()
    return int(left) + 1 if left > 0 else 0


def record_failure(name: str, subject: str) -> int:
    """Count one failure; lock the subject when the limit is reached. Returns the count.

    A read and a write, not an atomic increment: under a burst of parallel guesses a
    few may go uncounted, which only delays the lock by those few.
    """
    rule = limit(name)
    key = _key(name, subject)
    now = _now()
    count, started = cache.get(key) or (0, now)
    if now - started > rule.window:
        count, started = 0, now
    count += 1
    remaining = max(1, int(rule.window - (now - started)))
    cache.set(key, (count, started), timeout=remaining)
    if count >= rule.attempts:
        cache.set(key + ":lock", now + rule.lock, timeout=rule.lock)
    return count


def reset(name: str, subject: str) -> None:
    key = _key(name, subject)
    cache.delete_many([key, key + ":lock"])


def minutes(seconds: int) -> int:
    return max(1, (seconds + 59) // 60)
