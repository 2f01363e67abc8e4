"""The staff workspace: thin views over selectors (reads) and services (writes)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.accounts import site_contacts
from portal.accounts.decorators import role_required, staff_required
from portal.lib.forms import add_domain_errors
from portal.lib.query import query_bool, query_choice, query_int, query_items, query_text
from portal.mentoring import rules
from portal.mentoring.models import (
    Choice,
    ChoiceList,
    Match,
    MatchStatus,
    Mentee,
    MenteeStatus,
    Mentor,
    MentorStatus,
    ProgramSettings,
    SchoolSite,
    SiteContact,
)
from portal.mentoring.services import DuplicateSession, EntryLocked, session_log_update
from portal.safeguarding import selectors as safeguarding_selectors
from portal.safeguarding.access import (
    concern_of_session_for_user,
    concerns_visible_to,
    needs_visible_to,
)
from portal.safeguarding.models import NeedStatus
from portal.safeguarding.services import concern_record_view
from portal.staff import compliance as compliance_report
from portal.staff import exports, forms, imports, selectors, services

admin_required = role_required("is_administrator")
PAGE_SIZE = 50


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(query_int(request, "page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


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


# --- Sessions -----------------------------------------------------------------------------


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
    page = _page(request, sessions.order_by("-starts_at", "-pk"))
    return render(
        request,
        "staff/session_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
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


# --- Compliance ---------------------------------------------------------------------------


@staff_required
def compliance(request: HttpRequest) -> HttpResponse:
    """One month's compliance: the figures of the whole month, one page of mentors, and the
    addresses of those who logged nothing when asked for (?emails=1)."""
    program = ProgramSettings.load()
    # The month whose deadline is still open, unless another is asked for.
    shown = selectors.month_shown(query_text(request, "month"), program=program)
    month = shown.month
    site_id = query_int(request, "site")
    show = compliance_report.parse_show(query_text(request, "show"))
    scope = compliance_report.Scope.of(month, program=program, site=site_id)
    summary = compliance_report.summary(scope)
    # The page as typed: parse_number reads it, and a wrong one is named on the page.
    table = compliance_report.mentor_page(
        scope, show=show, page=request.GET.get("page"), count=summary.count_shown(show)
    )
    show_emails = query_bool(request, "emails")
    emails = compliance_report.silent_emails(scope) if show_emails else []

    def query(show: str = show) -> str:
        return compliance_report.address(month=month, site=site_id, show=show)

    def query_for(other: selectors.Month) -> str:
        return compliance_report.address(month=other, site=site_id, show=show)

    return render(
        request,
        "staff/compliance.html",
        {
            "month": month,
            "shown": shown,
            "switch_query": query_for(shown.switch_to) if shown.switch_to else "",
            "summary": summary,
            "show": show,
            "show_links": [
                {
                    "value": value,
                    "label": label,
                    "count": summary.count_shown(value),
                    "query": query(show=value),
                }
                for value, label in compliance_report.SHOW_CHOICES
            ],
            "table": table,
            "page": table.page,
            "rows": table.rows,
            "query": query(),
            "nothing_query": query(show=compliance_report.NOTHING),
            "deadline": shown.deadline,
            "sites": SchoolSite.objects.all(),
            "site_id": site_id,
            "show_emails": show_emails,
            "silent_emails": ", ".join(emails),
        },
    )


# --- Hours --------------------------------------------------------------------------------


def _hours_filters(request: HttpRequest, program) -> selectors.HoursFilters:
    end = selectors.parse_month(query_text(request, "end"), program) or selectors.current_month(
        program
    )
    start = selectors.parse_month(query_text(request, "start"), program)
    if start is None:
        start = end
        for _ in range(11):
            start = start.previous()
    if (start.year, start.month) > (end.year, end.month):
        start, end = end, start

    return selectors.HoursFilters(
        start=start,
        end=end,
        site=query_int(request, "site"),
        type_of_mentoring=query_int(request, "type"),
        interaction=query_int(request, "interaction"),
    )


@staff_required
def hours(request: HttpRequest) -> HttpResponse:
    program = ProgramSettings.load()
    filters = _hours_filters(request, program)
    report = selectors.hours_report(filters, program=program)
    return render(
        request,
        "staff/hours.html",
        {
            "filters": filters,
            "report": report,
            "chart": selectors.chart(report["by_month"]),
            "sites": SchoolSite.objects.all(),
            "types": Choice.objects.filter(list=ChoiceList.TYPE_OF_MENTORING),
            "interactions": Choice.objects.filter(list=ChoiceList.INTERACTION),
            "query": request.GET.urlencode(),
        },
    )


# --- Exports ------------------------------------------------------------------------------


@staff_required
def export(request: HttpRequest) -> HttpResponse:
    """The export page; with ?report= it sends the file (every download is audited)."""
    program = ProgramSettings.load()
    if "report" not in request.GET:
        initial = {"month": selectors.current_month(program).key}
        return render(request, "staff/export.html", {"form": forms.ExportForm(initial=initial)})
    form = forms.ExportForm(request.GET)
    if not form.is_valid():
        return render(request, "staff/export.html", {"form": form}, status=400)
    data = form.cleaned_data
    report, file_format = data["report"], data["file_format"] or "csv"
    include = data["include_children"] and report == "sessions"
    site_id = data["site"].pk if data["site"] else None
    filters_for_audit = query_items(request)
    filters_for_audit.pop("csrfmiddlewaretoken", None)
    if report == "sessions":
        _, filters = _session_filters(request, program)
        sessions = selectors.filter_sessions(selectors.staff_sessions(), filters, program=program)
        table = exports.sessions_table(sessions, tz=program.tz, include_children=include)
        name = f"sessions-{filters.month.key}" if filters.month else "sessions"
    elif report == "compliance":
        month = selectors.parse_month(data["month"], program) or selectors.current_month(program)
        rows = compliance_report.compliance_rows(month, program=program, site=site_id)
        table = exports.compliance_table(rows, month_label=month.key)
        name = f"compliance-{month.key}"
    else:
        filters = _hours_filters(request, program)
        table = exports.hours_table(selectors.hours_report(filters, program=program))
        name = f"hours-{filters.start.key}-to-{filters.end.key}"
    services.export_record(
        user=request.user,
        report=report,
        file_format=file_format,
        filters=filters_for_audit,
        include_children=include,
    )
    return exports.streaming_response(table, file_format=file_format, filename=name)


# --- Imports ------------------------------------------------------------------------------

IMPORT_SESSION_KEY = "staff_import"


@staff_required
def import_start(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/import_start.html", {"kinds": imports.KINDS.values()})


@staff_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in imports.KINDS:
        return HttpResponse(status=404)
    response = HttpResponse(
        imports.template_csv(imports.KINDS[kind]), content_type=exports.CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response


@staff_required
def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in imports.KINDS:
        return HttpResponse(status=404)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        result = imports.import_check(kind_name=kind, text=text)
        if result.ok:
            request.session[IMPORT_SESSION_KEY] = {"kind": kind, "text": text}
        else:
            request.session.pop(IMPORT_SESSION_KEY, None)
    return render(
        request,
        "staff/import_upload.html",
        {"form": form, "kind": imports.KINDS[kind], "result": result},
    )


@staff_required
@require_POST
def import_save(request: HttpRequest, kind: str) -> HttpResponse:
    stored = request.session.get(IMPORT_SESSION_KEY)
    if not stored or stored.get("kind") != kind:
        messages.error(request, "Upload the file again: nothing was saved.")
        return redirect("staff:import_upload", kind=kind)
    try:
        saved = imports.import_save(kind_name=kind, text=stored["text"], user=request.user)
    except ValueError:
        messages.error(
            request, "The file no longer passes the checks: nothing was saved. Upload it again."
        )
        return redirect("staff:import_upload", kind=kind)
    request.session.pop(IMPORT_SESSION_KEY, None)
    message = f"Added {imports.KINDS[kind].count(saved.added)}."
    if saved.skipped:
        message += (
            f" Skipped {saved.skipped} row{pluralize(saved.skipped)} already in the portal or "
            "repeated in the file."
        )
    messages.success(request, message)
    if kind == "contacts":
        return redirect("staff:site_list")  # each school's page lists its people
    return redirect(f"staff:{kind[:-2] if kind == 'matches' else kind[:-1]}_list")


# --- People and matches -------------------------------------------------------------------


@staff_required
def site_list(request: HttpRequest) -> HttpResponse:
    q = query_text(request, "q")
    sites = SchoolSite.objects.annotate(
        n_contacts=Count("contacts", distinct=True),
        n_active=Count("matches", filter=Q(matches__status=MatchStatus.ACTIVE), distinct=True),
    )
    if q:
        sites = sites.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return render(
        request,
        "staff/site_list.html",
        {
            "page": _page(request, sites.order_by("name", "pk")),
            "q": q,
            "query": _query_without_page(request),
        },
    )


def _edit_record(request, *, form_class, instance, prefix, template, title, success):
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        obj = services.record_save(user=request.user, form=form, action_prefix=prefix)
        messages.success(request, "Saved.")
        return redirect(success(obj))
    return render(request, template, {"form": form, "title": title, "object": instance})


@staff_required
def site_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    site = get_object_or_404(SchoolSite, pk=pk) if pk else None
    return _edit_record(
        request,
        form_class=forms.SchoolSiteForm,
        instance=site,
        prefix="schoolsite",
        template="staff/form.html",
        title=f"Change {site.name}" if site else "Add a school site",
        success=lambda obj: f"/staff/schools/{obj.pk}/",
    )


@staff_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(SchoolSite, pk=pk)
    return render(
        request,
        "staff/site_detail.html",
        {
            "site": site,
            "people": site_contacts.contacts_with_access(site.contacts.all()),
            "matches": site.matches.select_related("mentor__user", "mentee").order_by(
                "status", "-start_date"
            )[:100],
        },
    )


def _get_contact(site_pk: int, pk: int) -> SiteContact:
    return get_object_or_404(
        SiteContact.objects.select_related("site", "user"), pk=pk, site_id=site_pk
    )


def _access_message(contact: SiteContact) -> str:
    [access] = site_contacts.contacts_with_access(SiteContact.objects.filter(pk=contact.pk))
    if access.state == site_contacts.Access.CAN_SIGN_IN:
        return f"{contact.name} can sign in with {contact.email}."
    if access.state == site_contacts.Access.INVITED:
        expires = timezone.localtime(access.link_expires_at, ProgramSettings.load().tz)
        return (
            f"An invitation to choose a password is on its way to {contact.email}; the link "
            f"works until {rules.format_day(expires.date())}."
        )
    return f"{contact.name} cannot sign in yet: send them an invitation."


@staff_required
def contact_edit(request: HttpRequest, site_pk: int, pk: int | None = None) -> HttpResponse:
    """Add or change a person at a school: their sign-in follows their email."""
    site = get_object_or_404(SchoolSite, pk=site_pk)
    person = _get_contact(site.pk, pk) if pk else SiteContact(site=site)
    form = forms.SiteContactForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            contact = site_contacts.site_contact_save(contact=form.instance, actor=request.user)
        except ValidationError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, f"Saved. {_access_message(contact)}")
            return redirect("staff:site_detail", pk=contact.site_id)
    return render(
        request,
        "staff/contact_form.html",
        {
            "form": form,
            "title": f"{'Change' if pk else 'Add'} a person at {site.name}",
            "object": person if pk else None,
            "site": site,
        },
    )


@staff_required
@require_POST
def contact_invite(request: HttpRequest, site_pk: int, pk: int) -> HttpResponse:
    """Send (or send again) a contact's invitation; earlier links stop working."""
    contact = _get_contact(site_pk, pk)
    try:
        site_contacts.site_contact_invite(contact=contact, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        contact.refresh_from_db()
        messages.success(request, _access_message(contact) + " Any earlier link no longer works.")
    return redirect("staff:site_detail", pk=site_pk)


@staff_required
@require_POST
def contact_remove(request: HttpRequest, site_pk: int, pk: int) -> HttpResponse:
    contact = _get_contact(site_pk, pk)
    site_contacts.site_contact_remove(contact=contact, actor=request.user)
    messages.success(
        request,
        f"{contact.name} is no longer a contact at {contact.site.name}. Their sign-in no "
        "longer shows this school's concerns.",
    )
    return redirect("staff:site_detail", pk=site_pk)


@staff_required
def mentor_list(request: HttpRequest) -> HttpResponse:
    q = query_text(request, "q")
    status = query_choice(request, "status", MentorStatus.values, "")
    mentors = Mentor.objects.select_related("user").annotate(
        n_active=Count("matches", filter=Q(matches__status=MatchStatus.ACTIVE))
    )
    if q:
        mentors = mentors.filter(Q(user__full_name__icontains=q) | Q(user__email__icontains=q))
    if status:
        mentors = mentors.filter(status=status)
    return render(
        request,
        "staff/mentor_list.html",
        {
            "page": _page(request, mentors.order_by("user__full_name", "pk")),
            "q": q,
            "status": status,
            "statuses": MentorStatus.choices,
            "query": _query_without_page(request),
        },
    )


@staff_required
def mentor_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    mentor = get_object_or_404(Mentor.objects.select_related("user"), pk=pk) if pk else None
    form = forms.MentorForm(request.POST or None, mentor=mentor)
    if request.method == "POST" and form.is_valid():
        mentor = services.mentor_save(user=request.user, mentor=mentor, data=form.cleaned_data)
        messages.success(request, "Saved.")
        return redirect("staff:mentor_detail", pk=mentor.pk)
    title = f"Change {mentor.user.full_name}" if mentor else "Add a mentor"
    return render(request, "staff/form.html", {"form": form, "title": title, "object": mentor})


@staff_required
def mentor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mentor = get_object_or_404(Mentor.objects.select_related("user"), pk=pk)
    form = forms.DeactivateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.mentor_deactivate(
            mentor=mentor, user=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request, f"{mentor.user.full_name} is now inactive and can no longer sign in."
        )
        return redirect("staff:mentor_detail", pk=pk)
    matches = mentor.matches.select_related("mentee", "site").order_by("status", "-start_date")
    return render(
        request, "staff/mentor_detail.html", {"mentor": mentor, "matches": matches, "form": form}
    )


@staff_required
def mentee_list(request: HttpRequest) -> HttpResponse:
    q = query_text(request, "q")
    site = query_int(request, "site")
    mentees = Mentee.objects.select_related("site").annotate(
        n_active=Count("matches", filter=Q(matches__status=MatchStatus.ACTIVE))
    )
    if q:
        mentees = mentees.filter(first_name__icontains=q)
    if site is not None:
        mentees = mentees.filter(site_id=site)
    status = query_choice(request, "status", MenteeStatus.values, "")
    if status:
        mentees = mentees.filter(status=status)
    return render(
        request,
        "staff/mentee_list.html",
        {
            "page": _page(request, mentees.order_by("first_name", "last_initial", "pk")),
            "q": q,
            "site": site,
            "status": status,
            "sites": SchoolSite.objects.all(),
            "statuses": MenteeStatus.choices,
            "query": _query_without_page(request),
        },
    )


@staff_required
def mentee_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    mentee = get_object_or_404(Mentee, pk=pk) if pk else None
    return _edit_record(
        request,
        form_class=forms.MenteeForm,
        instance=mentee,
        prefix="mentee",
        template="staff/form.html",
        title=f"Change {mentee.display_name}" if mentee else "Add a mentee",
        success=lambda obj: "/staff/mentees/",
    )


@staff_required
def match_list(request: HttpRequest) -> HttpResponse:
    q = query_text(request, "q")
    status = query_text(request, "status", MatchStatus.ACTIVE)
    site = query_int(request, "site")
    matches = Match.objects.select_related("mentor__user", "mentee", "site")
    if q:
        matches = matches.filter(
            Q(mentor__user__full_name__icontains=q)
            | Q(mentor__user__email__icontains=q)
            | Q(mentee__first_name__icontains=q)
        )
    if status in MatchStatus.values:
        matches = matches.filter(status=status)
    if site is not None:
        matches = matches.filter(site_id=site)
    return render(
        request,
        "staff/match_list.html",
        {
            "page": _page(request, matches.order_by("mentor__user__full_name", "pk")),
            "q": q,
            "status": status,
            "site": site,
            "sites": SchoolSite.objects.all(),
            "statuses": MatchStatus.choices,
            "query": _query_without_page(request),
        },
    )


@staff_required
def match_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    match = get_object_or_404(Match, pk=pk) if pk else None
    return _edit_record(
        request,
        form_class=forms.MatchForm,
        instance=match,
        prefix="match",
        template="staff/form.html",
        title="Change a match" if match else "Add a match",
        success=lambda obj: f"/staff/matches/{obj.pk}/",
    )


@staff_required
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(Match.objects.select_related("mentor__user", "mentee", "site"), pk=pk)
    figures = match.sessions.filter(deleted_at__isnull=True).aggregate(
        sessions=Count("pk"), quarters=Coalesce(Sum("quarter_hours"), 0)
    )
    recent = selectors.staff_sessions().filter(match=match).order_by("-starts_at")[:10]
    return render(
        request,
        "staff/match_detail.html",
        {
            "match": match,
            "figures": figures,
            "hours": selectors.hours(figures["quarters"]),
            "recent": recent,
        },
    )


@staff_required
def match_close(request: HttpRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(Match.objects.select_related("mentor__user", "mentee"), pk=pk)
    program = ProgramSettings.load()
    today = timezone.localdate(timezone.now(), program.tz)
    form = forms.MatchCloseForm(request.POST or None, match=match, initial={"end_date": today})
    if match.status == MatchStatus.CLOSED:
        messages.info(request, "This match is already closed.")
        return redirect("staff:match_detail", pk=pk)
    if request.method == "POST" and form.is_valid():
        services.match_close(
            match=match,
            user=request.user,
            end_date=form.cleaned_data["end_date"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, "The match is closed. Its sessions stay in every report.")
        return redirect("staff:match_detail", pk=pk)
    return render(request, "staff/match_close.html", {"form": form, "match": match})


# --- Program settings (administrators only) -----------------------------------------------


@admin_required
def program_settings(request: HttpRequest) -> HttpResponse:
    program = ProgramSettings.load()
    form = forms.ProgramSettingsForm(request.POST or None, instance=program, prefix="settings")
    add_form = forms.ChoiceAddForm(prefix="choice")
    if request.method == "POST" and form.is_valid():
        services.program_settings_update(user=request.user, form=form)
        messages.success(request, "Program settings saved.")
        return redirect("staff:program_settings")
    return render(request, "staff/program_settings.html", _settings_context(form, add_form))


def _settings_context(form, add_form) -> dict:
    choices = Choice.objects.all()
    return {
        "form": form,
        "add_form": add_form,
        "lists": [
            (label, [c for c in choices if c.list == value]) for value, label in ChoiceList.choices
        ],
    }


@admin_required
@require_POST
def choice_add(request: HttpRequest) -> HttpResponse:
    add_form = forms.ChoiceAddForm(request.POST, prefix="choice")
    if add_form.is_valid():
        services.choice_add(
            user=request.user,
            list_name=add_form.cleaned_data["list"],
            label=add_form.cleaned_data["label"],
        )
        messages.success(request, f"Added \u201c{add_form.cleaned_data['label']}\u201d.")
        return redirect("staff:program_settings")
    form = forms.ProgramSettingsForm(instance=ProgramSettings.load(), prefix="settings")
    return render(
        request, "staff/program_settings.html", _settings_context(form, add_form), status=400
    )


@admin_required
@require_POST
def choice_change(request: HttpRequest, pk: int) -> HttpResponse:
    choice = get_object_or_404(Choice, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "retire":
            services.choice_set_retired(user=request.user, choice=choice, retired=True)
        elif action == "restore":
            services.choice_set_retired(user=request.user, choice=choice, retired=False)
        elif action == "default":
            services.choice_make_default(user=request.user, choice=choice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"\u201c{choice.label}\u201d updated.")
    return redirect("staff:program_settings")
