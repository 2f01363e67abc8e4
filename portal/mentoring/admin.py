from django.contrib import admin
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from portal.accounts.admin import AdminOnlyMixin, StaffAccessMixin
from portal.audit.services import events_for, log_action
from portal.lib.forms import TextInputAdminMixin
from portal.mentoring.models import (
    Choice,
    Match,
    Mentee,
    Mentor,
    NoSessionMonth,
    ProgramSettings,
    ReminderSent,
    SchoolSite,
    SessionLog,
    SessionLogRevision,
    SiteContact,
)


class AuditedAdminMixin:
    """Every change saved here is written to the audit trail, which the page shows."""

    audit_action = "changed"

    def save_model(self, request, obj, form, change):
        old = {}
        if change and obj.pk:
            before = type(obj).objects.get(pk=obj.pk)
            old = {name: _plain(getattr(before, name)) for name in form.changed_data}
        super().save_model(request, obj, form, change)
        new = {name: _plain(getattr(obj, name)) for name in form.changed_data}
        prefix = obj._meta.model_name
        log_action(
            actor=request.user,
            action=f"{prefix}.{'changed' if change else 'created'}",
            obj=obj,
            old=old,
            new=new,
        )

    @admin.display(description="Record of changes")
    def audit_trail(self, obj):
        if obj is None or obj.pk is None:
            return "Nothing recorded yet."
        rows = [
            (
                timezone.localtime(event.created_at).strftime("%d %b %Y %H:%M"),
                event.actor or "The portal",
                event.action,
                ", ".join(
                    f"{name}: {event.old_values.get(name, '')!s} → {value!s}"
                    for name, value in event.new_values.items()
                ),
            )
            for event in events_for(obj)
        ]
        if not rows:
            return "Nothing recorded yet."
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )


def _plain(value):
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


@admin.register(ProgramSettings)
class ProgramSettingsAdmin(
    TextInputAdminMixin, AuditedAdminMixin, AdminOnlyMixin, admin.ModelAdmin
):
    readonly_fields = ["audit_trail"]

    def has_add_permission(self, request, *args):
        return False


@admin.register(Choice)
class ChoiceAdmin(TextInputAdminMixin, AuditedAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    list_display = ["label", "list", "is_default", "is_retired", "position"]
    list_filter = ["list", "is_retired"]
    readonly_fields = ["audit_trail"]


class SiteContactInline(TextInputAdminMixin, StaffAccessMixin, admin.TabularInline):
    model = SiteContact
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(SchoolSite)
class SchoolSiteAdmin(TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    list_display = ["name", "address"]
    search_fields = ["name"]
    inlines = [SiteContactInline]


@admin.register(Mentor)
class MentorAdmin(TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    list_display = ["user", "status", "enrolled_on", "agreement_accepted_at", "weekly_reminders"]
    list_filter = ["status", "weekly_reminders"]
    readonly_fields = ["agreement_accepted_at", "agreement_version"]
    search_fields = ["user__full_name", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Mentee)
class MenteeAdmin(TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    list_display = ["display_name", "site", "grade", "status"]
    list_filter = ["site", "status"]
    search_fields = ["first_name"]
    actions = ["erase_records"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_administrator:
            actions.pop("erase_records", None)
        return actions

    @admin.action(description="Erase records at the school's request (administrators)")
    def erase_records(self, request, queryset):
        # One child at a time, on a page that says what goes and asks why.
        if queryset.count() != 1:
            self.message_user(request, "Choose one mentee.", level="error")
            return None
        return redirect("lifecycle:mentee_erase", queryset.get().pk)


@admin.register(Match)
class MatchAdmin(TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    list_display = ["mentor", "mentee", "site", "start_date", "end_date", "status"]
    list_filter = ["status", "site"]
    search_fields = ["mentor__user__full_name", "mentee__first_name"]
    autocomplete_fields = ["mentor", "mentee"]


class RevisionInline(TextInputAdminMixin, admin.TabularInline):
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
class SessionLogAdmin(TextInputAdminMixin, AuditedAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    """Read-only here: corrections go through the service so history is kept."""

    readonly_fields = ["audit_trail"]

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


@admin.register(NoSessionMonth)
class NoSessionMonthAdmin(TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    """Mentors' "we did not meet this month" answers, for compliance (SPEC 4.15)."""

    list_display = ["mentor", "month_label", "reason", "details", "declared_at"]
    list_filter = ["year", "month", "reason"]
    search_fields = ["mentor__user__full_name", "mentor__user__email"]
    list_select_related = ["mentor__user"]
    readonly_fields = ["mentor", "year", "month", "reason", "details", "declared_by", "declared_at"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="month", ordering="year")
    def month_label(self, obj):
        return obj.month_label


@admin.register(ReminderSent)
class ReminderSentAdmin(TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    list_display = ["mentor", "kind", "period", "sent_at"]
    list_filter = ["kind", "period"]
    search_fields = ["mentor__user__full_name", "mentor__user__email"]
    list_select_related = ["mentor__user"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
