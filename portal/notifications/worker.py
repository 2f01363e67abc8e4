"""Deliver the outbox: claim due rows, send them, record what happened.

The life of a row::

    pending --claim--> sending --sent--> sent
       ^                  |
       +--temporary fail--+--permanent fail, or too many attempts--> failed

Rows are claimed a few at a time (``DEFAULT_BATCH``), the most urgent first: concern
emails, then emails someone is waiting for, then reminders (``Notification.priority``).
A claim is a short transaction of its own (``SELECT ... FOR UPDATE SKIP LOCKED`` on
PostgreSQL; a conditional ``UPDATE`` per row on SQLite, which has no row locks), so
several workers can run at once. Sending happens outside any transaction.

A claim is a short lease (``NOTIFICATION_LEASE_SECONDS``, one minute by default). Just
before each send the worker renews it with a conditional update that also checks the row
is still its own (same ``claimed_by`` and ``claimed_at``); if another worker has taken the
row meanwhile, it is skipped, never sent. A row left in "sending" for longer than the
lease belongs to a worker that was killed or lost the database, and is claimed again: its
emails go out within a minute. Each outcome is written with an update guarded by the
claim, so a worker that lost its claim changes nothing.

Never twice: after the renewal, nobody else can claim the row for a whole lease, which is
longer than one send can take (``EMAIL_TIMEOUT`` bounds each SMTP step; keep the lease
well above it). Two workers therefore never both send a row. The one window left is
between the mail server's "250 OK" for the message and the UPDATE to "sent": a few
milliseconds. When the database is lost in that window the worker keeps the row in memory
(``Unfinished``) and records it first when the database is back, without sending it
again (and hands back at once the rows it had not tried). Only a worker killed in that
window, or a database down for longer than the lease, leaves that one message to be sent
again by another worker, with the same Message-ID, so mail clients can recognise the
copy.

Text messages (``channel="text"``, issue 16) are rows of the same outbox, claimed, renewed,
recorded and retried the same way, so the same guarantees hold: sent by the provider
backend of ``SMS_BACKEND`` (portal/texts/backends.py) instead of the mail server. Just
before sending, the worker checks the mentor's texts are still on (otherwise the row fails
for good, with the reason) and that it is not quiet hours: then the row goes back to
pending until they end, and the claim does not count as an attempt. A retry that would
fall in quiet hours waits for their end too. The same never-twice window applies, between
the provider's answer and the UPDATE to "sent".

``attempts`` counts every try. It is counted when a row is claimed, so a try that killed
its worker still counts, and a message that crashes workers cannot be retried forever.
"""

import contextlib
import datetime as dt
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, transaction
from django.db import connection as db_connection
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.utils import timezone

from portal.notifications.emails import BadRecipient, build_message
from portal.notifications.models import Channel, Notification, NotificationState
from portal.notifications.secret_links import without_secrets
from portal.texts.backends import describe_provider_failure
from portal.texts.delivery import TextNotAllowed, TextSender

logger = logging.getLogger("portal.notifications")

DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_LEASE_SECONDS = 60
DEFAULT_BATCH = 5
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
    deferred: int = 0  # texts claimed in quiet hours: back to pending until they end
    lost: int = 0  # claimed by another worker meanwhile (lease expired): not recorded


