"""The staff dashboard: the month at a glance and what needs someone today."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.accounts.decorators import staff_required
from portal.lib.query import query_text
from portal.mentoring.models import ProgramSettings
from portal.safeguarding import selectors as safeguarding_selectors
from portal.safeguarding.access import concerns_visible_to, needs_visible_to
from portal.safeguarding.models import NeedStatus
from portal.staff import selectors


def _open_support_requests() -> int:
    """Open requests from the Contact page: new or in progress."""
    from portal.support.models import OPEN_STATUSES, SupportRequest

    return SupportRequest.objects.filter(status__in=OPEN_STATUSES).count()


# --- Dashboard ----------------------------------------------------------------------------


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    program = ProgramSettings.load()
    # The month whose deadline is still open, unless another is asked for.
    shown = selectors.month_shown(query_text(request, "month"), program=program)
    context = selectors.dashboard_figures(shown, program=program)
    concerns = (
        concerns_visible_to(request.user).open().select_related("site").order_by("raised_at", "pk")
    )
    context.update(
        {
            "switch_query": f"month={shown.switch_to.key}" if shown.switch_to else "",
            "open_concerns": concerns.count(),
            "oldest_concerns": list(concerns[:5]),
            "open_needs": needs_visible_to(request.user).exclude(status=NeedStatus.CLOSED).count(),
            "support_requests": _open_support_requests(),
            "needing_support": selectors.matches_needing_support_count(),
            "unreachable_concerns": list(
                safeguarding_selectors.open_concerns_nobody_at_school_can_see()
            ),
        }
    )
    return render(request, "staff/dashboard.html", context)
