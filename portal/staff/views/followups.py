"""Follow-ups from the staff side: ask the mentor about an entry (on its page), resolve
what comes back, and the list of answers to read and questions still waiting."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.decorators import staff_required
from portal.followups import selectors, services
from portal.followups.forms import AskForm, ResolveForm
from portal.followups.models import FollowUp
from portal.lib.forms import add_domain_errors
from portal.lib.query import query_int
from portal.mentoring.models import Match
from portal.staff import selectors as staff_selectors
from portal.staff.views.common import PAGE_SIZE
from portal.staff.views.sessions import render_session_page


def _page(request: HttpRequest, rows, name: str):
    """One page of ``rows``, its number in the query parameter ``name``."""
    return Paginator(rows, PAGE_SIZE).get_page(query_int(request, name))


@staff_required
@require_POST
def followup_ask(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(staff_selectors.staff_sessions(), pk=pk)
    form = AskForm(request.POST)
    if form.is_valid():
        try:
            services.followup_ask(session=session, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, "Your question is sent. The mentor is emailed.")
            return redirect("staff:session_detail", pk=session.pk)
    return render_session_page(request, session, ask_form=form, status=400)


@staff_required
@require_POST
def followup_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    followup = get_object_or_404(FollowUp.objects.select_related("session"), pk=pk)
    form = ResolveForm(request.POST, auto_id=f"resolve-{followup.pk}-%s")
    if form.is_valid():
        try:
            services.followup_resolve(
                followup=followup, user=request.user, note=form.cleaned_data["resolution_note"]
            )
        except services.FollowUpClosed as closed:
            messages.info(request, str(closed))
        except ValidationError as error:
            add_domain_errors(form, error)
            return render_session_page(
                request,
                get_object_or_404(staff_selectors.staff_sessions(), pk=followup.session_id),
                resolve_forms={followup.pk: form},
                status=400,
            )
        else:
            messages.success(request, "Follow-up resolved.")
    return redirect("staff:session_detail", pk=followup.session_id)


@staff_required
@require_GET
def followup_list(request: HttpRequest) -> HttpResponse:
    """Answers to read and questions still waiting: the coordinator's own by default."""
    # Someone with no matches of their own yet (an administrator, a new program) sees all.
    has_caseload = Match.objects.filter(coordinator=request.user).exists()
    everyone = request.GET.get("who") == "all" or not has_caseload
    coordinator = None if everyone else request.user
    return render(
        request,
        "staff/followup_list.html",
        {
            "everyone": everyone,
            "has_caseload": has_caseload,
            "answered": _page(
                request, selectors.answered_to_resolve(coordinator=coordinator), "answered"
            ),
            "waiting": _page(request, selectors.unanswered(coordinator=coordinator), "waiting"),
        },
    )
