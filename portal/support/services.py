"""The Contact page's requests: received, acknowledged, answered by staff."""

import datetime as dt
import hashlib

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from portal.accounts.models import User
from portal.audit.services import audited, log_action, status_values
from portal.lib.text import LONG_TEXT_MAX, check_lengths
from portal.notifications.models import Notification
from portal.notifications.services import notification_queue
from portal.support.models import RequestStatus, SupportRequest, Topic

# How many messages one address (IP or email) may send in the window.
LIMIT_PER_IP = 5
LIMIT_PER_EMAIL = 3
LIMIT_WINDOW_SECONDS = 60 * 60


class TooManyRequests(Exception):
    """The sender has used up the Contact page for now."""


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"contact-limit:{kind}:{digest}"


def _over(kind: str, value: str, limit: int) -> bool:
    """Count one more message for ``value``; true when it is over the limit.

    The counter lives in the shared cache (the database table or Redis), so every web
    server counts together. ``add`` starts the window; ``incr`` is atomic on both.
    """
    key = _key(kind, value)
    if cache.add(key, 1, timeout=LIMIT_WINDOW_SECONDS):
        return limit < 1
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, timeout=LIMIT_WINDOW_SECONDS)
        return False


def contact_rate_check(*, ip: str, email: str) -> None:
    """Raise TooManyRequests when this IP or this email has sent too much lately."""
    over_ip = bool(ip) and _over("ip", ip, LIMIT_PER_IP)
    over_email = _over("email", email, LIMIT_PER_EMAIL)
    if over_ip or over_email:
        raise TooManyRequests


def support_request_create(
    *, name: str, email: str, topic: str, message: str, now: dt.datetime | None = None
) -> SupportRequest:
    """Store a message from the Contact page and acknowledge it to the sender.

    The acknowledgement repeats nothing the sender typed but the topic, so the page cannot
    be used to send someone else a message of one's choosing.
    """
    if topic not in Topic.values:
        raise ValidationError({"topic": "Choose what your message is about from the list."})
    if any(ord(ch) < 32 for ch in name) or "\n" in email or "\r" in email:
        raise ValidationError({"name": "Enter your name on one line."})
    check_lengths(message=(message.strip(), LONG_TEXT_MAX))
    with transaction.atomic():
        request = SupportRequest(
            name=name.strip(),
            email=email.strip().lower(),
            topic=topic,
            message=message.strip(),
            created_at=now or timezone.now(),
        )
        request.full_clean()
        request.save()
        notification_queue(
            to=request.email,
            template="support-received",
            # Written in the language of the page they wrote from (they may have no account).
            context={
                "reference": request.pk,
                "topic": str(request.get_topic_display()),
                "language": (translation.get_language() or "en")[:2],
            },
            subject_type="support_request",
            subject_id=request.pk,
        )
    return request


def _language_written_in(request: SupportRequest) -> str:
    """The language of the page the message came from, as its acknowledgement recorded it."""
    acknowledgement = (
        Notification.objects.filter(
            template="support-received", subject_type="support_request", subject_id=request.pk
        )
        .values_list("context", flat=True)
        .first()
    )
    language = (acknowledgement or {}).get("language", "")
    return language if language in ("en", "es") else ""


def support_request_reply(
    *, request: SupportRequest, user: User, reply: str, now: dt.datetime | None = None
) -> SupportRequest:
    """Email staff's answer to the sender and mark the request answered."""
    reply = reply.strip()
    if not reply:
        raise ValidationError({"reply": "Write your answer before sending it."})
    check_lengths(reply=(reply, LONG_TEXT_MAX))
    now = now or timezone.now()
    with transaction.atomic():
        old = {"status": request.status}
        request.reply = reply
        request.replied_at = now
        request.replied_by = user
        request.status = RequestStatus.ANSWERED
        request.save()
        language = _language_written_in(request)
        with translation.override(language or "en"):
            topic = str(request.get_topic_display())
        notification_queue(
            to=request.email,
            template="support-reply",
            context={
                "reference": request.pk,
                "topic": topic,
                # The answer's wrapper in the language the acknowledgement was written in.
                "language": language,
                "name": request.name,
                "reply": reply,
                "staff_name": user.get_short_name(),
            },
            subject_type="support_request",
            subject_id=request.pk,
        )
        log_action(
            actor=user,
            action="support_request.answered",
            obj=request,
            old=old,
            new={"status": request.status, "reply": reply},
        )
    return request


def support_request_set_status(
    *, request: SupportRequest, user: User, status: str
) -> SupportRequest:
    if status not in RequestStatus.values:
        raise ValidationError({"status": "Choose a status from the list."})
    if status == request.status:
        return request
    with (
        transaction.atomic(),
        audited(request, actor=user, action="support_request.status_changed", values=status_values),
    ):
        request.status = status
        request.save(update_fields=["status", "updated_at"])
    return request


def support_request_record_view(*, request: SupportRequest, user: User) -> None:
    """Every time staff open a request (a person's name, email and message) is on its
    record, as for concerns."""
    log_action(actor=user, action="support_request.viewed", obj=request)
