"""Background exports and imports, read-only, for an administrator checking the worker."""

from django.contrib import admin

from portal.accounts.admin import AdminOnlyMixin, ReadOnlyAdminMixin
from portal.filejobs.models import FileJob
from portal.lib.forms import TextInputAdminMixin


@admin.register(FileJob)
class FileJobAdmin(ReadOnlyAdminMixin, TextInputAdminMixin, AdminOnlyMixin, admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "report",
        "file_format",
        "requester",
        "status",
        "rows_done",
        "rows_expected",
        "created_at",
        "finished_at",
        "expires_at",
        "attempts",
        "claimed_by",
    ]
    list_filter = ["kind", "status"]
    # The params, the result and the file stay out: an administrator fetches the file
    # through the progress page, which records the download.
    fields = list_display + ["size", "error", "started_at", "claimed_at", "lease_until"]
    readonly_fields = fields
