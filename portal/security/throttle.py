"""Limits on failed sign-ins, one-time codes, password reset requests and signed-out drafts.

Counts live in their own database table (``LimitCount``), shared by every worker and
server. Not in the cache: a cache forgets entries when it fills up, and 150 failures from
other addresses once unpaused a paused account that way. Each failure is one atomic
upsert (``INSERT ... ON CONFLICT DO UPDATE SET count = count + 1``), so parallel guesses
are all counted, on SQLite and PostgreSQL alike. A Redis outage changes nothing here.

Sign-ins and one-time codes are counted three ways, after django-axes' lockout
parameters (a kind with "-pair", "-ip" and "-account" limits: "signin", "code"):

* per account *and* client ("-pair"): a few guesses, then that pair waits. Someone
  guessing a staff member's password locks only themselves, never the staff member
  signing in from their own device or network;
* per client across accounts ("-ip"): one machine cannot try many accounts;
* per account across all clients ("-account"): a much higher cap, so a guess spread over
  many addresses is still slowed. Unknown emails are counted like known ones, so this
  pause says nothing about whether an account exists.

A good sign-in clears its own pair only: clearing the client's or the account's count
would let an attacker with one account of their own reset their count at will.

Password reset requests are counted per email and per client: a pause there holds up
only more emails, while the links already sent keep working. Drafts are counted per
client. A client is an IPv4 address or an IPv6 /64 (``client_ip.client_group``).
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from portal.security.client_ip import client_for_limits
from portal.security.models import LimitCount

MINUTE = 60
HOUR = 60 * MINUTE


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int  # this many failures within ``window`` seconds ...
    window: int
    lock: int  # ... lock for this many seconds


DEFAULTS = {
    # Sign-in with a password (the portal's form and the admin's).
    "signin-pair": (5, 15 * MINUTE, 15 * MINUTE),
    "signin-ip": (20, 15 * MINUTE, 15 * MINUTE),
    "signin-account": (50, HOUR, 15 * MINUTE),
    # One-time codes: reached only with the right password, so a lower account cap
    # costs the owner little.
    "code-pair": (5, 15 * MINUTE, 15 * MINUTE),
    "code-ip": (20, 15 * MINUTE, 15 * MINUTE),
    "code-account": (20, HOUR, 15 * MINUTE),
    # Password reset emails: at most this many to one inbox, and from one client.
    "reset-account": (3, HOUR, HOUR),
    "reset-ip": (10, HOUR, HOUR),
    # Drafts kept for a post whose sign-in expired: each one stores a session row.
    "draft-ip": (20, HOUR, HOUR),
}


def _limits() -> dict[str, Limit]:
    merged = {**DEFAULTS, **getattr(settings, "SIGNIN_LIMITS", {})}
    return {name: Limit(name, *values) for name, values in merged.items()}


def limit(name: str) -> Limit:
    return _limits()[name]


def _digest(subject: str) -> str:
    # Hashed: the table must not hold email addresses or client addresses in clear.
    return hashlib.sha256(subject.strip().lower().encode()).hexdigest()


def _now() -> int:
    return int(timezone.now().timestamp())


def locked_for(name: str, subject: str) -> int:
    """Seconds left on the lock of ``subject`` under limit ``name`` (0 when free)."""
    until = (
        LimitCount.objects.filter(name=name, subject=_digest(subject))
        .values_list("locked_until", flat=True)
        .first()
    )
    left = (until or 0) - _now()
    return left if left > 0 else 0


# One statement: a new row, or one more in the current window (a fresh window when the
# last one is over), and the lock set in the same write once the count reaches the limit.
# ``count + 1`` is computed by the database under the row's lock, so N parallel
# failures count N. SQLite (3.35+) and PostgreSQL both read it the same. The table is
# LimitCount's (named in full: the statement is a constant, with no text put in).
_UPSERT = """
INSERT INTO security_limitcount AS c (name, subject, count, window_ends, locked_until)
VALUES (%(name)s, %(subject)s, 1, %(window_ends)s, %(first_lock)s)
ON CONFLICT (name, subject) DO UPDATE SET
    count = CASE WHEN c.window_ends <= %(now)s THEN 1 ELSE c.count + 1 END,
    window_ends = CASE WHEN c.window_ends <= %(now)s THEN %(window_ends)s ELSE c.window_ends END,
    locked_until = CASE
        WHEN (CASE WHEN c.window_ends <= %(now)s THEN 1 ELSE c.count + 1 END) >= %(attempts)s
        THEN %(lock_ends)s ELSE c.locked_until END
