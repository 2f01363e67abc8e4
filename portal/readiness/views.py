"""The readiness pages. Staff: the list of mentors' readiness, recording an item, the
training list; administrators: the program's requirements and setting. Mentors: their own
readiness and training, and the agreement to accept. Thin: access, one service, redirect."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.decorators import mentor_required, role_required, staff_required
from portal.lib.forms import call_for_form
from portal.lib.paging import render_list
from portal.lib.query import query_choice, query_text
from portal.mentoring.models import Mentor
from portal.readiness import agreements, forms, rules, selectors, services
from portal.readiness import matches as readiness_matches
from portal.readiness.models import ReadinessItem, ReadinessRecord, ReadinessSettings

admin_required = role_required("is_administrator")
CHECK_AT = "{:02d}:{:02d}".format(*rules.NIGHTLY_CHECK_AT)


# --- Staff ---------------------------------------------------------------------------------


@staff_required
def readiness_list(request: HttpRequest) -> HttpResponse:
    which = query_choice(request, "show", selectors.FILTERS.keys(), "")
    q = query_text(request, "q")
    rows = selectors.readiness_list(which=which, q=q, today=selectors.program_today())
    return render_list(
        request,
        "readiness/list.html",
        rows,
        show=which,
        q=q,
        filters_offered=selectors.FILTERS,
        items=selectors.items(),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, pk: int) -> HttpResponse:
    mentor = get_object_or_404(Mentor.objects.select_related("user"), pk=pk)
    today = selectors.program_today()
    item_id = query_text(request, "item")
    initial = {"item": item_id} if item_id.isdecimal() and len(item_id) < 10 else {}
    form = forms.RecordForm(
        request.POST if request.method == "POST" else None, today=today, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = call_for_form(
            form,
            services.record_add,
            mentor=mentor,
            item=data["item"],
            done_on=data["done_on"],
            note=data["note"],
            user=request.user,
        )
        if saved is not None:
            readiness = selectors.mentor_readiness_brief(mentor, today=today)
            said = f"{saved.item.name} recorded for {mentor.user.full_name}."
            said += " They are ready." if readiness.ready else f" {readiness.sentence}"
            messages.success(request, said)
            return redirect(f"{reverse('readiness:list')}?{urlencode({'q': mentor.user.email})}")
    readiness = selectors.readiness_for_mentor(mentor, today=today)
    readiness.links_to_recording = False  # this page is the way to record one
    return render(
        request,
        "readiness/record.html",
        {
            "form": form,
            "mentor": mentor,
            "readiness": readiness,
            "agreement": selectors.agreement_standing(mentor),
            "records": selectors.records_of(mentor),
            "remove_form": forms.RemoveForm(),
        },
    )


@staff_required
@require_POST
def record_remove(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ReadinessRecord.objects.select_related("item", "mentor"), pk=pk)
    form = forms.RemoveForm(request.POST)
    if form.is_valid():
        services.record_remove(record=record, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"Removed: {record.item.name} done {record.done_on:%Y-%m-%d}.")
    else:
        messages.error(request, "Say why the record is removed: nothing was removed.")
    return redirect("readiness:record", pk=record.mentor_id)


@staff_required
def training_list(request: HttpRequest) -> HttpResponse:
    q = query_text(request, "q")
    return render_list(request, "readiness/training_list.html", selectors.training_list(q=q), q=q)


@admin_required
@require_http_methods(["GET", "POST"])
def requirements(request: HttpRequest) -> HttpResponse:
    current = ReadinessSettings.load()
    form = forms.SettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"not_ready_matches": current.not_ready_matches},
    )
    if request.method == "POST" and form.is_valid():
        services.settings_update(
            user=request.user, not_ready_matches=form.cleaned_data["not_ready_matches"]
        )
        messages.success(request, "Readiness setting saved.")
        return redirect("readiness:requirements")
    return render(
        request,
        "readiness/requirements.html",
        {
            "form": form,
            "all_items": ReadinessItem.objects.all(),
            "versions": selectors.agreement_versions(),
        },
    )


@admin_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    item = get_object_or_404(ReadinessItem, pk=pk) if pk else None
    form = forms.ItemForm(request.POST if request.method == "POST" else None, item=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        required = data["required"] == "yes"
        confirm = request.POST.get("confirm", "")
        if confirm == "optional":
            required = False
        elif confirm != "required" and ReadinessSettings.load().blocks:
            # Under "refuse", a new requirement holds the matches of every mentor who lacks
            # it at the next nightly check: say so, and ask, before saving.
            lacking = readiness_matches.newly_not_ready(
                item,
                required=required,
                valid_months=data["valid_months"],
                retired=data.get("is_retired", False),
            )
            if lacking:
                return render(
                    request,
                    "readiness/item_form.html",
                    {"form": form, "item": item, "lacking": lacking, "check_at": CHECK_AT},
                )
        saved = call_for_form(
            form,
            services.item_save,
            user=request.user,
            item=item,
            name=data["name"],
            name_es=data.get("name_es", ""),
            required=required,
            valid_months=data["valid_months"],
            who_records=data["who_records"],
            is_retired=data.get("is_retired", False),
        )
        if saved is not None:
            messages.success(request, f"\u201c{saved.name}\u201d saved.")
            return redirect("readiness:requirements")
    return render(request, "readiness/item_form.html", {"form": form, "item": item})


def dashboard_block(*, today) -> readiness_matches.DashboardReadiness:
    return readiness_matches.dashboard_readiness(today=today)


# --- Mentors -------------------------------------------------------------------------------


@mentor_required
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """The mentor's own readiness and training, and the form to log a training."""
    mentor = request.user.mentor
    today = selectors.program_today()
    offer = selectors.items_training_completes()
    form = forms.TrainingForm(
        request.POST if request.method == "POST" else None, today=today, items=offer
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = call_for_form(
            form,
            services.training_log,
            mentor=mentor,
            user=request.user,
            on_date=data["on_date"],
            quarter_hours=data["hours"],
            topic=data["topic"],
            item=data.get("item"),
            submission_token=data.get("submission_token"),
        )
        if saved is not None:
            messages.success(
                request,
                gettext("Training saved: %(hours)s hours, %(topic)s.")
                % {"hours": saved.hours, "topic": saved.topic},
            )
            return redirect("readiness:mine")
    return render(
        request,
        "readiness/mine.html",
        {
            "form": form,
            "readiness": selectors.readiness_for_mentor(mentor, today=today),
            "trainings": selectors.trainings_of(mentor)[:50],
        },
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("mentoring:home")


@mentor_required
@require_http_methods(["GET", "POST"])
def agreement(request: HttpRequest) -> HttpResponse:
    """The current mentor agreement, to accept before logging (kept: which, when)."""
    mentor = request.user.mentor
    version = selectors.agreement_to_accept(mentor)
    next_url = _safe_next(request)
    if version is None:
        return redirect(next_url)
    # The text shown is the one accepted: Spanish for a Spanish page when the version has it.
    language = version.language_for(translation.get_language())
    form = forms.AgreementForm(
        request.POST if request.method == "POST" else None, initial={"version": version.number}
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["version"] != version.number:
            form.add_error(
                None, gettext("The agreement changed while you were reading it. Read this version.")
            )
        else:
            agreements.agreement_accept(
                mentor=mentor, version=version, user=request.user, language=language
            )
            messages.success(request, gettext("Thank you: you accepted the mentor agreement."))
            return redirect(next_url)
    return render(
        request,
        "readiness/agreement.html",
        {
            "form": form,
            "version": version,
            "next": next_url,
            "text": version.text_in(language),
            "no_spanish": language == "en" and (translation.get_language() or "").startswith("es"),
        },
    )


_NOT_READ = object()  # a program row read without the fingerprint: ask the database


def agreement_gate(request: HttpRequest) -> HttpResponse | None:
    """For the mentor's home page and the session form: the way to the agreement when a
    new version waits to be accepted, or None."""
    mentor = getattr(request.user, "mentor", None)
    if mentor is None:
        return None
    # The current version's fingerprint, read with the program's settings for this
    # request (ProgramSettings.load_for_request): when it is the mentor's, or there is no
    # version yet, nothing waits, and no query asks.
    program = getattr(request, "program", None)
    current = getattr(program, "current_agreement_fingerprint", _NOT_READ)
    if current is None or current == mentor.agreement_version:
        return None
    if selectors.agreement_to_accept(mentor) is None:
        return None
    return redirect(f"{reverse('readiness:agreement')}?{urlencode({'next': request.path})}")
