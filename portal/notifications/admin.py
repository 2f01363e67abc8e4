"""The outbox, read-only, so staff can see whether an email or a text went out and why not."""

from django.contrib import admin

from portal.accounts.admin import ReadOnlyAdminMixin, StaffAccessMixin
from portal.lib.forms import TextInputAdminMixin
from portal.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(
    ReadOnlyAdminMixin, TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin
):
    list_display = [
        "created_at",
        "channel",
        "to",
        "template",
        "priority",
        "state",
        "attempts",
        "last_error",
        "sent_at",
    ]
    list_filter = ["state", "channel", "template"]
    search_fields = ["to"]
    date_hierarchy = "created_at"
    # The context is left out: it can carry details of a concern, which staff read (and
    # the audit trail records) on the concern itself, and, until the email is done with,
    # a link that enrolls someone or resets a password (secret_links.py).
    fields = [
        "uuid",
        "channel",
        "to",
        "recipient_user",
        "template",
        "priority",
        "subject_type",
        "subject_id",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "claimed_by",
        "sent_at",
        "holds_secret",
        "secret_expires_at",
    ]
    readonly_fields = fields
