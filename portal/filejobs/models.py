"""A background export or import: what was asked, by whom, its progress, its file and the
claim of the worker running it (see claims.py)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.lib.constraints import one_of

KEPT_FOR = dt.timedelta(hours=24)


class JobKind(models.TextChoices):
    EXPORT = "export", "Export"
    IMPORT = "import", "Import"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    RUNNING = "running", "Running"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired (file deleted)"


# Still to do or being done: the request of the same thing again gets this job.
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class FileJob(models.Model):
    kind = models.CharField(max_length=10, choices=JobKind.choices)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="file_jobs"
    )
    # What was asked: the report (or the import's kind), the file type, the filters as
    # the export read them (parsed values, never the raw query string).
    report = models.CharField(max_length=40)
    file_format = models.CharField(max_length=10, blank=True)
    params = models.JSONField(default=dict, blank=True)
    include_children = models.BooleanField(default=False)

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_expected = models.PositiveIntegerField(default=0)
    # An import checks its rows, then saves them.
    phase = models.CharField(max_length=20, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Ready + 24 hours.")

    # The finished file (an export) or the uploaded file (an import, until it is done),
    # relative to FILE_JOBS_DIR.
    file_name = models.CharField(max_length=200, blank=True)
    download_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    # An import's outcome (added, skipped) or its problems; a failure's message for staff.
    result = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)

    # The claim: one worker at a time, until its lease runs out (claims.py).
    claimed_by = models.CharField(max_length=80, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            one_of("kind", JobKind, name="file_job_kind_known"),
            one_of("status", JobStatus, name="file_job_status_known"),
        ]
        indexes = [
            # The worker's queue and the expiry job.
            models.Index(fields=["status", "created_at"], name="file_job_status"),
            # A staff member's recent jobs on the export page.
            models.Index(fields=["requester", "-created_at"], name="file_job_requester"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.report} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.READY:
            return 100
        if not self.rows_expected:
            return 0
        return min(99, self.rows_done * 100 // self.rows_expected)

    @property
    def unfinished(self) -> bool:
        return self.status in UNFINISHED

    def visible_to(self, user) -> bool:
        """Only its requester (while staff) and administrators see a job or its file."""
        if not getattr(user, "is_authenticated", False):
            return False
        if user.is_administrator:
            return True
        return user.is_program_staff and self.requester_id == user.pk