RETURNING count
"""


def record_failure(name: str, subject: str) -> int:
    """Count one failure, atomically; lock the subject when the limit is reached.
    Returns the count in the current window."""
    rule = limit(name)
    now = _now()
    params = {
        "name": name,
        "subject": _digest(subject),
        "now": now,
        "window_ends": now + rule.window,
        "lock_ends": now + rule.lock,
        "first_lock": now + rule.lock if rule.attempts <= 1 else 0,
        "attempts": rule.attempts,
    }
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, params)
        (count,) = cursor.fetchone()
    forget_expired(now)
    return count


def forget_expired(now: int | None = None) -> int:
    """Delete the counts whose window and lock are both over (by time, never by number).
    Run after each failure: an indexed delete that finds nothing most of the time."""
    now = _now() if now is None else now
    deleted, _ = LimitCount.objects.filter(window_ends__lte=now, locked_until__lte=now).delete()
    return deleted


def reset(name: str, subject: str) -> None:
    LimitCount.objects.filter(name=name, subject=_digest(subject)).delete()


def minutes(seconds: int) -> int:
    return max(1, (seconds + 59) // 60)


# --- Sign-ins and one-time codes: per pair, per client, per account ----------------------


@dataclass(frozen=True)
class Lock:
    """A lock in force: which limit (``"signin-pair"``...) and the seconds left."""

    name: str
    seconds: int

    @property
    def scope(self) -> str:
        """``"pair"``, ``"ip"`` or ``"account"``, for the message to show."""
        return self.name.rpartition("-")[2]


def _pair(account: str, client: str) -> str:
    return f"{account.strip().lower()}\n{client}"


def _subjects(kind: str, request: HttpRequest, account: str) -> list[tuple[str, str]]:
    if f"{kind}-pair" not in _limits():
        raise ValueError(f"No sign-in limits of kind {kind!r}")
    client = client_for_limits(request)
    subjects = [(f"{kind}-ip", client)]
    if account.strip():
        subjects = [(f"{kind}-pair", _pair(account, client)), *subjects]
        subjects.append((f"{kind}-account", account))
    return subjects


def lock_of(kind: str, request: HttpRequest, account: str) -> Lock | None:
    """The lock that stops ``request``'s client trying ``account`` now (``kind`` is
    "signin" or "code"), or None. The pair's lock is named first, then the client's,
    then the account's. One query for all three."""
    now = _now()
    subjects = [(name, _digest(subject)) for name, subject in _subjects(kind, request, account)]
    wanted = Q()
    for name, digest in subjects:
        wanted |= Q(name=name, subject=digest)
    locked = {
        (name, digest): until
        for name, digest, until in LimitCount.objects.filter(
            wanted, locked_until__gt=now
        ).values_list("name", "subject", "locked_until")
    }
    for key in subjects:
        if key in locked:
            return Lock(key[0], locked[key] - now)
    return None


def count_failure(kind: str, request: HttpRequest, account: str) -> None:
    """One wrong password (or code) from ``request``'s client for ``account`` (an email,
    known or not; empty counts the client only)."""
    for name, subject in _subjects(kind, request, account):
        record_failure(name, subject)


def clear_pair(kind: str, request: HttpRequest, account: str) -> None:
    """A good sign-in (or code): this client's count for this account starts again."""
    client = client_for_limits(request)
    reset(f"{kind}-pair", _pair(account, client))
