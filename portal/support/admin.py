from django.contrib import admin

from portal.accounts.admin import StaffAccessMixin
from portal.lib.forms import TextInputAdminMixin
from portal.support.models import SupportRequest


@admin.register(SupportRequest)
class SupportRequestAdmin(TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    list_display = ["created_at", "name", "email", "topic", "status"]
    list_filter = ["status", "topic"]
    search_fields = ["name", "email"]
    readonly_fields = [
        "name",
        "email",
        "topic",
        "message",
        "created_at",
        "reply",
        "replied_at",
        "replied_by",
    ]
