"""The scheduled job ``expire_file_jobs``: 24 hours after a job ended (``expires_at``) its
file is deleted and it is marked expired; a failed job's temporary files and uploaded
file go the same way. Idempotent: a file already gone is fine."""

import datetime as dt

from django.utils import timezone

from portal.filejobs import files, history
from portal.filejobs.models import FileJob, JobStatus

BATCH = 200


def file_jobs_expire(*, now: dt.datetime | None = None) -> int:
    """Expire the jobs past their time, at most BATCH a run. Returns how many."""
    now = now or timezone.now()
    due = FileJob.objects.filter(
        status__in=(JobStatus.READY, JobStatus.FAILED), expires_at__lte=now
    ).order_by("expires_at", "pk")[:BATCH]
    expired = 0
    for job in due:
        files.remove_named(job.file_name)
        for part in files.leftover_parts(job.pk):
            files.remove(part)
        # An import's problems quote the file's values: they go with it.
        result = {k: v for k, v in job.result.items() if k in ("added", "skipped")}
        changed = FileJob.objects.filter(pk=job.pk, status=job.status).update(
            status=JobStatus.EXPIRED, file_name="", result=result
        )
        if changed:
            expired += 1
            history.record(job, "expired", was=job.status, note="File deleted after 24 hours")
    return expired
