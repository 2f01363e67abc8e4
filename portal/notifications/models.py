"""Every email and text message the portal sends, stored before it is sent (the outbox).

A row is written in the same transaction as the event that causes it, so an event is
never saved without its emails, nor an email queued for an event that was rolled back.
A worker (``manage.py send_notifications``) delivers rows and records each attempt.
A text message (``channel="text"``, issue 16) is a row like an email: its ``to`` is a
mobile number, its ``template`` names ``texts/<template>.txt``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.lib.constraints import one_of


class NotificationState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed for good"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"


class NotificationPriority(models.IntegerChoices):
    """Which emails go first when several are due: lower goes sooner."""

    CONCERN = 0, "Child safety concern"
    PERSON_WAITING = 1, "Someone is waiting for it"
    ROUTINE = 2, "Routine reminder"


def priority_of(template: str) -> int:
    """Concern emails before everything else; reminders, sent in bulk, last."""
    if template.startswith("concern-"):
        return NotificationPriority.CONCERN
    if template.startswith("reminder-"):
        return NotificationPriority.ROUTINE
    return NotificationPriority.PERSON_WAITING


class Notification(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.EMAIL, db_default=Channel.EMAIL
    )
    # An email address, or for a text the mobile number in E.164.
    to = models.CharField("recipient", max_length=254)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    template = models.CharField(max_length=80, help_text="emails/<template>-subject.txt etc.")
    context = models.JSONField(default=dict, blank=True)
    # The context holds a working link (secret_links.py) until the email is done with.
    holds_secret = models.BooleanField(default=False)
    secret_expires_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        max_length=20, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    priority = models.PositiveSmallIntegerField(
        choices=NotificationPriority.choices, default=NotificationPriority.PERSON_WAITING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=80, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the notification is about, for staff reading its delivery state.
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The worker's claim: due rows in the order they go out (portal/notifications/worker.py).
        indexes = [
            models.Index(
                fields=["state", "priority", "next_attempt_at"], name="notification_due_order"
            ),
            # The few rows whose link is still to be forgotten.
            models.Index(
                fields=["state", "secret_expires_at"],
                condition=models.Q(holds_secret=True),
                name="notification_holds_secret",
            ),
        ]
        constraints = [
            one_of("state", NotificationState, name="notification_state_known"),
            one_of("channel", Channel, name="notification_channel_known"),
            models.CheckConstraint(
                condition=~models.Q(state=NotificationState.SENT) | models.Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        kind = "text" if self.channel == Channel.TEXT else "email"
        return f"{self.template} {kind} to {self.to} ({self.get_state_display()})"
