from django.contrib import admin

from portal.accounts.admin import StaffAccessMixin
from portal.lib.forms import TextInputAdminMixin
from portal.safeguarding.models import ResourceNeed, SafetyConcern


class ReadOnlyStaffAdmin(TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    """Concerns and needs change only through their pages, so every step is audited."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SafetyConcern)
class SafetyConcernAdmin(ReadOnlyStaffAdmin):
    list_display = ["pk", "site", "status", "raised_at", "acknowledged_at", "closed_at"]
    list_filter = ["status", "site"]


@admin.register(ResourceNeed)
class ResourceNeedAdmin(ReadOnlyStaffAdmin):
    list_display = ["pk", "kind", "status", "raised_at"]
    list_filter = ["status", "kind"]
