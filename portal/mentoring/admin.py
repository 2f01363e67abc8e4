from django.contrib import admin

from portal.accounts.admin import AdminOnlyMixin, StaffAccessMixin
from portal.mentoring.models import (
    Choice,
    Match,
    Mentee,
    Mentor,
    ProgramSettings,
    SchoolSite,
    SessionLog,
    SessionLogRevision,
    SiteContact,
)


@admin.register(ProgramSettings)
class ProgramSettingsAdmin(AdminOnlyMixin, admin.ModelAdmin):
    def has_add_permission(self, request, *args):
        return False


@admin.register(Choice)
class ChoiceAdmin(StaffAccessMixin, admin.ModelAdmin):
    list_display = ["label", "list", "is_default", "is_retired", "position"]
    list_filter = ["list", "is_retired"]


class SiteContactInline(StaffAccessMixin, admin.TabularInline):
    model = SiteContact
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(SchoolSite)
class SchoolSiteAdmin(StaffAccessMixin, admin.ModelAdmin):
    list_display = ["name", "address"]
    search_fields = ["name"]
    inlines = [SiteContactInline]


@admin.register(Mentor)
class MentorAdmin(StaffAccessMixin, admin.ModelAdmin):
    list_display = ["user", "status", "enrolled_on"]
    list_filter = ["status"]
    search_fields = ["user__full_name", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Mentee)
class MenteeAdmin(StaffAccessMixin, admin.ModelAdmin):
    list_display = ["display_name", "site", "grade", "status"]
    list_filter = ["site", "status"]
    search_fields = ["first_name"]


@admin.register(Match)
class MatchAdmin(StaffAccessMixin, admin.ModelAdmin):
    list_display = ["mentor", "mentee", "site", "start_date", "end_date", "status"]
    list_filter = ["status", "site"]
    search_fields = ["mentor__user__full_name", "mentee__first_name"]
    autocomplete_fields = ["mentor", "mentee"]


class RevisionInline(admin.TabularInline):
    model = SessionLogRevision
    extra = 0
    can_delete = False
    fields = ["action", "changed_by", "changed_at", "reason", "old_values", "new_values"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_program_staff


@admin.register(SessionLog)
class SessionLogAdmin(StaffAccessMixin, admin.ModelAdmin):
    """Read-only here: corrections go through the service so history is kept."""

    list_display = ["starts_at", "match", "hours", "attendance", "is_late", "safety_concern"]
    list_filter = ["is_late", "safety_concern", "attendance", "match__site"]
    search_fields = ["match__mentor__user__full_name", "match__mentee__first_name"]
    date_hierarchy = "starts_at"
    inlines = [RevisionInline]
    list_select_related = ["match__mentor__user", "match__mentee"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
