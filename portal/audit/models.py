"""Who did what to which record, and when. Written by ``log_action``; never changed."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the portal itself acted (a scheduled job).",
    )
    action = models.CharField(max_length=60, help_text="For example: concern.acknowledged")
    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    old_values = models.JSONField(default=dict, blank=True)
    new_values = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "created_at"]),
            # The audit history page (portal/staff/audit_history.py): newest first, whole
            # or by action or by who.
            models.Index(fields=["-created_at", "-id"], name="audit_newest_first"),
            models.Index(fields=["action", "created_at"], name="audit_action_created"),
            models.Index(fields=["actor", "created_at"], name="audit_actor_created"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id} by {self.actor or 'the portal'}"