@dataclass
class Unfinished:
    """What a batch left when the database was lost, kept by the caller between calls
    and settled first when the database is back."""

    sent: list[Notification] = field(default_factory=list)  # accepted, not yet recorded
    untried: list[Notification] = field(default_factory=list)  # claimed, not sent


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
    batch: int = DEFAULT_BATCH,
    worker_id: str,
    now: dt.datetime | None = None,
    connection=None,
    stop: Callable[[], bool] | None = None,
    unfinished: Unfinished | None = None,
) -> DeliveryReport:
    """Claim up to ``batch`` due notifications and try to send each of them once.

    Call again while ``report.claimed`` is not zero to empty the outbox. ``now`` fixes
    the clock (tests); ``connection`` is a Django email backend (one is opened for the
    batch otherwise); ``stop`` is asked before each send, and when it says yes the rows
    not yet tried go back to pending untouched.

    Database errors propagate. The rows of the batch stay claimed until their lease runs
    out (a minute), unless the caller keeps ``unfinished`` between calls: the rows the
    mail server accepted meanwhile are then recorded as sent (never sent again), and the
    rows not tried are handed back, as soon as the database answers again.
    """
    clock = (lambda: now) if now is not None else timezone.now
    report = DeliveryReport()
    if unfinished is not None:
        _settle(unfinished, worker_id, clock(), report)
    rows = _claim(batch=batch, worker_id=worker_id, now=clock())
    report.claimed = len(rows)
    if not rows:
        return report

    mail = connection or get_connection()
    unreachable: Exception | None = None  # once the mail server cannot be reached
    texts: TextSender | None = None  # made at the batch's first text
    index, accepted = 0, False
    try:
        for index, notification in enumerate(rows):
            accepted = False
            if stop is not None and stop():
                report.released += _release(rows[index:], worker_id)
                break
            if notification.attempts > max_attempts():
                # A row claimed again after its worker died (or the limit was lowered).
                error = "Gave up: too many attempts (a worker stopped while sending it)."
                _record_failure(notification, worker_id, clock(), error, "gave up", True, report)
                continue
            is_text = notification.channel == Channel.TEXT
            try:
                if is_text:
                    texts = texts or TextSender()
                    if (until := texts.wait_until(clock())) is not None:
                        report.deferred += _defer(notification, worker_id, until)
                        continue
                    body = texts.build(notification)
                else:
                    message = build_message(notification)
                    if unreachable is None:
                        unreachable = _open(mail)
                    if unreachable is not None:
                        # Every row of the batch fails the same way: no need to wait for
                        # a timeout once per row.
                        raise unreachable
                if not _renew(notification, worker_id, clock()):
                    report.lost += 1
                    logger.warning(
                        "notification %s (%s) not sent: another worker claimed it meanwhile",
                        notification.pk,
                        notification.template,
                    )
                    continue
                if is_text:
                    texts.send(notification, body)
                elif mail.send_messages([message]) != 1:
                    raise RuntimeError("The email backend reported nothing sent.")
            except DatabaseError:
                raise
            except Exception as exc:
                if not is_text:
                    _close_quietly(mail)  # after an SMTP error the next row starts afresh
                permanent, error = describe_failure(exc)
                kind = type(exc).__name__
                retry_at = texts.wait_until if is_text and texts else None
                _record_failure(
                    notification, worker_id, clock(), error, kind, permanent, report, retry_at
                )
            else:
                accepted = True  # if the database is lost now, remember it was sent
                _record_sent(notification, worker_id, clock(), report)
    except DatabaseError:
        if unfinished is not None:
            if accepted:
                unfinished.sent.append(rows[index])
            unfinished.untried.extend(rows[index + 1 if accepted else index :])
        raise
    finally:
        _close_quietly(mail)
    return report


