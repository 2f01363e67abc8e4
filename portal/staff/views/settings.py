"""Program settings and choice lists (administrators only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal.mentoring.models import Choice, ProgramSettings
from portal.staff import forms, list_selectors, services
from portal.staff.views.common import admin_required


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
    return {"form": form, "add_form": add_form, "lists": list_selectors.choice_lists()}


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
        elif action == "spanish":
            spanish = forms.ChoiceSpanishForm(request.POST)
            if not spanish.is_valid():
                raise ValidationError(
                    [error for errors in spanish.errors.values() for error in errors]
                )
            services.choice_set_spanish(
                user=request.user, choice=choice, label_es=spanish.cleaned_data["label_es"]
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"\u201c{choice.label}\u201d updated.")
    return redirect("staff:program_settings")
