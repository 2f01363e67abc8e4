"""People and matches: school sites and their contacts, mentors, mentees, matches."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.accounts import site_contacts
from portal.accounts.decorators import staff_required
from portal.lib.query import query_choice, query_int, query_text
from portal.mentoring import rules
from portal.mentoring.models import (
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
from portal.staff import forms, selectors, services
from portal.staff.views.common import paginate, query_without_page


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
            "page": paginate(request, sites.order_by("name", "pk")),
            "q": q,
            "query": query_without_page(request),
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
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
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
            "page": paginate(request, mentors.order_by("user__full_name", "pk")),
            "q": q,
            "status": status,
            "statuses": MentorStatus.choices,
            "query": query_without_page(request),
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
            "page": paginate(request, mentees.order_by("first_name", "last_initial", "pk")),
            "q": q,
            "site": site,
            "status": status,
            "sites": SchoolSite.objects.all(),
            "statuses": MenteeStatus.choices,
            "query": query_without_page(request),
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
            "page": paginate(request, matches.order_by("mentor__user__full_name", "pk")),
            "q": q,
            "status": status,
            "site": site,
            "sites": SchoolSite.objects.all(),
            "statuses": MatchStatus.choices,
            "query": query_without_page(request),
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
