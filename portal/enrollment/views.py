"""Enrollment pages: staff invite mentors (one or many) and see where each invitation
is; a mentor opens the link, sets a password, accepts the agreement and lands home. A
school site contact's link (sent from the school's page) asks for a password only."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.decorators import staff_required
from portal.accounts.models import Role
from portal.enrollment import services
from portal.enrollment.forms import (
    AcceptInvitationForm,
    InviteCsvConfirmForm,
    InviteCsvForm,
    InviteForm,
)
from portal.enrollment.models import Invitation, InvitationState
from portal.lib.forms import call_for_form
from portal.lib.query import query_int, query_text
from portal.mentoring.models import SiteContact
from portal.notifications.selectors import latest_email_about_each

STATE_FILTERS = {
    InvitationState.PENDING: lambda now: Q(
        accepted_at__isnull=True, retired_at__isnull=True, expires_at__gt=now
    ),
    InvitationState.EXPIRED: lambda now: Q(
        accepted_at__isnull=True, retired_at__isnull=True, expires_at__lte=now
    ),
    InvitationState.ACCEPTED: lambda now: Q(accepted_at__isnull=False),
    InvitationState.RETIRED: lambda now: Q(retired_at__isnull=False),
}


@staff_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    # School contacts' invitations are shown and resent on each school's page.
    invitations = Invitation.objects.select_related("user", "created_by").filter(
        user__role=Role.MENTOR
    )
    counts = {state: invitations.filter(q(now)).count() for state, q in STATE_FILTERS.items()}
    state = query_text(request, "state")
    if state in STATE_FILTERS:
        invitations = invitations.filter(STATE_FILTERS[state](now))
    else:
        state = ""
        invitations = invitations.filter(retired_at__isnull=True)
    query = query_text(request, "q")
    if query:
        invitations = invitations.filter(
            Q(user__email__icontains=query) | Q(user__full_name__icontains=query)
        )
    page = Paginator(invitations, 50).get_page(query_int(request, "page"))
    emails = latest_email_about_each(
        subject_type="invitation", subject_ids=[invitation.pk for invitation in page]
    )
    for invitation in page:
        invitation.current_state = invitation.state_at(now)
        invitation.email = emails.get(invitation.pk)
    return render(
        request,
        "enrollment/invitation_list.html",
        {
            "page": page,
            "state": state,
            "query": query,
            "filters": [(s, InvitationState(s).label, counts[s]) for s in STATE_FILTERS],
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def invitation_create(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = call_for_form(
            form, services.invitation_create, **form.cleaned_data, created_by=request.user
        )
        if invitation is not None:
            messages.success(
                request,
                f"Invitation queued for {invitation.user.email}: it goes out within a "
                f"minute. The link works for {request.program.invitation_valid_days} days.",
            )
            return redirect("staff:invitation_list")
    return render(request, "enrollment/invitation_form.html", {"form": form})


@staff_required
@require_http_methods(["GET", "POST"])
def invitation_import(request: HttpRequest) -> HttpResponse:
    """Step 1: upload and see every problem. Step 2: send, only when there are none."""
    if request.method == "POST" and "csv_text" in request.POST:
        confirm = InviteCsvConfirmForm(request.POST)
        if confirm.is_valid():
            try:
                sent = services.invitations_create_from_csv(
                    text=confirm.cleaned_data["csv_text"], created_by=request.user
                )
            except ValidationError:
                # Something changed since the preview (an account was created meanwhile).
                preview = services.invitation_csv_preview(confirm.cleaned_data["csv_text"])
                return render(
                    request,
                    "enrollment/invitation_import.html",
                    {"form": InviteCsvForm(), "preview": preview},
                )
            messages.success(
                request,
                f"{len(sent)} invitation{pluralize(len(sent))} queued: "
                "they go out within a few minutes.",
            )
            return redirect("staff:invitation_list")
    form = InviteCsvForm(request.POST or None, request.FILES or None)
    preview = None
    confirm = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        preview = services.invitation_csv_preview(text)
        if preview.ok:
            confirm = InviteCsvConfirmForm(initial={"csv_text": text})
    return render(
        request,
        "enrollment/invitation_import.html",
        {"form": form, "preview": preview, "confirm": confirm},
    )


@staff_required
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("user"), pk=pk)
    try:
        new = services.invitation_resend(user=invitation.user, created_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"A new link is on its way to {new.user.email}. The old link no longer works."
        )
    return redirect("staff:invitation_list")


PROBLEMS = {
    "unknown": (404, "This link does not work"),
    "used": (410, "This invitation has already been used"),
    "expired": (410, "This invitation has expired"),
    "retired": (410, "A newer invitation replaced this one"),
}


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationUnusable as unusable:
        return _problem(request, unusable.reason)
    user = invitation.user
    if user.language:
        # Invited in a language: the page is written in it, as the email was.
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
    form = AcceptInvitationForm(
        request.POST or None, user=user, language=translation.get_language()[:2]
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                password=form.cleaned_data["password1"],
                language=form.cleaned_data.get("language", ""),
            )
        except services.InvitationUnusable as unusable:
            return _problem(request, unusable.reason)
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            # The configured backend, so the new session stays valid whatever backend that is.
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            if not user.is_mentor:
                messages.success(
                    request,
                    "Welcome! Your password is set and you are signed in. This page shows "
                    "the safety concerns at your school.",
                )
                return redirect("safeguarding:site_home")
            with translation.override(user.language or translation.get_language()):
                messages.success(
                    request, _("Welcome! You are enrolled and signed in. This is your home page.")
                )
            return redirect("mentoring:home")
    return render(
        request,
        "enrollment/invitation_accept.html",
        {
            "form": form,
            "invited": user,
            "invitation": invitation,
            "schools": (
                SiteContact.objects.filter(user=user).select_related("site")
                if user.is_site_contact
                else []
            ),
        },
    )


def _problem(request: HttpRequest, reason: str) -> HttpResponse:
    status, title = PROBLEMS.get(reason, PROBLEMS["unknown"])
    return render(
        request,
        "enrollment/invitation_problem.html",
        {"reason": reason, "title": title},
        status=status,
    )
