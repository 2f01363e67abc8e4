"""Reports on the page: one month's compliance, hours over months, and the match reports."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.accounts.decorators import staff_required
from portal.lib.query import query_bool, query_int, query_text
from portal.mentoring import caseloads
from portal.mentoring.models import (
    ChoiceList,
    ProgramSettings,
)
from portal.staff import compliance as compliance_report
from portal.staff import list_selectors, match_reports, selectors
from portal.staff.views.filters import hours_filters, match_report_filters


@staff_required
def compliance(request: HttpRequest) -> HttpResponse:
    """One month's compliance: the figures of the whole month, one page of mentors, and the
    addresses of those who logged nothing when asked for (?emails=1)."""
    program = ProgramSettings.load()
    # The month whose deadline is still open, unless another is asked for.
    shown = selectors.month_shown(query_text(request, "month"), program=program)
    month = shown.month
    site_id = query_int(request, "site")
    show = compliance_report.parse_show(query_text(request, "show"))
    scope = compliance_report.Scope.of(month, program=program, site=site_id)
    summary = compliance_report.summary(scope)
    # The page as typed: parse_number reads it, and a wrong one is named on the page.
    table = compliance_report.mentor_page(
        scope, show=show, page=request.GET.get("page"), count=summary.count_shown(show)
    )
    show_emails = query_bool(request, "emails")
    emails = compliance_report.silent_emails(scope) if show_emails else []

    def query(show: str = show) -> str:
        return compliance_report.address(month=month, site=site_id, show=show)

    def query_for(other: selectors.Month) -> str:
        return compliance_report.address(month=other, site=site_id, show=show)

    return render(
        request,
        "staff/compliance.html",
        {
            "month": month,
            "shown": shown,
            "switch_query": query_for(shown.switch_to) if shown.switch_to else "",
            "summary": summary,
            "show": show,
            "show_links": [
                {
                    "value": value,
                    "label": label,
                    "count": summary.count_shown(value),
                    "query": query(show=value),
                }
                for value, label in compliance_report.SHOW_CHOICES
            ],
            "table": table,
            "page": table.page,
            "rows": table.rows,
            "query": query(),
            "nothing_query": query(show=compliance_report.NOTHING),
            "deadline": shown.deadline,
            "sites": list_selectors.school_sites(),
            "site_id": site_id,
            "show_emails": show_emails,
            "silent_emails": ", ".join(emails),
        },
    )


@staff_required
def hours(request: HttpRequest) -> HttpResponse:
    program = ProgramSettings.load()
    filters = hours_filters(request, program)
    report = selectors.hours_report(filters, program=program)
    return render(
        request,
        "staff/hours.html",
        {
            "filters": filters,
            "report": report,
            "chart": selectors.chart(report["by_month"]),
            "sites": list_selectors.school_sites(),
            "types": list_selectors.choices_of(list_name=ChoiceList.TYPE_OF_MENTORING),
            "interactions": list_selectors.choices_of(list_name=ChoiceList.INTERACTION),
            "query": request.GET.urlencode(),
        },
    )


@staff_required
def match_reports_page(request: HttpRequest) -> HttpResponse:
    """Match length and retention, check-in compliance, closure reasons and match strength
    on one page, each with its downloads; a period that cannot be read is named on it."""
    program = ProgramSettings.load()
    filters = match_report_filters(request, program)
    return render(
        request,
        "staff/match_reports.html",
        {
            "filters": filters,
            "retention": match_reports.retention(filters),
            "compliance": match_reports.checkin_compliance(filters),
            "closures": match_reports.closures(filters),
            "strength": match_reports.strength_by_month(filters),
            "coordinators": caseloads.coordinators(),
            "unassigned": match_reports.UNASSIGNED,
            "query": filters.query(),
        },
    )
