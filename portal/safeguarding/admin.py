from django.contrib import admin

from portal.accounts.admin import StaffAccessMixin
from portal.lib.forms import TextInputAdminMixin
from portal.safeguarding.models import ResourceNeed, SafetyConcern
from portal.safeguarding.services import concern_record_view


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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The page shows the concern's text: the look is recorded as on /concerns/N/.
        if obj is not None:
            concern_record_view(concern=obj, user=request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(ResourceNeed)
class ResourceNeedAdmin(ReadOnlyStaffAdmin):
    list_display = ["pk", "kind", "status", "raised_at"]
    list_filter = ["status", "kind"]
