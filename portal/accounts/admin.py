"""The Django admin, for staff until the staff workspace replaces it.

Access follows roles, not Django permissions: staff manage program records; only
administrators manage staff accounts and program settings.
"""

from django import forms
from django.contrib import admin

from portal.accounts.models import Role, User
from portal.audit.admin import AuditedAdminMixin
from portal.lib.forms import TextInputAdminMixin, TextInputMixin


class StaffAccessMixin:
    """Program staff and administrators may view, add and change these records."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_program_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # records are closed or deactivated, never deleted


class AdminOnlyMixin(StaffAccessMixin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_administrator


class ReadOnlyAdminMixin:
    """A record people look at in the admin but never add, change or delete there (the
    outbox, job runs, text subscriptions): the portal's own code writes them. Put it first."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UserChangeForm(TextInputMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "phone", "role", "is_active"]

    def __init__(self, *args, request_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if request_user is not None and not request_user.is_administrator:
            self.fields["role"].choices = [
                (Role.MENTOR, Role.MENTOR.label),
                (Role.SITE_CONTACT, Role.SITE_CONTACT.label),
            ]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, TextInputAdminMixin, StaffAccessMixin, admin.ModelAdmin):
    form = UserChangeForm
    list_display = ["email", "full_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "full_name"]
    ordering = ["full_name"]
    readonly_fields = ["audit_trail"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class BoundForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, request_user=request.user, **inner)

        return BoundForm

    def get_queryset(self, request):
        users = super().get_queryset(request)
        if request.user.is_administrator:
            return users
        # Staff manage mentors and site contacts, not other staff accounts.
        return users.filter(role__in=[Role.MENTOR, Role.SITE_CONTACT])
