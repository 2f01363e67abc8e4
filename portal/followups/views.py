"""The mentor's answer page: the entry's date and what they wrote, the question, an answer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.accounts.decorators import mentor_required
from portal.followups import selectors, services
from portal.followups.forms import AnswerForm
from portal.lib.forms import add_domain_errors


@mentor_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    # Another mentor's follow-up is not found: nothing says it exists.
    followup = get_object_or_404(
        selectors.for_mentor(request.user).select_related("session__type_of_mentoring"), pk=pk
    )
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_answer(followup=followup, user=request.user, **form.cleaned_data)
        except services.FollowUpClosed as closed:
            messages.info(request, str(closed))
            return redirect("followups:answer", pk=followup.pk)
        except ValidationError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Thank you. Your answer is sent to your coordinator."))
            return redirect("mentoring:home")
    return render(
        request,
        "followups/answer.html",
        {"followup": followup, "session": followup.session, "form": form},
        status=400 if form.errors else 200,
    )
