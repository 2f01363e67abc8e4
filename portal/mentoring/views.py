"""The mentor's pages: home, the session form, my sessions. Thin: access, one service, redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.accounts.decorators import mentor_required
from portal.downloads import tables
from portal.followups.models import FollowUp, FollowUpStatus
from portal.followups.selectors import open_for_mentor
from portal.lib.forms import add_domain_errors, call_for_form
from portal.lib.query import query_bool, query_int, query_text
from portal.mentoring import my_hours, rules, selectors, services, signed_out_drafts
from portal.mentoring.access import (
    active_matches_for_mentor,
    get_session_for_user,
    loggable_matches_for_mentor,
    matches_visible_to,
)
from portal.mentoring.forms import (
    DeleteSessionForm,
    NoSessionMonthForm,
    SessionLogForm,
)
from portal.mentoring.models import (
    MatchStatus,
    NoSessionMonth,
    ResourceNeedKind,
    SessionLog,
)
from portal.mentoring.rules import Month
from portal.readiness import matches as readiness_matches
from portal.readiness import selectors as readiness_selectors
from portal.readiness.models import MatchReadinessFlag, NotReadyPolicy
from portal.readiness.views import agreement_gate
from portal.texts.backends import texts_enabled

# Marks a post of an entry the phone kept offline (static/js/portal.js).
OFFLINE_ENTRY_HEADER = "X-Offline-Entry"


@mentor_required
def mentor_home(request: HttpRequest) -> HttpResponse:
    # A new version of the mentor agreement is accepted first (SPEC 8).
    if gate := agreement_gate(request):
        return gate
    program = request.program
    now = timezone.now()
    # The month that is due, then this month when that is another one (RULES 4.7).
    months = selectors.months_due(request.user, program=program, now=now)
    due = months[0]
    matches = _home_matches(request.user, due.total.month)
    # What the page shows only when there is some: asked for only when the matches say
    # there is (without active matches, asked for as always).
    mentor = request.user.mentor
    asks = matches[0] if matches else None
    return render(
        request,
        "mentoring/home.html",
        {
            "matches": matches,
            "due": due,
            "this_month": months[-1].total,
            "deadline": due.deadline,
            "now": now,
            "recent_sessions": selectors.recent_sessions(request.user),
            "no_session": _no_session_offer(due, matches),
            "followups": (
                list(open_for_mentor(request.user))
                if asks is None or asks.mentor_has_open_questions
                else []
            ),
            "holds": (
                readiness_matches.holds_for_mentor(mentor)
                if asks is None or asks.mentor_has_holds
                else []
            ),
            "texts_offered": texts_enabled(),
        },
    )


def _home_matches(user, month: Month) -> list:
    """The mentor's active matches for the home page, each saying (in the same query)
    whether the mentor has open questions, matches on hold, or said they did not meet in
    ``month``: usually none of the three, so the page asks no more queries for them. The
    answers are the mentor's, over all their matches, not only this one."""
    mentor = OuterRef("mentor_id")
    return list(
        active_matches_for_mentor(user)
        .annotate(
            mentor_has_open_questions=Exists(
                FollowUp.objects.filter(status=FollowUpStatus.OPEN, session__match__mentor=mentor)
            ),
            mentor_has_holds=Exists(
                MatchReadinessFlag.objects.filter(match__mentor=mentor, policy=NotReadyPolicy.BLOCK)
            ),
            mentor_said_no_session=Exists(
                NoSessionMonth.objects.filter(mentor=mentor, year=month.year, month=month.month)
            ),
        )
        .prefetch_related("site__contacts")
    )


def _no_session_offer(due: selectors.MonthDue, matches):
    """The "we did not meet this month" answer for the month that is due: what the mentor
    already said, or a form when nothing is logged for that month yet."""
    if not matches:
        return None
    mentor = matches[0].mentor  # read with the matches: no query of its own
    month = due.total.month
    declared = None
    if matches[0].mentor_said_no_session:
        declared = mentor.no_session_months.filter(year=month.year, month=month.month).first()
    if declared is None and due.total.sessions:
        return None
    return {
        "label": due.deadline.month_label,
        "declared": declared,
        "form": None if declared else NoSessionMonthForm(initial={"month": month.key}),
    }


@mentor_required
@require_http_methods(["POST"])
def no_session_month(request: HttpRequest) -> HttpResponse:
    """One step from the home page: "we did not meet at all in <month>", with the reason."""
    form = NoSessionMonthForm(request.POST)
    if form.is_valid():
        month = form.cleaned_data["month"]
        declared = call_for_form(
            form,
            services.no_session_month_declare,
            mentor=request.user.mentor,
            year=month.year,
            month=month.month,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
            user=request.user,
        )
        if declared is not None:
            messages.success(
                request,
                _(
                    "Thank you. The program knows you did not meet in %(month)s; "
                    "there will be no more reminders about %(month)s."
                )
                % {"month": declared.month_label},
            )
            return redirect("mentoring:home")
    label = ""
    if "month" in form.cleaned_data:
        label = form.cleaned_data["month"].label
    return render(
        request, "mentoring/no_session_month.html", {"form": form, "label": label}, status=400
    )


