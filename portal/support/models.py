"""Messages sent from the Contact page, and the staff's answers."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.constraints import one_of
from portal.lib.text import LONG_TEXT_MAX, at_most


class Topic(models.TextChoices):
    SIGN_IN = "sign_in", _("I cannot sign in")
    INVITATION = "invitation", _("My invitation expired or is lost")
    MENTEE = "mentee", _("I cannot see my mentee")
    LOGGING = "logging", _("I have a problem logging a session")
    OTHER = "other", _("Something else")


class RequestStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = [RequestStatus.NEW, RequestStatus.IN_PROGRESS]


class SupportRequest(models.Model):
    name = models.CharField(max_length=120)
    email = models.EmailField()
    topic = models.CharField(max_length=20, choices=Topic.choices)
    message = models.TextField(max_length=LONG_TEXT_MAX)
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    reply = models.TextField(blank=True, max_length=LONG_TEXT_MAX)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            one_of("topic", Topic, name="support_request_topic_known"),
            one_of("status", RequestStatus, name="support_request_status_known"),
            at_most("message", LONG_TEXT_MAX, name="support_request_message_max_length"),
            at_most("reply", LONG_TEXT_MAX, name="support_request_reply_max_length"),
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} from {self.email}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
