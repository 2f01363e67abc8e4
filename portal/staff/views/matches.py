"""Matches: the list (a coordinator's own by default), one match, its coordinator, its
closure and, for administrators, undoing a closure made by mistake."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.accounts.decorators import staff_required
from portal.mentoring import caseloads
from portal.mentoring.models import Match, MatchStatus, ProgramSettings
from portal.readiness import matches as readiness_matches
from portal.readiness import selectors as readiness_selectors
from portal.staff import list_selectors, match_forms, selectors, services
from portal.staff.views.common import admin_required, paginate, query_without_page
from portal.staff.views.filters import EVERYONE, match_filters


def _matches(count: int) -> str:
    return f"{count} match{'' if count == 1 else 'es'}"


@staff_required
def match_list(request: HttpRequest) -> HttpResponse:
    filters = match_filters(request)
    page = paginate(request, list_selectors.match_list(filters=filters))
    coordinators = list(caseloads.coordinators())
    context = {
        "page": page,
        "q": filters.q,
        "status": filters.status,
        "site": filters.site,
        "coordinator": filters.coordinator,
        "mine": filters.coordinator == str(request.user.pk),
        "everyone": EVERYONE,
        "unassigned_value": list_selectors.UNASSIGNED,
        "sites": list_selectors.school_sites(),
        "statuses": MatchStatus.choices,
        "coordinators": coordinators,
        "shown_coordinator": next(
            (c for c in coordinators if str(c.pk) == filters.coordinator), None
        ),
        "assign_form": match_forms.BulkAssignForm(),
        "query": query_without_page(request),
        "filter_query": _filter_query(request, filters),
    }
    return render(request, "staff/match_list.html", context)


def _filter_query(request: HttpRequest, filters) -> str:
    """The filters as an address: the bulk form sends them back to pick "all matching"."""
    query = request.GET.copy()
    query.pop("page", None)
    query["coordinator"] = filters.coordinator or EVERYONE
    return query.urlencode()


@staff_required
@require_POST
def match_assign_bulk(request: HttpRequest) -> HttpResponse:
    """Assign the ticked matches, those of the page, or every one the filters (in the
    address, as the list read them) match, to one coordinator."""
    filters = match_filters(request)
    back = f"{reverse('staff:match_list')}?{_filter_query(request, filters)}"
    form = match_forms.BulkAssignForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    scope = form.cleaned_data["scope"]
    matches = list_selectors.match_list(filters=filters)
    if scope == form.SELECTED:
        matches = matches.filter(pk__in=form.ticked)
    elif scope == form.PAGE:
        matches = matches.filter(pk__in=form.on_page)
    coordinator = form.cleaned_data["coordinator"]
    count = caseloads.assign_coordinator(
        matches=matches, coordinator=coordinator, actor=request.user
    )
    name = coordinator.full_name or coordinator.email
    if count:
        messages.success(request, f"{_matches(count)} assigned to {name}.")
    else:
        messages.info(request, f"No active match changed: those chosen were already {name}'s.")
    return redirect(back)


def _get_match(pk: int) -> Match:
    return get_object_or_404(
        Match.objects.select_related(
            "mentor__user", "mentee", "site", "coordinator", "closure_choice"
        ),
        pk=pk,
    )


@staff_required
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    match = _get_match(pk)
    figures = list_selectors.match_figures(match=match)
    return render(
        request,
        "staff/match_detail.html",
        {
            "match": match,
            "figures": figures,
            "hours": selectors.hours(figures["quarters"]),
            "recent": list_selectors.match_recent_sessions(match=match),
            "assign_form": match_forms.AssignForm(initial={"coordinator": match.coordinator_id}),
            "readiness": readiness_matches.match_readiness(match),
        },
    )


@staff_required
@require_POST
def match_assign(request: HttpRequest, pk: int) -> HttpResponse:
    match = _get_match(pk)
    form = match_forms.AssignForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("staff:match_detail", pk=pk)
    if not match.is_active:
        messages.error(request, "This match is closed: it is nobody's caseload now.")
        return redirect("staff:match_detail", pk=pk)
    coordinator = form.cleaned_data["coordinator"]
    try:
        caseloads.assign_coordinator(
            matches=Match.objects.filter(pk=pk), coordinator=coordinator, actor=request.user
        )
    except ValidationError as error:  # the staff member left between the page and the click
        messages.error(request, " ".join(error.messages))
    else:
        who = coordinator.full_name or coordinator.email if coordinator else "nobody"
        messages.success(request, f"This match is now supported by {who}.")
    return redirect("staff:match_detail", pk=pk)


@staff_required
def match_close(request: HttpRequest, pk: int) -> HttpResponse:
    match = _get_match(pk)
    if match.status == MatchStatus.CLOSED:
        messages.info(request, "This match is already closed.")
        return redirect("staff:match_detail", pk=pk)
    program = ProgramSettings.load()
    today = timezone.localdate(timezone.now(), program.tz)
    last_session = (
        timezone.localtime(match.last_session_at, program.tz).date()
        if match.last_session_at
        else None
    )
    form = match_forms.MatchCloseForm(
        request.POST or None,
        match=match,
        today=today,
        initial={"end_date": today, "last_meeting_on": last_session},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.match_close(
            match=match,
            user=request.user,
            end_date=data["end_date"],
            reason=data["closure_choice"],
            closed_by_whom=data["closed_by_whom"],
            last_meeting_on=data["last_meeting_on"],
            talk_with_mentor=data["talk_with_mentor"] == "yes",
            talk_with_family=data["talk_with_family"] == "yes",
            notes=data["notes"],
        )
        messages.success(
            request,
            "The match is closed. Its sessions stay in every report; its mentor can log "
            "nothing after its last day.",
        )
        return redirect("staff:match_detail", pk=pk)
    return render(request, "staff/match_close.html", {"form": form, "match": match})


@admin_required
@require_POST
def match_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    match = _get_match(pk)
    verdict = readiness_selectors.match_verdict(match.mentor)
    if match.is_active:
        messages.info(request, "This match is already active.")
    elif verdict.blocks:
        # The program refuses active matches for mentors who are not ready (SPEC 8).
        messages.error(
            request, f"{verdict.message} Record what is missing first, then reopen the match."
        )
    else:
        services.match_reopen(match=match, user=request.user)
        messages.success(request, "The match is active again: its closure was undone.")
        if not verdict.ready:
            messages.warning(request, f"{verdict.message} Record what is missing soon.")
    return redirect("staff:match_detail", pk=pk)
