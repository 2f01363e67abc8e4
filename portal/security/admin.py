from django.contrib import admin

from portal.audit.admin import AuditedAdminMixin
from portal.lib.forms import TextInputAdminMixin
from portal.security.models import Passkey, TOTPDevice


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(AuditedAdminMixin, TextInputAdminMixin, admin.ModelAdmin):
    """Administrators can see who uses codes and remove a lost device (the person then
    sets codes up again at their next sign-in). The secret is never shown."""

    list_display = ["user", "confirmed_at", "last_used_at"]
    search_fields = ["user__email", "user__full_name"]
    fields = ["user", "created_at", "confirmed_at", "last_used_at", "audit_trail"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_administrator

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Passkey)
class PasskeyAdmin(TOTPDeviceAdmin):
    """Administrators can see who has passkeys and remove a lost one (the person then
    signs in with another passkey, their app or a recovery code, or sets one up again).
    The public key and the credential id are never shown."""

    list_display = ["user", "name", "created_at", "last_used_at"]
    fields = ["user", "name", "created_at", "last_used_at", "sign_count", "audit_trail"]
    readonly_fields = fields
