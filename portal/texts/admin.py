"""Who opted in to texts, read-only: consent is given and withdrawn by the mentor only."""

from django.contrib import admin

from portal.accounts.admin import ReadOnlyAdminMixin, StaffAccessMixin
from portal.lib.forms import TextInputAdminMixin
from portal.texts.models import TextSubscription


@admin.register(TextSubscription)
class TextSubscriptionAdmin(
    ReadOnlyAdminMixin, TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin
):
    list_display = ["mentor", "phone", "active", "consented_at", "stopped_at", "stopped_by"]
    list_filter = ["active", "stopped_by"]
    list_select_related = ["mentor__user"]
    search_fields = ["phone", "mentor__user__email"]
    fields = [
        "mentor",
        "phone",
        "active",
        "consent_wording",
        "consented_at",
        "stopped_at",
        "stopped_by",
        "updated_at",
    ]
    readonly_fields = fields
