"""Texts: the mentor's opt-in and opt-out (on their preferences page), and the provider's
webhook for replies (STOP, START), the one view exempt from CSRF: it is checked by the
provider's signature instead."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from twilio.request_validator import RequestValidator

from portal.accounts.decorators import mentor_required
from portal.mentoring.models import Mentor, ProgramSettings
from portal.texts import rules, services
from portal.texts.backends import texts_enabled
from portal.texts.forms import TextOptInForm
from portal.texts.models import TextSubscription

EMPTY_REPLY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def preferences_context(mentor: Mentor, *, data=None) -> dict:
    """The preferences page's context (portal/mentoring/views.py shows the page): the
    mentor's text subscription, if any, and the opt-in form with this program's consent
    wording."""
    subscription = TextSubscription.objects.filter(mentor=mentor).first()
    wording = rules.consent_wording(ProgramSettings.load().name)
    # After a STOP reply the form is for another number: the stopped one needs START.
    keep = subscription is not None and not subscription.stopped_by_reply
    initial = {"phone": subscription.phone_display} if keep else {}
    return {
        "mentor": mentor,
        "texts_offered": texts_enabled(),
        "text_subscription": subscription,
        "quiet_hours": services.quiet_hours(),
        "text_form": TextOptInForm(data, wording=wording, initial=initial),
    }


STOPPED_BY_REPLY = gettext_lazy(
    "This number replied STOP, so the text provider sends it nothing until it replies "
    "START. Reply START to one of our texts to have them back, or enter another number."
)


@mentor_required
@require_http_methods(["GET", "POST"])
def text_preferences(request: HttpRequest) -> HttpResponse:
    """Turn texts on (number and consent) or off, from the preferences page. The page
    itself is the preferences page: a reload or a bookmark of this address goes there."""
    if request.method == "GET":
        return redirect("mentoring:email_preferences")
    mentor = request.user.mentor
    context = preferences_context(mentor, data=request.POST)
    if not context["texts_offered"]:
        messages.info(request, gettext("Text messages are not offered by this program."))
        return redirect("mentoring:email_preferences")
    if request.POST.get("texts") == "off":
        if services.texts_opt_out(mentor=mentor, actor=request.user):
            messages.success(request, gettext("Done: no more text messages. Emails still come."))
        return redirect("mentoring:email_preferences")
    form = context["text_form"]
    stopped = context["text_subscription"]
    if (
        form.is_valid()
        and stopped is not None
        and stopped.stopped_by_reply
        and form.cleaned_data["phone"] == stopped.phone
    ):
        form.add_error("phone", STOPPED_BY_REPLY)
    if form.is_valid():
        services.texts_opt_in(
            mentor=mentor,
            phone=form.cleaned_data["phone"],
            wording=form.wording,
            actor=request.user,
        )
        messages.success(
            request,
            gettext("Texts are on. Reminders will also come to %(phone)s.")
            % {"phone": rules.format_phone(form.cleaned_data["phone"])},
        )
        return redirect("mentoring:email_preferences")
    return render(request, "mentoring/email_preferences.html", context, status=400)


def _signature_is_valid(request: HttpRequest) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    # The address Twilio was given: the portal's own (a proxy may change the Host).
    url = settings.SITE_URL + request.get_full_path()
    return RequestValidator(token).validate(url, request.POST.dict(), signature)


@csrf_exempt
@require_http_methods(["POST"])
def inbound(request: HttpRequest) -> HttpResponse:
    """A reply to one of our texts, from Twilio. Only STOP and START words do anything;
    a request without a valid signature changes nothing."""
    if not _signature_is_valid(request):
        return HttpResponseForbidden("Bad signature.", content_type="text/plain")
    services.text_reply_received(
        phone=request.POST.get("From", ""), body=request.POST.get("Body", "")
    )
    # No reply of our own: the provider confirms STOP and START itself.
    return HttpResponse(EMPTY_REPLY, content_type="text/xml")
