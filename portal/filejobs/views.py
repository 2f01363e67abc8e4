"""The progress pages of background exports and imports, and an export's download.

Only the job's requester (while staff) and administrators may see a job or fetch its
file. Anyone else, other staff included, gets 404 as if it did not exist: a job's number
tells nobody whether someone else asked for something.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from portal.filejobs import files, history
from portal.filejobs.models import FileJob, JobKind, JobStatus
from portal.staff import exports, imports

# Seconds between the progress page's refreshes (a meta refresh: no JavaScript needed).
REFRESH_SECONDS = 3


def _visible_job(request: HttpRequest, pk: int, kind: str) -> FileJob:
    job = FileJob.objects.filter(pk=pk, kind=kind).select_related("requester").first()
    if job is None or not job.visible_to(request.user):
        raise Http404("No such job.")
    return job


def asked_for(job: FileJob) -> list[tuple[str, str]]:
    """What the job was asked for, in words, for its page."""
    from portal.mentoring.models import SchoolSite

    words = []
    for name, value in (job.params or {}).items():
        if value in (None, "", False, []):
            continue
        if isinstance(value, dict):
            value = next(iter(value.values()), "")
        if name == "site":
            value = SchoolSite.objects.filter(pk=value).values_list("name", flat=True).first()
        words.append((name.replace("_", " ").capitalize(), "yes" if value is True else value))
    return words


def _page(request, job: FileJob, template: str, **extra) -> HttpResponse:
    context = {"job": job, "refresh": REFRESH_SECONDS if job.unfinished else None, **extra}
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk, JobKind.EXPORT)
    return _page(request, job, "staff/export_job.html", asked_for=asked_for(job))


@login_required
def export_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk, JobKind.EXPORT)
    if job.status != JobStatus.READY:
        return redirect("staff:export_job", pk=job.pk)
    try:
        handle = files.path_of(job.file_name).open("rb")
    except (OSError, ValueError):
        raise Http404("The file is gone.") from None
    history.record(job, "downloaded", actor=request.user)
    content_type = exports.XLSX_TYPE if job.file_format == "xlsx" else exports.CSV_TYPE
    response = FileResponse(
        handle, as_attachment=True, filename=job.download_name, content_type=content_type
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk, JobKind.IMPORT)
    kind = imports.KINDS.get(job.report)
    added = job.result.get("added")
    return _page(
        request,
        job,
        "staff/import_job.html",
        kind=kind,
        added=kind.count(added) if kind and added is not None else "",
        list_url=_list_of(job.report),
    )


def _list_of(kind: str) -> str:
    """Where the imported records are listed (as the small import's save redirects)."""
    names = {
        "contacts": "staff:site_list",
        "readiness": "readiness:list",
        "mentors": "staff:mentor_list",
        "mentees": "staff:mentee_list",
        "matches": "staff:match_list",
    }
    return reverse(names.get(kind, "staff:import_start"))
