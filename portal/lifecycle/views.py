"""The administrator's page to erase one mentee's records at the school's request."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from portal.accounts.decorators import role_required
from portal.lib.forms import TextInputMixin
from portal.lifecycle import services
from portal.mentoring.models import Mentee, SessionLog
from portal.safeguarding.models import SafetyConcern

administrator_required = role_required("is_administrator")


class EraseForm(TextInputMixin, forms.Form):
    reason = forms.CharField(
        label="Why are these records erased?",
        help_text="For example: the school's request of 3 March, by the principal.",
        max_length=400,
        error_messages={"required": "Say why the records are erased."},
    )
    confirm = forms.BooleanField(
        label="Yes, erase this child's session notes and name. This cannot be undone.",
        error_messages={"required": "Tick the box to confirm."},
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def mentee_erase(request: HttpRequest, pk: int) -> HttpResponse:
    mentee = get_object_or_404(Mentee, pk=pk)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        summary = services.mentee_erase(
            mentee=mentee, user=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"Done: {summary}.")
        return redirect("admin:mentoring_mentee_change", mentee.pk)
    return render(
        request,
        "lifecycle/mentee_erase.html",
        {
            "form": form,
            "mentee": mentee,
            "sessions": SessionLog.objects.filter(match__mentee=mentee).count(),
            "concerns": SafetyConcern.objects.filter(match__mentee=mentee).count(),
        },
    )
