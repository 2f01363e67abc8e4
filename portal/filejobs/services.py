"""Asking for a background job: one per requester and question while it is unfinished."""

from django.db import transaction

from portal.accounts.models import User
from portal.filejobs import history, imports
from portal.filejobs.models import UNFINISHED, FileJob, JobKind


@transaction.atomic
def export_job_request(
    *,
    user: User,
    report: str,
    file_format: str,
    params: dict,
    include_children: bool,
    download_name: str,
    rows_expected: int = 0,
) -> tuple[FileJob, bool]:
    """The job for this export: the requester's unfinished one asking the same thing, or a
    new one (queued, audited). Returns it and whether it is new.

    The export page is a GET link, so asking twice (a reload, a double click) must not
    queue the work twice: the requester's row is locked while looking, so two requests
    at once find or make one job.
    """
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    asked = {
        "kind": JobKind.EXPORT,
        "requester": user,
        "report": report,
        "file_format": file_format,
        "params": params,
        "include_children": include_children,
    }
    same = FileJob.objects.filter(**asked, status__in=UNFINISHED).first()
    if same is not None:
        return same, False
    job = FileJob.objects.create(
        **asked,
        download_name=download_name[:150],
        rows_expected=rows_expected,
    )
    history.record(job, "requested", actor=user, filters=params, include_children=include_children)
    return job, True


@transaction.atomic
def import_job_request(*, user: User, kind_name: str, text: str) -> FileJob:
    """A large import for the worker: its text waits in the private folder."""
    job = FileJob.objects.create(
        kind=JobKind.IMPORT,
        requester=user,
        report=kind_name,
        file_format="csv",
        rows_expected=imports.row_count(text),
    )
    job.file_name = imports.store_upload(job.pk, text)
    job.save(update_fields=["file_name"])
    history.record(job, "requested", actor=user, rows=job.rows_expected)
    return job


def recent_jobs(user: User, *, kind: str, limit: int = 10):
    return FileJob.objects.filter(requester=user, kind=kind)[:limit]
