"""What /health/ready checks: the database answers, the cache keeps a value, and no email
has waited for the worker longer than ``HEALTH_OUTBOX_MAX_AGE_SECONDS``.

Each check returns nothing when it passes and raises when it fails; the view names the
failing checks and logs why (the log, not the answer, says what broke).
"""

import datetime as dt
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from portal.notifications.models import Notification, NotificationState
from portal.notifications.worker import lease


class CheckFailed(Exception):
    """A check ran and found something wrong (as opposed to an error while checking)."""


def database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise CheckFailed("the database answered SELECT 1 with something else")


def cache_round_trip() -> None:
    # A key of its own per probe: several servers probing at once never read each other's.
    key = f"health:probe:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise CheckFailed("the cache did not give back the value just stored")
    finally:
        cache.delete(key)


def max_outbox_age() -> dt.timedelta:
    return dt.timedelta(seconds=settings.HEALTH_OUTBOX_MAX_AGE_SECONDS)


def outbox() -> None:
    """No email due longer ago than the threshold is still waiting: neither one waiting to
    be sent, nor one whose worker's claim ran out (a killed worker's) that long ago.
    An email waiting for its next try after a failure is not due, so it does not count."""
    cutoff = timezone.now() - max_outbox_age()
    overdue = Q(state=NotificationState.PENDING, next_attempt_at__lte=cutoff) | Q(
        state=NotificationState.SENDING, claimed_at__lte=cutoff - lease()
    )
    if Notification.objects.filter(overdue).exists():
        raise CheckFailed("an email has waited for the worker longer than the threshold")