def _form_context(form: SessionLogForm, **extra) -> dict:
    # The page shows each school's contacts: read them (one query) only when it is shown,
    # not for a post that saves and redirects.
    prefetch_related_objects(form.matches, "site__contacts")
    return {"form": form, "matches": form.matches, **extra}


def _duplicate_message(existing: SessionLog) -> str:
    return format_html(
        'You already logged this session. <a href="{}">See the entry you logged</a>.',
        reverse("mentoring:session_detail", args=[existing.pk]),
    )


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    # Not behind @login_required: a POST from an expired sign-in must keep the notes.
    if not request.user.is_authenticated:
        if request.method == "POST" and request.headers.get(OFFLINE_ENTRY_HEADER) == "1":
            # Sent by the phone from an entry it keeps: it keeps it until the next sign-in.
            return HttpResponse("Sign in again.", status=401, content_type="text/plain")
        if request.method == "POST":
            return signed_out_drafts.stash(request)
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    return _session_create(request)


@mentor_required
def _session_create(request: HttpRequest) -> HttpResponse:
    program = request.program
    # Read once: the form reuses the list. Each says whether the program holds it until
    # its mentor is ready again (portal/readiness).
    matches = list(
        readiness_selectors.with_held(
            loggable_matches_for_mentor(
                request.user, today=timezone.localdate(timezone.now(), program.tz)
            )
        )
    )
    if not matches:
        return render(request, "mentoring/no_match.html", status=200)
    if request.method == "GET" and (gate := agreement_gate(request)):
        return gate
    if any(m.is_held for m in matches):
        matches = [m for m in matches if not m.is_held]
        if not matches:
            return render(
                request,
                "readiness/held.html",
                {"holds": readiness_matches.holds_for_mentor(request.user.mentor)},
            )
    if request.method == "POST":
        form = SessionLogForm(request.POST, matches=matches, program=program)
        if form.is_valid():
            try:
                session = services.session_log_create(
                    user=request.user,
                    data=form.to_input(),
                    submission_token=form.cleaned_data.get("submission_token"),
                )
            except services.DuplicateSession as duplicate:
                form.add_error("starts_at", _duplicate_message(duplicate.existing))
            except services.DeadlinePassed as refused:
                form.add_error("starts_at", str(refused))
            except ValidationError as error:
                add_domain_errors(form, error)
            else:
                return redirect(reverse("mentoring:session_detail", args=[session.pk]) + "?saved=1")
    else:
        form = SessionLogForm(matches=matches, program=program)
        initial = form.initial_for_new(match_pk=query_int(request, "match"))
        draft = signed_out_drafts.pop(request, matches)
        if draft:
            initial.update(draft)
        form.initial = initial
    return render(request, "mentoring/session_form.html", _form_context(form, creating=True))


def _suggestions(session: SessionLog, program) -> list[dict]:
    """Boxes the notes hint at that are not ticked, to ask about (never ticked for them)."""
    ticked = set(session.resource_needs)
    if session.safety_concern:
        ticked.add(rules.CONCERN)
    labels = {rules.CONCERN: "Child safety concern", **dict(ResourceNeedKind.choices)}
    return [
        {"phrase": s.phrase, "target": s.target, "label": labels[s.target]}
        for s in rules.suggest_boxes(session.notes, words=program.all_prompt_words, ticked=ticked)
        if s.target in labels
    ]


@mentor_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    contacts = list(session.match.site.contacts.all())
    just_saved = query_bool(request, "saved")
    return render(
        request,
        "mentoring/session_detail.html",
        {
            "session": session,
            "contacts": contacts,
            "just_saved": just_saved,
            # Right after a concern is raised (with the entry, or from the question about
            # the notes): who is being emailed, and what to do when it cannot wait.
            "concern_just_reported": session.safety_concern
            and (just_saved or query_bool(request, "reported")),
            "suggestions": (
                _suggestions(session, request.program)
                if query_bool(request, "saved") or query_bool(request, "changed")
                else []
            ),
            **_change_window(request, session),
            "revisions": session.revisions.select_related("changed_by"),
        },
    )


def _change_window(request: HttpRequest, session: SessionLog) -> dict:
    """Until when the mentor may change the entry, for the page to say: its deadline, or
    the end of the 30 minutes after saving when that comes later."""
    now = timezone.now()
    deadline = rules.deadline_for_session(session.starts_at, request.program.deadline_policy)
    correction_ends = rules.correction_window_ends(session.entered_at)
    return {
        "may_change": services.mentor_may_change(session, user=request.user, now=now),
        "deadline": deadline,
        "deadline_passed": now >= deadline.due_by,
        "correction_ends": correction_ends if correction_ends > deadline.due_by else None,
    }


def _locked(request: HttpRequest, session: SessionLog, message: str) -> HttpResponse | None:
    """Back to the entry with ``message`` when its mentor may no longer change it."""
    if services.mentor_may_change(session, user=request.user):
        return None
    messages.error(request, message)
    return redirect("mentoring:session_detail", pk=session.pk)


