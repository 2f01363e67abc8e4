from django import forms
from django.contrib import admin
from django.shortcuts import redirect

from portal.accounts import site_contacts
from portal.accounts.admin import AdminOnlyMixin, StaffAccessMixin
from portal.audit.admin import AuditedAdminMixin
from portal.lib.forms import TextInputAdminMixin, TextInputMixin
from portal.lib.paging import KeysFirstPaginator
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
from portal.readiness import agreements as readiness_agreements
from portal.readiness.forms import AgreementTextCheckMixin
from portal.safeguarding.models import SafetyConcern
from portal.safeguarding.services import concern_record_view


class ProgramSettingsAdminForm(AgreementTextCheckMixin, TextInputMixin, forms.ModelForm):
    """The admin's program settings, with the settings page's check of the agreement."""


@admin.register(ProgramSettings)
class ProgramSettingsAdmin(
    TextInputAdminMixin, AuditedAdminMixin, AdminOnlyMixin, admin.ModelAdmin
):
    form = ProgramSettingsAdminForm
    readonly_fields = ["audit_trail"]

    def has_add_permission(self, request, *args):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if readiness_agreements.agreement_texts_changed(obj, form.changed_data):
            # A new version, as from the program settings page (portal/readiness).
            readiness_agreements.agreement_version_record(user=request.user)


@admin.register(Choice)
class ChoiceAdmin(TextInputAdminMixin, AuditedAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    list_display = ["label", "list", "is_default", "is_retired", "position"]
    list_filter = ["list", "is_retired"]
    readonly_fields = ["audit_trail"]


class SiteContactAdminForm(TextInputMixin, forms.ModelForm):
    def clean_email(self) -> str:
        return site_contacts.checked_contact_email(self.cleaned_data["email"])


class SiteContactInline(TextInputAdminMixin, StaffAccessMixin, admin.TabularInline):
    """The people of a school. Their sign-in follows their email (an account is made and
    invited when needed), so the account is shown, not chosen."""

    model = SiteContact
    form = SiteContactAdminForm
    extra = 0
    fields = ["name", "role", "email", "phone", "position", "user"]
    readonly_fields = ["user"]

    def has_delete_permission(self, request, obj=None):
        # A person who left the school is removed; their account stays (see the service).
        return self.has_module_permission(request)


@admin.register(SchoolSite)
class SchoolSiteAdmin(AuditedAdminMixin, TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    list_display = ["name", "address"]
    search_fields = ["name"]
    inlines = [SiteContactInline]
    readonly_fields = ["audit_trail"]

    def save_formset(self, request, form, formset, change):
        if formset.model is not SiteContact:
            return super().save_formset(request, form, formset, change)
        # Through the services, as in the staff workspace: accounts, invitations, the end
        # of a removed person's sessions, and the audit trail.
        contacts = formset.save(commit=False)
        for contact in formset.deleted_objects:
            site_contacts.site_contact_remove(contact=contact, actor=request.user)
        for contact in contacts:
            site_contacts.site_contact_save(contact=contact, actor=request.user)
        return None


@admin.register(Mentor)
class MentorAdmin(AuditedAdminMixin, TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    list_display = ["user", "status", "enrolled_on", "agreement_accepted_at", "weekly_reminders"]
    list_filter = ["status", "weekly_reminders"]
    readonly_fields = ["agreement_accepted_at", "agreement_version", "audit_trail"]
    search_fields = ["user__full_name", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Mentee)
class MenteeAdmin(AuditedAdminMixin, TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    list_display = ["display_name", "site", "grade", "status"]
    list_filter = ["site", "status"]
    search_fields = ["first_name"]
    actions = ["erase_records"]
    readonly_fields = ["audit_trail"]

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
class MatchAdmin(AuditedAdminMixin, TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    list_display = ["mentor", "mentee", "site", "start_date", "end_date", "status"]
    list_filter = ["status", "site"]
    search_fields = ["mentor__user__full_name", "mentee__first_name"]
    autocomplete_fields = ["mentor", "mentee"]
    readonly_fields = ["audit_trail"]


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
    # By date with the admin's date choices (today, past 7 days, this month, this year): a
    # range read of session_starts_idx. Not a date_hierarchy, whose list of years reads
    # every entry on each showing of the page.
    list_filter = ["starts_at", "is_late", "safety_concern", "attendance", "match__site"]
    search_fields = ["match__mentor__user__full_name", "match__mentee__first_name"]
    inlines = [RevisionInline]
    list_select_related = ["match__mentor__user", "match__mentee"]
    # Newest first through session_starts_idx; a filtered page counts only what it shows
    # (not also every one of a million entries, for "N total").
    ordering = ["-starts_at", "-id"]
    show_full_result_count = False
    # A deep page skips index entries, not rows with their joins (portal/lib/paging.py).
    paginator = KeysFirstPaginator

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The page shows the concern's text and its history: the look is on the concern's
        # record, as on /concerns/N/.
        if obj is not None:
            concern = SafetyConcern.objects.filter(session=obj).first()
            if concern is not None:
                concern_record_view(concern=concern, user=request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(NoSessionMonth)
class NoSessionMonthAdmin(TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    """Mentors' "we did not meet this month" answers, for compliance (RULES 4.15)."""

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
