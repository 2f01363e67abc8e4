"""Session entries: the list, one entry, its review and its correction."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.accounts.decorators import staff_required
from portal.followups import selectors as followup_selectors
from portal.followups.forms import AskForm, ResolveForm
from portal.lib.forms import add_domain_errors
from portal.lib.paging import KeysFirstPaginator
from portal.mentoring.models import ProgramSettings
from portal.mentoring.services import DuplicateSession, EntryLocked, session_log_update
from portal.safeguarding.access import concern_of_session_for_user
from portal.safeguarding.services import concern_record_view
from portal.staff import forms, list_selectors, selectors, services
from portal.staff.views.common import render_list
from portal.staff.views.filters import session_filters


@staff_required
def session_list(request: HttpRequest) -> HttpResponse:
    program = ProgramSettings.load()
    form, filters = session_filters(request, program)
    return render_list(
        request,
        "staff/session_list.html",
        list_selectors.session_list(filters=filters, program=program),
        paginator_class=KeysFirstPaginator,
        form=form,
        export_query=request.GET.urlencode(),
    )


@staff_required
@require_POST
def session_review_bulk(request: HttpRequest) -> HttpResponse:
    ids = [value for value in request.POST.getlist("sessions") if value.isdecimal()]
    back = request.POST.get("next") or ""
    if not ids:
        messages.error(request, "Choose at least one entry to mark as reviewed.")
    else:
        count = services.sessions_mark_reviewed(
            sessions=list_selectors.sessions_with_ids(ids=ids), user=request.user
        )
        messages.success(
            request, f"{count} {'entry' if count == 1 else 'entries'} marked as reviewed."
        )
    url = reverse("staff:session_list")
    return redirect(f"{url}?{back}" if back else url)


def _get_session(pk: int):
    return get_object_or_404(selectors.staff_sessions(), pk=pk)


def _session_concern(request: HttpRequest, session):
    """The session's concern, its view recorded: these pages show its text (RULES 6)."""
    concern = concern_of_session_for_user(request.user, session)
    if concern is not None:
        concern_record_view(concern=concern, user=request.user)
    return concern


def render_session_page(
    request: HttpRequest, session, *, ask_form=None, resolve_forms=None, status: int = 200
) -> HttpResponse:
    """The entry's page; the follow-up forms (portal/followups/) come back with their errors."""
    followups = list(followup_selectors.for_session(session))
    resolve_forms = resolve_forms or {}
    for followup in followups:
        followup.resolve_form = resolve_forms.get(followup.pk) or ResolveForm(
            auto_id=f"resolve-{followup.pk}-%s"
        )
    return render(
        request,
        "staff/session_detail.html",
        {
            "session": session,
            "revisions": list_selectors.session_revisions(session=session),
            "program": ProgramSettings.load(),
            "concern": _session_concern(request, session),
            "followups": followups,
            "ask_form": ask_form or AskForm(),
        },
        status=status,
    )


@staff_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_session_page(request, _get_session(pk))


@staff_required
@require_POST
def session_review(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session(pk)
    services.sessions_mark_reviewed(
        sessions=list_selectors.sessions_with_ids(ids=[session.pk]), user=request.user
    )
    messages.success(request, "Marked as reviewed. Its mentor can no longer change it.")
    return redirect("staff:session_detail", pk=pk)


@staff_required
def session_correct(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session(pk)
    program = ProgramSettings.load()
    form = forms.CorrectionForm(
        request.POST or None,
        matches=list_selectors.correction_matches(session=session),
        program=program,
        instance=session,
        initial=forms.CorrectionForm.initial_for_edit(session, program),
    )
    if request.method == "POST" and form.is_valid():
        try:
            session_log_update(
                session=session,
                user=request.user,
                data=form.to_input(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_domain_errors(form, error)
        except DuplicateSession:
            form.add_error("starts_at", "This match already has an entry at this date and time.")
        except EntryLocked as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Entry corrected. The old values are kept in its history.")
            return redirect("staff:session_detail", pk=pk)
    _session_concern(request, session)
    return render(request, "staff/session_correct.html", {"form": form, "session": session})
