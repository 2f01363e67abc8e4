"""A mentor's consent to text messages: the number, what they agreed to and when, and
whether texts are on (off when they turn them off here or reply STOP).

The texts themselves are rows of the outbox (``Notification`` with ``channel="text"``),
stored, retried and claimed like emails (portal/notifications/worker.py).
"""

from django.db import models
from django.db.models import Q

from portal.lib.text import at_most
from portal.mentoring.models import Mentor
from portal.texts.rules import CONSENT_MAX, PHONE_MAX, format_phone


class StoppedBy(models.TextChoices):
    MENTOR = "mentor", "The mentor, on their preferences page"
    REPLY = "reply", "A STOP reply to a text"
    PROVIDER = "provider", "The text provider (the number had stopped texts)"


class TextSubscription(models.Model):
    """One per mentor who ever opted in. Turning texts off keeps the row (the consent on
    record, and when it ended); opting in again records the new consent."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("phone", "consent_wording", "stopped_by")

    mentor = models.OneToOneField(
        Mentor, on_delete=models.CASCADE, related_name="text_subscription"
    )
    phone = models.CharField("mobile number", max_length=PHONE_MAX, help_text="E.164")
    active = models.BooleanField(default=False, help_text="Texts go to this number.")
    consent_wording = models.TextField(max_length=CONSENT_MAX)
    consented_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.CharField(max_length=20, choices=StoppedBy.choices, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["phone"], name="text_subscription_phone")]
        constraints = [
            models.CheckConstraint(
                condition=Q(phone__regex=r"^\+[1-9][0-9]{7,14}$"), name="text_phone_e164"
            ),
            at_most("consent_wording", CONSENT_MAX, name="text_consent_wording_max"),
            models.CheckConstraint(
                condition=~Q(consent_wording=""), name="text_consent_wording_recorded"
            ),
            # On: not stopped. Off: when and by whom.
            models.CheckConstraint(
                condition=Q(active=True, stopped_at__isnull=True, stopped_by="")
                | Q(active=False, stopped_at__isnull=False),
                name="text_subscription_on_or_stopped",
            ),
            models.CheckConstraint(
                condition=Q(stopped_by="") | Q(stopped_by__in=StoppedBy.values),
                name="text_stopped_by_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Texts to {self.phone} ({'on' if self.active else 'off'})"

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def stopped_by_reply(self) -> bool:
        """Stopped by a STOP reply (or the provider): only START sends texts again."""
        return not self.active and self.stopped_by in (StoppedBy.REPLY, StoppedBy.PROVIDER)
