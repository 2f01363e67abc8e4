"""People and matches: school sites and their contacts, mentors, mentees, matches."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.accounts import site_contacts
from portal.accounts.decorators import staff_required
from portal.lib.forms import call_for_form
from portal.lib.query import query_choice, query_int, query_text
from portal.mentoring import rules
from portal.mentoring.models import (
    Match,
    Mentee,
    MenteeStatus,
    Mentor,
    MentorStatus,
    ProgramSettings,
    SchoolSite,
    SiteContact,
)
from portal.readiness import selectors as readiness_selectors
from portal.staff import forms, list_selectors, mentor_page, services
from portal.staff.views.common import render_list


@staff_required
def site_list(request: HttpRequest) -> HttpResponse:
    filters = list_selectors.SiteFilters(q=query_text(request, "q"))
    return render_list(
        request, "staff/site_list.html", list_selectors.site_list(filters=filters), filters=filters
    )


def _edit_record(request, *, form_class, instance, prefix, title, success, initial=None):
    form = form_class(request.POST or None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        obj = services.record_save(user=request.user, form=form, action_prefix=prefix)
        messages.success(request, "Saved.")
        for warning in getattr(form, "warnings", ()):
            messages.warning(request, warning)
        return redirect(success(obj))
    return render(request, "staff/form.html", {"form": form, "title": title, "object": instance})


@staff_required
def site_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    site = get_object_or_404(SchoolSite, pk=pk) if pk else None
    return _edit_record(
        request,
        form_class=forms.SchoolSiteForm,
        instance=site,
        prefix="schoolsite",
        title=f"Change {site.name}" if site else "Add a school site",
        success=lambda obj: reverse("staff:site_detail", args=[obj.pk]),
    )


@staff_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(SchoolSite, pk=pk)
    return render(
        request,
        "staff/site_detail.html",
        {
            "site": site,
            "people": list_selectors.site_people(site=site),
            "matches": list_selectors.site_matches(site=site),
        },
    )


def _get_contact(site_pk: int, pk: int) -> SiteContact:
    return get_object_or_404(
        SiteContact.objects.select_related("site", "user"), pk=pk, site_id=site_pk
    )


def _access_message(contact: SiteContact) -> str:
    access = list_selectors.contact_access(contact=contact)
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
        contact = call_for_form(
            form, site_contacts.site_contact_save, contact=form.instance, actor=request.user
        )
        if contact is not None:
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
    filters = list_selectors.MentorFilters(
        q=query_text(request, "q"),
        status=query_choice(request, "status", MentorStatus.values, ""),
    )
    return render_list(
        request,
        "staff/mentor_list.html",
        list_selectors.mentor_list(filters=filters),
        filters=filters,
        statuses=MentorStatus.choices,
    )


@staff_required
def mentor_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    mentor = get_object_or_404(Mentor.objects.select_related("user"), pk=pk) if pk else None
    form = forms.MentorForm(request.POST or None, mentor=mentor)
    if request.method == "POST" and form.is_valid():
        # The form checked the email; another person may have taken it since.
        saved = call_for_form(
            form, services.mentor_save, user=request.user, mentor=mentor, data=form.cleaned_data
        )
        if saved is not None:
            messages.success(request, "Saved.")
            return redirect("staff:mentor_detail", pk=saved.pk)
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
    program = ProgramSettings.load()
    today = timezone.localdate(timezone.now(), program.tz)
    page = mentor_page.mentor_page(mentor=mentor, today=today, program=program)
    return render(
        request,
        "staff/mentor_detail.html",
        {
            "mentor": mentor,
            "page": page,
            "form": form,
            "readiness": readiness_selectors.readiness_for_mentor(mentor, today=today),
            "agreement": readiness_selectors.agreement_standing(mentor),
        },
    )


@staff_required
def mentee_list(request: HttpRequest) -> HttpResponse:
    filters = list_selectors.MenteeFilters(
        q=query_text(request, "q"),
        site=query_int(request, "site"),
        status=query_choice(request, "status", MenteeStatus.values, ""),
    )
    return render_list(
        request,
        "staff/mentee_list.html",
        list_selectors.mentee_list(filters=filters),
        filters=filters,
        sites=list_selectors.school_sites(),
        statuses=MenteeStatus.choices,
    )


@staff_required
def mentee_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    mentee = get_object_or_404(Mentee, pk=pk) if pk else None
    return _edit_record(
        request,
        form_class=forms.MenteeForm,
        instance=mentee,
        prefix="mentee",
        title=f"Change {mentee.display_name}" if mentee else "Add a mentee",
        success=lambda obj: reverse("staff:mentee_list"),
    )


@staff_required
def match_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    match = get_object_or_404(Match, pk=pk) if pk else None
    return _edit_record(
        request,
        form_class=forms.MatchForm,
        instance=match,
        prefix="match",
        title="Change a match" if match else "Add a match",
        success=lambda obj: reverse("staff:match_detail", args=[obj.pk]),
        # A new match goes into its creator's caseload unless they choose someone else.
        initial=None if match else {"coordinator": request.user.pk},
    )
