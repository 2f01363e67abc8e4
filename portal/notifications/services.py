"""Queue emails. Call inside the transaction of the event that causes them."""

from django.db import transaction

from portal.accounts.models import User
from portal.notifications.models import Notification, priority_of


def notification_queue(
    *,
    to: str,
    template: str,
    context: dict,
    recipient_user: User | None = None,
    subject_type: str = "",
    subject_id: int | None = None,
) -> Notification:
    """Store one email to send. ``context`` must be plain JSON data (no model objects).

    The worker renders ``emails/<template>-subject.txt``, ``-body.txt`` and ``-body.html``
    with this context when it sends, so nothing secret needs to be stored twice. Its
    priority follows from the template: concern emails go out before everything else.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Queue notifications inside the transaction of their event.")
    return Notification.objects.create(
        to=to,
        template=template,
        context=context,
        priority=priority_of(template),
        recipient_user=recipient_user,
        subject_type=subject_type,
        subject_id=subject_id,
    )
