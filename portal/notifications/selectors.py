"""Reading the outbox for staff pages: whether the emails about a record went out."""

from collections.abc import Iterable

from portal.notifications.models import Channel, Notification

# What a page needs to say "sent at ...", "queued" or "not sent"; never the context.
DELIVERY_FIELDS = ("pk", "to", "template", "state", "attempts", "sent_at", "created_at")


def emails_about(*, subject_type: str, subject_id: int) -> list[Notification]:
    """The emails queued about one record, oldest first."""
    return list(
        Notification.objects.filter(
            channel=Channel.EMAIL, subject_type=subject_type, subject_id=subject_id
        )
        .only(*DELIVERY_FIELDS, "subject_id")
        .order_by("created_at", "pk")
    )


def latest_email_about_each(*, subject_type: str, subject_ids: Iterable[int]) -> dict:
    """For each record, the latest email queued about it (one query for a page)."""
    rows = (
        Notification.objects.filter(
            channel=Channel.EMAIL, subject_type=subject_type, subject_id__in=list(subject_ids)
        )
        .only(*DELIVERY_FIELDS, "subject_id")
        .order_by("created_at", "pk")
    )
    return {row.subject_id: row for row in rows}
