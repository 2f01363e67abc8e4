"""The staff dashboard: the month at a glance and what needs someone today."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.accounts.decorators import staff_required
from portal.checkins.views import dashboard_block, program_today
from portal.lib.query import query_text
from portal.mentoring import caseloads
from portal.mentoring.models import ProgramSettings
from portal.readiness import matches as readiness_matches
from portal.safeguarding import selectors as safeguarding_selectors
from portal.staff import selectors
from portal.support import selectors as support_selectors


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    program = ProgramSettings.load()
    # The month whose deadline is still open, unless another is asked for.
    shown = selectors.month_shown(query_text(request, "month"), program=program)
    context = selectors.dashboard_figures(shown, program=program)
    concerns = safeguarding_selectors.open_concerns_oldest_first(user=request.user)
    context.update(
        {
            "switch_query": f"month={shown.switch_to.key}" if shown.switch_to else "",
            "open_concerns": concerns.count(),
            "oldest_concerns": list(concerns[:5]),
            "open_needs": safeguarding_selectors.need_list(user=request.user).count(),
            "support_requests": support_selectors.open_request_count(),
            "needing_support": safeguarding_selectors.matches_needing_support_count(),
            "my_matches": caseloads.matches_of(request.user).count(),
            "unassigned_matches": caseloads.unassigned_matches().count(),
            "checkins": dashboard_block(request.user, today=program_today()),
            "readiness": readiness_matches.dashboard_readiness(today=program_today()),
            "unreachable_concerns": list(
                safeguarding_selectors.open_concerns_nobody_at_school_can_see()
            ),
        }
    )
    return render(request, "staff/dashboard.html", context)
