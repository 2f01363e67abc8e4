"""Deliver the outbox: claim due rows, send them, record what happened.

The life of a row::

    pending --claim--> sending --sent--> sent
       ^                  |
       +--temporary fail--+--permanent fail, or too many attempts--> failed

A claim is a short transaction of its own (``SELECT ... FOR UPDATE SKIP LOCKED`` on
PostgreSQL; a conditional ``UPDATE`` per row on SQLite, which has no row locks), so
several workers can run at once and never send the same row together. Sending happens
outside any transaction, and each outcome is written with an update guarded by the
claim (``claimed_by`` and ``claimed_at``): a worker that lost its claim changes nothing.

A claim is a lease. A row left in "sending" for longer than the lease belongs to a worker
that died, and is claimed again. Delivery is therefore "at least once": a worker killed
after the mail server accepted a message but before it recorded "sent" (a few
milliseconds) leaves that one message to be sent again. The Message-ID stays the same,
so mail clients can recognise the copy.

``attempts`` counts every try. It is counted when a row is claimed, so a try that killed
its worker still counts, and a message that crashes workers cannot be retried forever.
"""

import contextlib
import datetime as dt
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, transaction
from django.db import connection as db_connection
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.utils import timezone

from portal.lib.emails import BadRecipient, build_message
from portal.notifications.models import Notification, NotificationState

logger = logging.getLogger("portal.notifications")

DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_LEASE_SECONDS = 10 * 60
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_RETRY = dt.timedelta(hours=1)
ERROR_LENGTH = 300


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0  # failed for now, back to pending with a later next_attempt_at
    failed: int = 0  # failed for good
    released: int = 0  # claimed but not tried because the worker was asked to stop
    lost: int = 0  # claimed by another worker meanwhile (lease expired): not recorded


def max_attempts() -> int:
    return getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)


