"""What a mentor typed when the sign-in had expired: kept in the (signed-out) session until
they sign in again, then brought back into the same form, to the mentor of its match only."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.lib.text import LONG_TEXT_MAX
from portal.mentoring.forms import SessionLogForm
from portal.security import throttle
from portal.security.client_ip import client_for_limits

DRAFT_KEY = "session_form_draft"
# A whole draft: the notes, the concern's and the needs' details at their limit, and room
# for the short fields. Anything longer is not a session form.
DRAFT_MAX_CHARS = 3 * LONG_TEXT_MAX + 2_000
LIST_FIELDS = {"resource_needs"}


def stash(request: HttpRequest) -> HttpResponse:
    """The sign-in expired while the mentor was writing: keep what they typed for later.

    Anyone can post here signed out, and each draft is a session row: only the form's own
    fields are kept, at most ``DRAFT_MAX_CHARS`` in all, and at most 20 drafts an hour
    from one address (the shared throttle)."""
    draft = {
        key: values if key in LIST_FIELDS else values[-1]
        for key, values in request.POST.lists()
        if key in SessionLogForm.base_fields
    }
    ip = client_for_limits(request)
    kept = _draft_size(draft) <= DRAFT_MAX_CHARS and not throttle.locked_for("draft-ip", ip)
    if kept:
        throttle.record_failure("draft-ip", ip)  # counts drafts, not failures
        request.session[DRAFT_KEY] = {"path": request.path, "data": draft}
        messages.info(
            request,
            _(
                "Your sign-in had expired. Sign in again: what you typed is kept and will be "
                "back in the form."
            ),
        )
    else:
        messages.info(
            request,
            _(
                "Your sign-in had expired. Sign in again. What you typed could not be kept "
                "here: if you typed it in this browser, the form brings it back."
            ),
        )
    return redirect(f"{reverse('accounts:login')}?next={request.path}")


def _draft_size(draft: dict) -> int:
    return sum(
        len(key) + sum(len(value) for value in (values if isinstance(values, list) else [values]))
        for key, values in draft.items()
    )


def pop(request: HttpRequest, matches) -> dict | None:
    draft = request.session.get(DRAFT_KEY)
    if draft and draft.get("path") == request.path:
        del request.session[DRAFT_KEY]
        # Typed while signed out, so by anyone on this device: it comes back only to the
        # mentor of its match, never to the next person who signs in here.
        match = str(draft["data"].get("match", ""))
        if match.isdecimal() and any(str(each.pk) == match for each in matches):
            messages.info(request, _("We brought back what you were typing. Check it, then save."))
            return draft["data"]
    return None
