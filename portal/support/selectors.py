"""Reads: the staff's queue of Contact messages."""

from django.db.models import QuerySet

from portal.support.models import OPEN_STATUSES, RequestStatus, SupportRequest


def request_list(*, show: str) -> QuerySet:
    """``show`` is "open" (new or in progress), a status, or "all" (newest first)."""
    if show == "open":
        return SupportRequest.objects.filter(status__in=OPEN_STATUSES)
    if show in RequestStatus.values:
        return SupportRequest.objects.filter(status=show)
    return SupportRequest.objects.order_by("-created_at", "-pk")


def open_request_count() -> int:
    """Open requests from the Contact page: new or in progress."""
    return SupportRequest.objects.filter(status__in=OPEN_STATUSES).count()
