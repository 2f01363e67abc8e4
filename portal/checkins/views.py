"""The staff pages of check-ins: record one, the overdue list, the cadence (administrators)."""

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from portal.accounts.decorators import role_required, staff_required
from portal.checkins import forms, selectors, services
from portal.checkins.models import WithWhom
from portal.lib.paging import render_list
from portal.lib.query import query_choice, query_int, query_text
from portal.mentoring.models import Match, ProgramSettings, SchoolSite

admin_required = role_required("is_administrator")
DASHBOARD_ROWS = 10
BACK_TO = ("match", "overdue", "dashboard")


def program_today() -> dt.date:
    return timezone.localdate(timezone.now(), ProgramSettings.load().tz)


def _back_url(back: str, match: Match) -> str:
    if back == "overdue":
        return reverse("checkins:overdue")
    if back == "dashboard":
        return reverse("staff:dashboard")
    return reverse("staff:match_detail", args=[match.pk])


@staff_required
def record(request: HttpRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(Match.objects.select_related("mentor__user", "mentee", "site"), pk=pk)
    back = request.POST.get("back") if request.method == "POST" else query_text(request, "back")
    back = back if back in BACK_TO else "match"
    kind = query_text(request, "kind")
    initial = {"with_whom": kind} if kind in WithWhom.values else {}
    today = program_today()
    form = forms.CheckInForm(
        request.POST if request.method == "POST" else None,
        match=match,
        today=today,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        checkin = services.checkin_record(
            match=match,
            user=request.user,
            with_whom=data["with_whom"],
            how=data["how"],
            on_date=data["on_date"],
            at_time=data["at_time"],
            notes=data["notes"],
            strength=data["strength"],
            safety_concern=data["safety_concern"] == "yes",
            concern_description=data["concern_description"],
            submission_token=data["submission_token"],
        )
        said = f"Check-in with the {checkin.get_with_whom_display().lower()} saved."
        if checkin.concern_id:
            said += " The safety concern was raised: staff and the school's contacts are told."
        messages.success(request, said)
        return redirect(_back_url(back, match))
    return render(
        request,
        "checkins/record.html",
        {"form": form, "match": match, "back": back, "back_url": _back_url(back, match)},
    )


@staff_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Late check-ins, oldest first, 50 a page: the user's caseload (or everyone's, for an
    administrator who asks), at one school or of one kind when chosen."""
    everyone = request.user.is_administrator and query_text(request, "everyone") == "yes"
    kind = query_choice(request, "kind", WithWhom.values, "")
    site = query_int(request, "site")
    rows = selectors.overdue_checkins(
        coordinator=None if everyone else request.user, today=program_today(), site=site, kind=kind
    )
    return render_list(
        request,
        "checkins/overdue.html",
        rows,
        everyone=everyone,
        can_see_everyone=request.user.is_administrator,
        kind=kind,
        kinds=WithWhom.choices,
        site=site,
        sites=SchoolSite.objects.order_by("name", "pk"),
    )


def dashboard_block(user, *, today: dt.date) -> dict:
    """What the staff dashboard shows: the user's late check-ins (a total of everyone's for
    administrators)."""
    mine = selectors.overdue_checkins(coordinator=user, today=today)
    everyone = None
    if user.is_administrator:
        everyone = selectors.late_checkin_count(today=today)
    return {"mine": mine[:DASHBOARD_ROWS], "mine_count": len(mine), "everyone_count": everyone}


@admin_required
def cadence(request: HttpRequest) -> HttpResponse:
    form = forms.CadenceForm(
        request.POST if request.method == "POST" else None, current=selectors.cadences()
    )
    if request.method == "POST" and form.is_valid():
        services.cadence_update(user=request.user, months=form.cleaned_data)
        messages.success(request, "Check-in cadence saved.")
        return redirect("checkins:cadence")
    return render(request, "checkins/cadence.html", {"form": form})