@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        if request.method == "POST":
            return signed_out_drafts.stash(request)
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    return _session_edit(request, pk)


@mentor_required
def _session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    program = request.program
    session = get_session_for_user(request.user, pk)
    locked = _locked(
        request,
        session,
        "This entry can no longer be changed: its deadline and the 30 minutes after saving "
        "have passed, or staff have reviewed it. Please contact your coordinator if "
        "something is wrong.",
    )
    if locked:
        return locked
    # A mentor may move an entry to any of their matches that covers its date.
    matches = list(
        matches_visible_to(request.user).filter(
            Q(status=MatchStatus.ACTIVE) | Q(pk=session.match_id)
        )
    )
    if request.method == "POST":
        form = SessionLogForm(request.POST, matches=matches, program=program, instance=session)
        if form.is_valid():
            had_concern = session.safety_concern
            try:
                services.session_log_update(
                    session=session, user=request.user, data=form.to_input()
                )
            except services.DuplicateSession as duplicate:
                form.add_error("starts_at", _duplicate_message(duplicate.existing))
            except services.DeadlinePassed as refused:
                form.add_error("starts_at", str(refused))
            except services.EntryLocked as locked:
                form.add_error(None, str(locked))
            except ValidationError as error:
                add_domain_errors(form, error)
            else:
                messages.success(request, _("Your changes are saved."))
                if had_concern and not session.safety_concern:
                    messages.info(
                        request,
                        _(
                            "The concern you reported stays with program staff: they see that "
                            "you withdrew it and decide whether to close it."
                        ),
                    )
                return redirect(
                    reverse("mentoring:session_detail", args=[session.pk]) + "?changed=1"
                )
    else:
        initial = SessionLogForm.initial_for_edit(session, program)
        draft = signed_out_drafts.pop(request, matches)
        if draft:
            initial.update(draft)
        form = SessionLogForm(initial=initial, matches=matches, program=program, instance=session)
    return render(
        request,
        "mentoring/session_form.html",
        _form_context(form, creating=False, session=session),
    )


@mentor_required
@require_http_methods(["GET", "POST"])
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    locked = _locked(
        request,
        session,
        "This entry can no longer be deleted: its deadline and the 30 minutes after saving "
        "have passed, or staff have reviewed it. Please contact your coordinator.",
    )
    if locked:
        return locked
    form = DeleteSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_log_delete(session=session, user=request.user)
        except services.EntryLocked as locked:
            messages.error(request, str(locked))
            return redirect("mentoring:session_detail", pk=session.pk)
        messages.success(request, _("The entry is deleted."))
        return redirect("mentoring:session_list")
    return render(request, "mentoring/session_delete.html", {"session": session, "form": form})


@mentor_required
def session_list(request: HttpRequest) -> HttpResponse:
    program = request.program
    now = timezone.now()
    this_month = Month.of(now, program.tz)
    # An address people can type: a month that cannot be read shows this month.
    month = Month.parse_or_none(query_text(request, "month")) or this_month
    sessions = selectors.sessions_in_month(request.user, month=month, program=program).order_by(
        "starts_at"
    )
    totals = selectors.monthly_totals(request.user, program=program)
    current = selectors.month_total(request.user, month=month, program=program)
    following = month.next()
    return render(
        request,
        "mentoring/session_list.html",
        {
            "months_due": selectors.months_due(request.user, program=program, now=now),
            "sessions": sessions,
            "month_total": current,
            "totals": totals,
            "deadline": month.deadline(program.deadline_policy),
            "previous_key": month.previous().key,
            "next_key": following.key if following <= this_month else None,
        },
    )


@mentor_required
def hours_download(request: HttpRequest) -> HttpResponse:
    """ "Download my hours" (RULES 5): the signed-in mentor's own sessions and hours by month,
    with the total, as CSV or Excel. Audited as every export is."""
    file_format = "xlsx" if request.GET.get("file_format") == "xlsx" else "csv"
    table = my_hours.mentor_hours_table(
        selectors.monthly_totals(request.user, program=request.program)
    )
    services.mentor_hours_export_record(user=request.user, file_format=file_format)
    return tables.streaming_response(table, file_format=file_format, filename="my-hours")


@mentor_required
@require_http_methods(["POST"])
def session_add_flags(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer the prompt after saving: add a concern or needs to the entry."""
    session = get_session_for_user(request.user, pk)
    try:
        services.session_log_add_flags(
            session=session,
            user=request.user,
            needs=request.POST.getlist("need"),
            concern_details=request.POST.get("concern_details", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("mentoring:session_detail", args=[session.pk]) + "?saved=1")
    except services.EntryLocked as locked:
        messages.error(request, str(locked))
        return redirect("mentoring:session_detail", pk=session.pk)
    messages.success(request, _("Added to your entry. The program will follow up."))
    url = reverse("mentoring:session_detail", args=[session.pk])
    if request.POST.get("concern_details", "").strip():
        return redirect(url + "?reported=1")
    return redirect(url)
