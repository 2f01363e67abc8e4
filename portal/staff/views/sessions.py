"""Session entries: the list, one entry, its review and its correction."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.accounts.decorators import staff_required
from portal.mentoring.models import Match, ProgramSettings
from portal.mentoring.services import DuplicateSession, EntryLocked, session_log_update
from portal.safeguarding.access import concern_of_session_for_user
from portal.safeguarding.services import concern_record_view
from portal.staff import forms, selectors, services
from portal.staff.views.common import paginate, query_without_page


def _session_filters(
    request: HttpRequest, program
) -> tuple[forms.SessionFilterForm, selectors.SessionFilters]:
    form = forms.SessionFilterForm(request.GET or None)
    filters = selectors.SessionFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.SessionFilters(
            month=selectors.parse_month(data["month"], program),
            site=data["site"].pk if data["site"] else None,
            mentor=data["mentor"].strip(),
            attendance=data["attendance"],
            late=data["late"],
            flagged=data["flagged"],
            reviewed=data["reviewed"],
        )
    return form, filters


@staff_required
def session_list(request: HttpRequest) -> HttpResponse:
    program = ProgramSettings.load()
    form, filters = _session_filters(request, program)
    sessions = selectors.filter_sessions(selectors.staff_sessions(), filters, program=program)
    page = paginate(request, sessions.order_by("-starts_at", "-pk"))
    return render(
        request,
        "staff/session_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "export_query": request.GET.urlencode(),
        },
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
            sessions=selectors.staff_sessions().filter(pk__in=ids), user=request.user
        )
        messages.success(
            request, f"{count} {'entry' if count == 1 else 'entries'} marked as reviewed."
        )
    url = reverse("staff:session_list")
    return redirect(f"{url}?{back}" if back else url)


def _get_session(pk: int):
    return get_object_or_404(selectors.staff_sessions(), pk=pk)


def _session_concern(request: HttpRequest, session):
    """The session's concern, its view recorded: these pages show its text (SPEC 6)."""
    concern = concern_of_session_for_user(request.user, session)
    if concern is not None:
        concern_record_view(concern=concern, user=request.user)
    return concern


@staff_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session(pk)
    revisions = session.revisions.select_related("changed_by")
    return render(
        request,
        "staff/session_detail.html",
        {
            "session": session,
            "revisions": revisions,
            "program": ProgramSettings.load(),
            "concern": _session_concern(request, session),
        },
    )


@staff_required
@require_POST
def session_review(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session(pk)
    services.sessions_mark_reviewed(
        sessions=selectors.staff_sessions().filter(pk=session.pk), user=request.user
    )
    messages.success(request, "Marked as reviewed. Its mentor can no longer change it.")
    return redirect("staff:session_detail", pk=pk)


@staff_required
def session_correct(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session(pk)
    program = ProgramSettings.load()
    matches = Match.objects.filter(mentor_id=session.match.mentor_id).select_related(
        "mentee", "site"
    )
    form = forms.CorrectionForm(
        request.POST or None,
        matches=matches,
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
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except DuplicateSession:
            form.add_error("starts_at", "This match already has an entry at this date and time.")
        except EntryLocked as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Entry corrected. The old values are kept in its history.")
            return redirect("staff:session_detail", pk=pk)
    _session_concern(request, session)
    return render(request, "staff/session_correct.html", {"form": form, "session": session})
