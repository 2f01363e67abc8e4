"""The mentor's preferences: the weekly reminder (from its email link or signed in) and the
language of their pages and emails."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.decorators import mentor_required
from portal.mentoring import reminders, services
from portal.mentoring.forms import LanguageForm
from portal.texts.views import preferences_context


def _set_weekly_reminder(request: HttpRequest, mentor) -> None:
    """The one switch of the weekly reminder, from its email link or the preferences page."""
    enabled = request.POST.get("weekly") == "on"
    actor = request.user if request.user.is_authenticated else mentor.user
    services.mentor_set_weekly_reminders(mentor=mentor, enabled=enabled, actor=actor)
    messages.success(
        request,
        _("The weekly reminder is back on.")
        if enabled
        else _("Done: no more weekly reminders. Deadline reminders still come."),
    )


@require_http_methods(["GET", "POST"])
def weekly_reminders(request: HttpRequest, signed: str) -> HttpResponse:
    """The link in the weekly reminder: works signed out, changes only that reminder."""
    mentor = reminders.mentor_from_weekly_off_token(signed)
    if mentor is None:
        return render(request, "mentoring/weekly_reminders.html", {"mentor": None}, status=404)
    # In the mentor's language, like the email the link came in (signed out, the browser's
    # language would decide otherwise).
    with translation.override(mentor.user.language or translation.get_language()):
        if request.method == "POST":
            _set_weekly_reminder(request, mentor)
            return redirect("mentoring:weekly_reminders", signed=signed)
        return render(request, "mentoring/weekly_reminders.html", {"mentor": mentor})


@mentor_required
@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    """The mentor's email preferences while signed in (RULES 2): the weekly reminder, and
    the language of their pages and emails."""
    mentor = request.user.mentor
    if request.method == "POST":
        _set_weekly_reminder(request, mentor)
        return redirect("mentoring:email_preferences")
    return _preferences_page(
        request, LanguageForm(initial={"language": _current_language(request)})
    )


def _current_language(request: HttpRequest) -> str:
    return request.user.language or translation.get_language()[:2]


def _preferences_page(request: HttpRequest, language_form) -> HttpResponse:
    context = preferences_context(request.user.mentor)
    return render(
        request, "mentoring/email_preferences.html", {**context, "language_form": language_form}
    )


@mentor_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The mentor chooses English or Spanish: their pages and emails from now on."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _preferences_page(request, form)
    services.mentor_set_language(user=request.user, language=form.cleaned_data["language"])
    with translation.override(request.user.language):
        messages.success(
            request,
            _("Saved: the portal and its emails are now in Spanish.")
            if request.user.language == "es"
            else _("Saved: the portal and its emails are now in English."),
        )
    return redirect("mentoring:email_preferences")
