"""The audit history: who did what to which record, and when (administrators only)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.lib.paging import KeysFirstPaginator
from portal.mentoring.models import ProgramSettings
from portal.staff import audit_history
from portal.staff.views.common import admin_required, paginate, query_without_page


@admin_required
def audit_list(request: HttpRequest) -> HttpResponse:
    tz = ProgramSettings.load().tz
    form, filters = audit_history.audit_filters(request)
    # The trail only grows: a deep page reads its keys from the index first.
    page = paginate(
        request,
        audit_history.audit_events(filters, tz=tz),
        paginator_class=KeysFirstPaginator,
    )
    rows = [audit_history.audit_row(event, tz=tz) for event in page.object_list]
    return render(
        request,
        "staff/audit_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": audit_history.has_filters(filters),
            "query": query_without_page(request),
        },
    )