def lease() -> dt.timedelta:
    return dt.timedelta(
        seconds=getattr(settings, "NOTIFICATION_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)
    )


def retry_delay(attempts: int) -> dt.timedelta:
    """1 minute after the first try, then 2, 4, 8, ... minutes, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def deliver_due(
    *,
    batch: int = 50,
    worker_id: str,
    now: dt.datetime | None = None,
    connection=None,
    stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Claim up to ``batch`` due notifications and try to send each of them once.

    Call again while ``report.claimed`` is not zero to empty the outbox. ``now`` fixes
    the clock (tests); ``connection`` is a Django email backend (one is opened for the
    batch otherwise); ``stop`` is asked before each send, and when it says yes the rows
    not yet tried go back to pending untouched. Database errors propagate: the rows of
    the batch stay claimed until their lease runs out.
    """
    clock = (lambda: now) if now is not None else timezone.now
    claimed_at = clock()
    rows = _claim(batch=batch, worker_id=worker_id, now=claimed_at)
    report = DeliveryReport(claimed=len(rows))
    if not rows:
        return report

    mail = connection or get_connection()
    unreachable: Exception | None = None  # once the mail server cannot be reached
    try:
        for index, notification in enumerate(rows):
            if stop is not None and stop():
                report.released += _release(rows[index:], worker_id)
                break
            if notification.attempts > max_attempts():
                # A row claimed again after its worker died (or the limit was lowered).
                error = "Gave up: too many attempts (a worker stopped while sending it)."
                _record_failure(notification, worker_id, clock(), error, "gave up", True, report)
                continue
            try:
                message = build_message(notification)
                if unreachable is None:
                    unreachable = _open(mail)
                if unreachable is not None:
                    # Every row of the batch fails the same way: no need to wait for a
                    # timeout once per row.
                    raise unreachable
                if mail.send_messages([message]) != 1:
                    raise RuntimeError("The email backend reported nothing sent.")
            except DatabaseError:
                raise
            except Exception as exc:
                _close_quietly(mail)  # after an SMTP error the next row starts afresh
                permanent, error = describe_failure(exc)
                kind = type(exc).__name__
                _record_failure(notification, worker_id, clock(), error, kind, permanent, report)
            else:
                _record_sent(notification, worker_id, clock(), report)
    finally:
        _close_quietly(mail)
    return report


def describe_failure(exc: Exception) -> tuple[bool, str]:
    """Whether a failure is permanent, and a short description without the message.

    Permanent: the recipient refused with a 5xx code, a 5xx answer to the message
    itself, an unknown template, an impossible address. Anything else (connection
    refused, timeout, 4xx, the sender refused, an unexpected error) is retried, so that
    fixing the mail settings or the code still delivers what is waiting.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = list(exc.recipients.values())
        permanent = bool(answers) and all(500 <= code < 600 for code, _ in answers)
        detail = "; ".join(f"{code} {_text(reply)}" for code, reply in answers)
        return permanent, _short(f"Recipient refused: {detail}")
    if isinstance(exc, smtplib.SMTPResponseException):
        permanent = isinstance(exc, smtplib.SMTPDataError) and 500 <= exc.smtp_code < 600
        return permanent, _short(f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, TemplateDoesNotExist):
        return True, _short(f"Email template missing: {exc}")
    if isinstance(exc, BadRecipient):
        return True, _short(str(exc))
    return False, _short(f"{type(exc).__name__}: {exc}")


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _short(text: str) -> str:
    return " ".join(text.split())[:ERROR_LENGTH]


def _due(now: dt.datetime) -> Q:
    stale = now - lease()
    waiting = Q(state=NotificationState.PENDING, next_attempt_at__lte=now)
    abandoned = Q(state=NotificationState.SENDING) & (
        Q(claimed_at__lt=stale) | Q(claimed_at__isnull=True)
    )
    return waiting | abandoned


def _claim(*, batch: int, worker_id: str, now: dt.datetime) -> list[Notification]:
    claim = {
        "state": NotificationState.SENDING,
        "claimed_by": worker_id,
        "claimed_at": now,
        "attempts": F("attempts") + 1,
    }
    due = Notification.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
    if db_connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch])
            # Locked rows cannot change under us; the re-check costs nothing.
            Notification.objects.filter(_due(now), pk__in=ids).update(**claim)
    else:
        # SQLite writes one transaction at a time, so an UPDATE that re-checks the row
        # is still due is atomic: of two workers racing for a row, one updates it.
        ids = [
            pk
            for pk in list(due.values_list("pk", flat=True)[:batch])
            if Notification.objects.filter(_due(now), pk=pk).update(**claim) == 1
        ]
    return list(
        Notification.objects.filter(
            pk__in=ids, state=NotificationState.SENDING, claimed_by=worker_id, claimed_at=now
        ).order_by("next_attempt_at", "pk")
    )


def _ours(notification: Notification, worker_id: str):
    return Notification.objects.filter(
        pk=notification.pk,
        state=NotificationState.SENDING,
        claimed_by=worker_id,
        claimed_at=notification.claimed_at,
    )


def _record_sent(notification, worker_id: str, now: dt.datetime, report: DeliveryReport) -> None:
    if _ours(notification, worker_id).update(state=NotificationState.SENT, sent_at=now) != 1:
        report.lost += 1
        logger.warning(
            "notification %s (%s) sent, but its claim had passed to another worker",
            notification.pk,
            notification.template,
        )
        return
    report.sent += 1
    logger.info(
        "notification %s (%s) sent, attempt %s",
        notification.pk,
        notification.template,
        notification.attempts,
    )


def _record_failure(
    notification,
    worker_id: str,
    now: dt.datetime,
    error: str,
    kind: str,
    permanent: bool,
    report: DeliveryReport,
) -> None:
    """Record a failed try. ``kind`` (the error's class) is logged; ``error`` is stored
    only, since its text may quote the address."""
    attempts = notification.attempts
    give_up = permanent or attempts >= max_attempts()
    if give_up:
        outcome = {"state": NotificationState.FAILED}
    else:
        outcome = {
            "state": NotificationState.PENDING,
            "next_attempt_at": now + retry_delay(attempts),
        }
    if _ours(notification, worker_id).update(last_error=error, **outcome) != 1:
        report.lost += 1
        logger.warning(
            "notification %s (%s) not sent, and its claim had passed to another worker",
            notification.pk,
            notification.template,
        )
        return
    if give_up:
        report.failed += 1
        logger.error(
            "notification %s (%s) failed for good after %s attempt(s): %s",
            notification.pk,
            notification.template,
            attempts,
            kind,
        )
    else:
        report.retrying += 1
        logger.warning(
            "notification %s (%s) not sent, attempt %s, next try at %s: %s",
            notification.pk,
            notification.template,
            attempts,
            outcome["next_attempt_at"].isoformat(timespec="seconds"),
            kind,
        )


def _release(rows: list[Notification], worker_id: str) -> int:
    """Give back rows claimed but not tried; their claim did not count as an attempt."""
    released = 0
    for notification in rows:
        released += _ours(notification, worker_id).update(
            state=NotificationState.PENDING, attempts=F("attempts") - 1
        )
    return released


def _open(mail) -> Exception | None:
    try:
        mail.open()
    except Exception as exc:
        return exc
    return None


def _close_quietly(mail) -> None:
    # A connection that died is gone either way; closing it must not hide the outcome.
    with contextlib.suppress(Exception):
        mail.close()
