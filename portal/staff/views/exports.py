"""The export page and its downloads."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from portal.accounts.decorators import staff_required
from portal.filejobs import exports as background
from portal.filejobs import services as file_jobs
from portal.filejobs.models import JobKind
from portal.lib.query import query_items
from portal.mentoring import rules
from portal.mentoring.models import ProgramSettings
from portal.readiness import selectors as readiness_selectors
from portal.staff import compliance as compliance_report
from portal.staff import exports, forms, list_selectors, match_reports, selectors, services
from portal.staff.views.filters import hours_filters, match_report_filters, session_filters

MATCH_REPORTS = ("match_length", "checkin_compliance", "closure_reasons", "match_strength")


def sessions_file_name(filters: selectors.SessionFilters) -> str:
    """sessions, then the month and the range of days asked for: sessions-2025-10,
    sessions-2025-10-01-to-2025-10-15, sessions-from-2025-10-01, sessions-to-2025-10-15."""
    name = "sessions"
    if filters.month:
        name += f"-{filters.month.key}"
    start, end = filters.date_from, filters.date_to
    if start and end:
        name += f"-{start.isoformat()}-to-{end.isoformat()}"
    elif start:
        name += f"-from-{start.isoformat()}"
    elif end:
        name += f"-to-{end.isoformat()}"
    return name


def match_report_table(report: str, filters: match_reports.ReportFilters):
    """One section of the match reports as a table, and its file's name."""
    period = filters.period
    if report == "match_length":
        table = exports.retention_table(match_reports.retention(filters), period_label=period.label)
        return table, f"match-length-{period.key}"
    if report == "checkin_compliance":
        table = exports.checkin_compliance_table(match_reports.checkin_compliance(filters))
        return table, f"checkin-compliance-{filters.today.isoformat()}"
    if report == "closure_reasons":
        table = exports.closures_table(match_reports.closures(filters), period_label=period.label)
        return table, f"closure-reasons-{period.key}"
    months = filters.strength_months
    table = exports.strength_table(
        match_reports.strength_by_month(filters), of_label=filters.strength_of_label
    )
    return table, f"match-strength-{months[0].key}-to-{months[-1].key}"


def _page(request, form, *, status: int = 200) -> HttpResponse:
    file_jobs_list = file_jobs.recent_jobs(request.user, kind=JobKind.EXPORT)
    context = {
        "form": form,
        "file_jobs": file_jobs_list,
        "background_rows": background.background_rows("xlsx"),
    }
    return render(request, "staff/export.html", context, status=status)


@staff_required
def export(request: HttpRequest) -> HttpResponse:
    """The export page; with ?report= it sends the file (every download is audited), or,
    for a large sessions export, queues it for the worker and shows its progress page
    (portal/filejobs/exports.py says which)."""
    program = ProgramSettings.load()
    if "report" not in request.GET:
        initial = {"month": selectors.current_month(program).key}
        return _page(request, forms.ExportForm(initial=initial))
    form = forms.ExportForm(request.GET)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    report, file_format = data["report"], data["file_format"] or "csv"
    include = data["include_children"] and report == "sessions"
    site_id = data["site"].pk if data["site"] else None
    filters_for_audit = query_items(request)
    filters_for_audit.pop("csrfmiddlewaretoken", None)
    date_range = None
    if report == "sessions":
        _, filters = session_filters(request, program)
        later, rows = background.sessions_decision(
            filters, file_format=file_format, program=program
        )
        if later:
            return _background_export(request, filters, file_format, include, rows)
        sessions = list_selectors.session_list(filters=filters, program=program)
        table = exports.sessions_table(sessions, tz=program.tz, include_children=include)
        name = sessions_file_name(filters)
        date_range = (filters.date_from, filters.date_to)
    elif report == "compliance":
        month = rules.Month.parse_or_none(data["month"]) or selectors.current_month(program)
        rows = compliance_report.compliance_rows(month, program=program, site=site_id)
        table = exports.compliance_table(rows, month_label=month.key)
        name = f"compliance-{month.key}"
    elif report in MATCH_REPORTS:
        filters = match_report_filters(request, program)
        if filters.problems:
            for problem in filters.problems:
                form.add_error(None, problem)
            return _page(request, form, status=400)
        table, name = match_report_table(report, filters)
    elif report == "training":
        table = exports.training_table(readiness_selectors.training_list().iterator())
        name = "training-hours"
    else:
        filters = hours_filters(request, program)
        table = exports.hours_table(selectors.hours_report(filters, program=program))
        name = f"hours-{filters.start.key}-to-{filters.end.key}"
    services.export_record(
        user=request.user,
        report=report,
        file_format=file_format,
        filters=filters_for_audit,
        include_children=include,
        date_range=date_range,
    )
    return exports.streaming_response(table, file_format=file_format, filename=name)


def _background_export(request, filters, file_format: str, include: bool, rows: int):
    """Queue the export (or find the same one already queued) and show its progress."""
    job, created = file_jobs.export_job_request(
        user=request.user,
        report="sessions",
        file_format=file_format,
        params=background.export_params(filters),
        include_children=include,
        download_name=f"{sessions_file_name(filters)}.{file_format}",
        rows_expected=rows,
    )
    if created:
        filters_for_audit = query_items(request)
        filters_for_audit.pop("csrfmiddlewaretoken", None)
        services.export_record(
            user=request.user,
            report="sessions",
            file_format=file_format,
            filters=filters_for_audit,
            include_children=include,
            date_range=(filters.date_from, filters.date_to),
        )
    return redirect("staff:export_job", pk=job.pk)