def describe_failure(exc: Exception) -> tuple[bool, str]:
    """Whether a failure is permanent, and a short description without the message.

    Permanent: the recipient refused with a 5xx code, a 5xx answer to the message
    itself, an unknown template, an impossible address; for a text, the provider refusing
    the number, or the mentor's texts turned off. Anything else (connection
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
    if isinstance(exc, BadRecipient | TextNotAllowed):
        return True, _short(str(exc))
    if (provider := describe_provider_failure(exc)) is not None:
        return provider[0], _short(provider[1])
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


# Concern emails first, then the longest waiting (the index notification_due_order).
DUE_ORDER = ("priority", "next_attempt_at", "pk")


def _claim(*, batch: int, worker_id: str, now: dt.datetime) -> list[Notification]:
    claim = {
        "state": NotificationState.SENDING,
        "claimed_by": worker_id,
        "claimed_at": now,
        "attempts": F("attempts") + 1,
    }
    due = Notification.objects.filter(_due(now)).order_by(*DUE_ORDER)
    if db_connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch])
            # Locked rows cannot change under us; the re-check costs nothing.
            Notification.objects.filter(_due(now), pk__in=ids).update(**claim)
    else:
        # SQLite writes one transaction at a time, so an UPDATE that re-checks the row
        # is still due is atomic: of two workers racing for a row, one updates it. A worker
        # that lost every row it read to the other looks further, rather than reporting an
        # empty outbox (and stopping) while emails are waiting.
        ids: list[int] = []
        lost: list[int] = []
        while not ids:
            candidates = list(due.exclude(pk__in=lost).values_list("pk", flat=True)[:batch])
            if not candidates:
                break
            for pk in candidates:
                if Notification.objects.filter(_due(now), pk=pk).update(**claim) == 1:
                    ids.append(pk)
                else:
                    lost.append(pk)
    return list(
        Notification.objects.filter(
            pk__in=ids, state=NotificationState.SENDING, claimed_by=worker_id, claimed_at=now
        ).order_by(*DUE_ORDER)
    )


def _ours(notification: Notification, worker_id: str):
    return Notification.objects.filter(
        pk=notification.pk,
        state=NotificationState.SENDING,
        claimed_by=worker_id,
        claimed_at=notification.claimed_at,
    )


def _renew(notification: Notification, worker_id: str, now: dt.datetime) -> bool:
    """Just before a send: confirm the row is still ours and extend the lease from now.

    A conditional update, so of this worker and one that claimed the row again meanwhile
    exactly one succeeds (PostgreSQL re-checks the row after the other's lock; SQLite
    writes one at a time)."""
    if _ours(notification, worker_id).update(claimed_at=now) != 1:
        return False
    notification.claimed_at = now
    return True


def _settle(
    unfinished: Unfinished, worker_id: str, now: dt.datetime, report: DeliveryReport
) -> None:
    """Once the database is back: record what the mail server accepted while it was away,
    and hand back the rows not tried. A database error keeps what is left for next time."""
    while unfinished.sent:
        _record_sent(unfinished.sent[0], worker_id, now, report)
        unfinished.sent.pop(0)
    while unfinished.untried:
        report.released += _release(unfinished.untried[:1], worker_id)
        unfinished.untried.pop(0)


def _forget_links(notification: Notification) -> dict:
    """The fields that drop a working link from a row done with it (secret_links.py)."""
    if not notification.holds_secret:
        return {}
    return {
        "context": without_secrets(notification.template, notification.context),
        "holds_secret": False,
    }


def _record_sent(notification, worker_id: str, now: dt.datetime, report: DeliveryReport) -> None:
    outcome = {"state": NotificationState.SENT, "sent_at": now, **_forget_links(notification)}
    if _ours(notification, worker_id).update(**outcome) != 1:
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
    quiet_until: Callable[[dt.datetime], dt.datetime | None] | None = None,
) -> None:
    """Record a failed try. ``kind`` (the error's class) is logged; ``error`` is stored
    only, since its text may quote the address. ``quiet_until`` moves a text's retry out
    of quiet hours."""
    attempts = notification.attempts
    give_up = permanent or attempts >= max_attempts()
    if give_up:
        outcome = {"state": NotificationState.FAILED, **_forget_links(notification)}
    else:
        retry_at = now + retry_delay(attempts)
        if quiet_until is not None:
            retry_at = quiet_until(retry_at) or retry_at
        outcome = {"state": NotificationState.PENDING, "next_attempt_at": retry_at}
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


def _defer(notification: Notification, worker_id: str, until: dt.datetime) -> int:
    """A text claimed in quiet hours goes back to pending until they end; the claim does
    not count as an attempt."""
    deferred = _ours(notification, worker_id).update(
        state=NotificationState.PENDING, next_attempt_at=until, attempts=F("attempts") - 1
    )
    if deferred:
        logger.info(
            "text %s (%s) waits for the end of quiet hours, %s",
            notification.pk,
            notification.template,
            until.isoformat(timespec="minutes"),
        )
    return deferred


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
