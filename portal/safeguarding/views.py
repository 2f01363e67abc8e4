"""Concern and need pages for staff and school site contacts. Thin: access, service, redirect."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.decorators import role_required, site_contact_required, staff_required
from portal.audit.services import events_for
from portal.lib.forms import (
    FieldMessagesMixin,
    TextInputMixin,
    add_domain_errors,
    call_for_form,
    choice_messages,
)
from portal.lib.paging import paginate, query_without_page, render_list
from portal.lib.query import query_choice, query_int, query_text
from portal.lib.text import NOTE_TEXT_MAX
from portal.mentoring.models import Match, MatchStatus, ResourceNeedKind, SchoolSite, SiteContact
from portal.notifications.selectors import emails_about
from portal.safeguarding import selectors, services
from portal.safeguarding.access import (
    concerns_visible_to,
    get_concern_for_user,
    get_need_for_user,
    sites_of_contact,
)
from portal.safeguarding.models import ConcernStatus, NeedStatus

concern_reader_required = role_required("is_program_staff", "is_site_contact")


@site_contact_required
def site_contact_home(request: HttpRequest) -> HttpResponse:
    """A school site contact's home: their schools and how many concerns are open."""
    contacts = SiteContact.objects.filter(user=request.user).select_related("site")
    return render(
        request,
        "safeguarding/site_home.html",
        {
            "contacts": contacts,
            "open_concerns": concerns_visible_to(request.user).open().count(),
        },
    )


class AcknowledgeForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    note = forms.CharField(
        label="What have you done or will you do? (optional)",
        required=False,
        max_length=NOTE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    text = forms.CharField(
        label="Your note",
        max_length=NOTE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the note before adding it."},
    )


class CloseForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    outcome = forms.CharField(
        label="Outcome",
        help_text="What was done, so the record is complete.",
        max_length=NOTE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what was done before closing the concern."},
    )


class RaiseConcernForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    match = forms.ModelChoiceField(
        queryset=Match.objects.filter(status=MatchStatus.ACTIVE).select_related(
            "mentee", "mentor__user", "site"
        ),
        label="Which match is it about?",
        empty_label="Choose a match",
        error_messages=choice_messages("the match the concern is about"),
    )
    description = forms.CharField(
        label="What is the concern?",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Describe the child safety concern."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["match"].label_from_instance = lambda m: (
            f"{m.mentee.display_name} with {m.mentor.user.full_name} at {m.site.name}"
        )


class NeedUpdateForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    status = forms.ChoiceField(label="Status", choices=NeedStatus.choices)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@dataclass(frozen=True)
class ListFilters:
    """A concern or need list's filters as asked for: ``status`` is "" (not closed), "all"
    or one status; ``site`` a school's number or None (a number of no school shows none)."""

    status: str = selectors.NOT_CLOSED
    site: int | None = None


def _list_filters(request: HttpRequest, statuses) -> ListFilters:
    # ``show=all``: the address the lists had before the status select, still bookmarked.
    default = selectors.ANY_STATUS if query_text(request, "show") == "all" else ""
    status = query_choice(request, "status", (selectors.ANY_STATUS, *statuses), default)
    return ListFilters(status=status, site=query_int(request, "site"))


@concern_reader_required
def concern_list(request: HttpRequest) -> HttpResponse:
    filters = _list_filters(request, ConcernStatus.values)
    if request.user.is_program_staff:
        sites = SchoolSite.objects.order_by("name", "pk")
    else:  # a site contact chooses among their own schools only
        sites = SchoolSite.objects.filter(pk__in=sites_of_contact(request.user)).order_by("name")
    return render_list(
        request,
        "safeguarding/concern_list.html",
        selectors.concern_list(user=request.user, status=filters.status, site=filters.site),
        filters=filters,
        sites=sites,
        statuses=ConcernStatus.choices,
    )


def _concern_page(request, concern, **forms_) -> HttpResponse:
    services.concern_record_view(concern=concern, user=request.user)
    context = {
        "concern": concern,
        "notes": concern.notes.select_related("author"),
        "acknowledge_form": forms_.get("acknowledge_form") or AcknowledgeForm(),
        "note_form": forms_.get("note_form") or NoteForm(),
        "close_form": forms_.get("close_form") or CloseForm(),
        "contacts": concern.site.contacts.all(),
    }
    if request.user.is_program_staff:
        context["events"] = events_for(concern)
        context["emails"] = emails_about(subject_type="concern", subject_id=concern.pk)
    return render(request, "safeguarding/concern_detail.html", context)


@concern_reader_required
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _concern_page(request, get_concern_for_user(request.user, pk))


def _concern_step(request, pk: int, *, form_class, form_key: str, step, done: str):
    """One step on a concern: check access, run the service, say how it went."""
    concern = get_concern_for_user(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _concern_page(request, concern, **{form_key: form})
    try:
        step(concern=concern, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            # About what was typed: shown next to it, with the text kept.
            add_domain_errors(form, error)
            return _concern_page(request, concern, **{form_key: form})
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("safeguarding:concern_detail", pk=concern.pk)


@concern_reader_required
@require_POST
def concern_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _concern_step(
        request,
        pk,
        form_class=AcknowledgeForm,
        form_key="acknowledge_form",
        step=services.concern_acknowledge,
        done="Thank you: the concern is acknowledged.",
    )


@concern_reader_required
@require_POST
def concern_add_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _concern_step(
        request,
        pk,
        form_class=NoteForm,
        form_key="note_form",
        step=services.concern_add_note,
        done="Your note is added.",
    )


@staff_required
@require_POST
def concern_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _concern_step(
        request,
        pk,
        form_class=CloseForm,
        form_key="close_form",
        step=services.concern_close,
        done="The concern is closed.",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def concern_raise(request: HttpRequest) -> HttpResponse:
    form = RaiseConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        concern = call_for_form(
            form, services.concern_raise, **form.cleaned_data, raised_by=request.user
        )
        if concern is not None:
            messages.success(
                request,
                "The concern is recorded. Emails to staff and the school are queued: this page "
                "shows when each one goes out.",
            )
            return redirect("safeguarding:concern_detail", pk=concern.pk)
    return render(request, "safeguarding/concern_raise.html", {"form": form})


@staff_required
def need_list(request: HttpRequest) -> HttpResponse:
    filters = _list_filters(request, NeedStatus.values)
    kinds = ResourceNeedKind.choices
    monthly = [
        {"month": row["month"], "cells": [row["counts"].get(kind, 0) for kind, _ in kinds]}
        for row in selectors.need_counts_by_month()
    ]
    return render_list(
        request,
        "safeguarding/need_list.html",
        selectors.need_list(user=request.user, status=filters.status, site=filters.site),
        filters=filters,
        sites=SchoolSite.objects.order_by("name", "pk"),
        statuses=NeedStatus.choices,
        kinds=kinds,
        monthly=monthly,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request.user, pk)
    form = NeedUpdateForm(request.POST or None, initial={"status": need.status})
    if request.method == "POST" and form.is_valid():
        updated = call_for_form(
            form, services.need_update, need=need, user=request.user, **form.cleaned_data
        )
        if updated is not None:
            messages.success(request, "The need is updated.")
            return redirect("safeguarding:need_detail", pk=need.pk)
    return render(
        request,
        "safeguarding/need_detail.html",
        {
            "need": need,
            "form": form,
            "notes": need.notes.select_related("author"),
            "events": events_for(need),
        },
    )


@staff_required
def support_list(request: HttpRequest) -> HttpResponse:
    """Matches needing support, quietest first, 50 a page, at one school when chosen."""
    now = timezone.now()
    site = query_int(request, "site")
    page = paginate(request, selectors.matches_needing_support_queryset(now=now, site=site))
    page.object_list = [selectors.needing_support(match, now=now) for match in page.object_list]
    return render(
        request,
        "safeguarding/support_list.html",
        {
            "page": page,
            "site": site,
            "sites": SchoolSite.objects.order_by("name", "pk"),
            "query": query_without_page(request),
        },
    )
