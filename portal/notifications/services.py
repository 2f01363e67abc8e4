"""Queue emails. Call inside the transaction of the event that causes them."""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.accounts.models import User
from portal.notifications.models import Channel, Notification, NotificationState, priority_of
from portal.notifications.secret_links import holds_secret, without_secrets

logger = logging.getLogger("portal.notifications")


def notification_queue(
    *,
    to: str,
    template: str,
    context: dict,
    recipient_user: User | None = None,
    subject_type: str = "",
    subject_id: int | None = None,
    link_expires_at: dt.datetime | None = None,
    channel: str = Channel.EMAIL,
    not_before: dt.datetime | None = None,
) -> Notification:
    """Store one email to send. ``context`` must be plain JSON data (no model objects).

    The worker renders ``emails/<template>-subject.txt``, ``-body.txt`` and ``-body.html``
    with this context when it sends, so nothing secret needs to be stored twice. Its
    priority follows from the template: concern emails go out before everything else.
    An email whose template carries a working link (``secret_links.SECRET_CONTEXT``) says
    when the link expires, ``link_expires_at``: the outbox forgets the link then, or once
    the email is sent or has failed for good.

    A text message (``channel=Channel.TEXT``, queued by ``portal.texts.services``) goes to
    a mobile number, renders ``texts/<template>.txt`` and carries no secret link; it waits
    until ``not_before`` (the end of quiet hours) when that is given.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Queue notifications inside the transaction of their event.")
    secret = channel == Channel.EMAIL and holds_secret(template)
    return Notification.objects.create(
        channel=channel,
        to=to,
        template=template,
        context=context,
        priority=priority_of(template),
        holds_secret=secret,
        secret_expires_at=link_expires_at if secret else None,
        next_attempt_at=not_before or timezone.now(),
        recipient_user=recipient_user,
        subject_type=subject_type,
        subject_id=subject_id,
    )


LINK_EXPIRED = "Not sent: the link in it expired before it could be sent."


def notifications_forget_links(*, now: dt.datetime | None = None) -> int:
    """Remove the working link from every email done with it: sent or failed (the worker
    does this as it records the outcome; this catches any row it could not), or still
    waiting after its link expired, which is then not sent at all. Returns how many.

    Each row is changed with an update conditional on its state, so a worker claiming it
    meanwhile wins and the row is left for the next run.
    """
    now = now or timezone.now()
    done = [NotificationState.SENT, NotificationState.FAILED]
    rows = Notification.objects.filter(holds_secret=True).filter(
        Q(state__in=done) | Q(state=NotificationState.PENDING, secret_expires_at__lte=now)
    )
    forgotten = 0
    for row in rows.only("pk", "state", "template", "context").iterator(chunk_size=500):
        change = {"context": without_secrets(row.template, row.context), "holds_secret": False}
        if row.state == NotificationState.PENDING:
            change.update(state=NotificationState.FAILED, last_error=LINK_EXPIRED)
        forgotten += Notification.objects.filter(
            pk=row.pk, state=row.state, holds_secret=True
        ).update(**change)
    if forgotten:
        logger.info("links removed from %s notification(s)", forgotten)
    return forgotten
