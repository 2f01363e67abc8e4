"""Imports of mentors, mentees, matches and school contacts from a CSV file."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from portal.accounts.decorators import staff_required
from portal.filejobs import imports as background
from portal.filejobs import services as file_jobs
from portal.filejobs.models import JobKind
from portal.staff import exports, forms, imports

IMPORT_SESSION_KEY = "staff_import"


@staff_required
def import_start(request: HttpRequest) -> HttpResponse:
    context = {
        "kinds": imports.KINDS.values(),
        "file_jobs": file_jobs.recent_jobs(request.user, kind=JobKind.IMPORT),
        "background_rows": background.background_rows(),
    }
    return render(request, "staff/import_start.html", context)


@staff_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in imports.KINDS:
        return HttpResponse(status=404)
    response = HttpResponse(
        imports.template_csv(imports.KINDS[kind]), content_type=exports.CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response


@staff_required
def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in imports.KINDS:
        return HttpResponse(status=404)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        if background.row_count(text) > background.background_rows():
            # A long file is checked and saved by the worker, with its progress.
            request.session.pop(IMPORT_SESSION_KEY, None)
            job = file_jobs.import_job_request(user=request.user, kind_name=kind, text=text)
            return redirect("staff:import_job", pk=job.pk)
        result = imports.import_check(kind_name=kind, text=text)
        if result.ok:
            request.session[IMPORT_SESSION_KEY] = {"kind": kind, "text": text}
        else:
            request.session.pop(IMPORT_SESSION_KEY, None)
    return render(
        request,
        "staff/import_upload.html",
        {
            "form": form,
            "kind": imports.KINDS[kind],
            "result": result,
            "background_rows": background.background_rows(),
        },
    )


@staff_required
@require_POST
def import_save(request: HttpRequest, kind: str) -> HttpResponse:
    stored = request.session.get(IMPORT_SESSION_KEY)
    if not stored or stored.get("kind") != kind:
        messages.error(request, "Upload the file again: nothing was saved.")
        return redirect("staff:import_upload", kind=kind)
    try:
        saved = imports.import_save(kind_name=kind, text=stored["text"], user=request.user)
    except ValueError:
        messages.error(
            request, "The file no longer passes the checks: nothing was saved. Upload it again."
        )
        return redirect("staff:import_upload", kind=kind)
    request.session.pop(IMPORT_SESSION_KEY, None)
    message = f"Added {imports.KINDS[kind].count(saved.added)}."
    if saved.skipped:
        message += (
            f" Skipped {saved.skipped} row{pluralize(saved.skipped)} already in the portal or "
            "repeated in the file."
        )
    messages.success(request, message)
    if kind == "contacts":
        return redirect("staff:site_list")  # each school's page lists its people
    if kind == "readiness":
        return redirect("readiness:list")
    return redirect(f"staff:{kind[:-2] if kind == 'matches' else kind[:-1]}_list")
