"""The history of scheduled runs, read-only, for an administrator checking that the jobs
run (and which worker ran them)."""

from django.contrib import admin

from portal.accounts.admin import AdminOnlyMixin, ReadOnlyAdminMixin
from portal.jobs.models import JobRun
from portal.lib.forms import TextInputAdminMixin


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdminMixin, TextInputAdminMixin, AdminOnlyMixin, admin.ModelAdmin):
    list_display = [
        "job",
        "slot",
        "outcome",
        "done",
        "error",
        "started_at",
        "finished_at",
        "attempts",
        "worker",
    ]
    list_filter = ["job", "outcome"]
    date_hierarchy = "slot"
    fields = list_display + ["claimed_at", "lease_until"]
    readonly_fields = fields
