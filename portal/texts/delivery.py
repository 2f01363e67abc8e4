"""How the outbox worker sends a text (portal/notifications/worker.py calls this).

The worker claims text rows like emails. For each, just before sending, ``TextSender``
checks that the mentor's texts are still on for that number (``TextNotAllowed`` otherwise,
never retried), that it is not quiet hours (the row then waits for their end, not counted
as an attempt), and renders ``texts/<template>.txt``: one line of plain words with the
program's name and an absolute link (``SITE_URL``).
"""

import datetime as dt

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from portal.mentoring.models import ProgramSettings
from portal.notifications.emails import email_language
from portal.notifications.models import Notification
from portal.texts import rules
from portal.texts.backends import TextRefused, get_backend
from portal.texts.models import StoppedBy, TextSubscription
from portal.texts.services import quiet_hours, texts_stop_number


class TextNotAllowed(Exception):
    """The mentor turned texts off (or changed number, or was deactivated) after this one
    was queued."""


def render_text(template: str, context: dict, *, program_name: str) -> str:
    context = {"site_url": settings.SITE_URL, "program_name": program_name, **context}
    text = get_template(f"texts/{template}.txt").template.render(Context(context, autoescape=False))
    return " ".join(text.split())


class TextSender:
    """One batch's texts: the program's clock and quiet hours read once, the provider's
    client made at the first send."""

    def __init__(self):
        program = ProgramSettings.load()
        self.tz = program.tz
        self.program_name = program.name
        self.quiet = quiet_hours()
        self._backend = None

    def wait_until(self, now: dt.datetime) -> dt.datetime | None:
        """The end of the quiet hours ``now`` is in, or None."""
        return rules.quiet_hours_end(now, tz=self.tz, quiet=self.quiet)

    def build(self, notification: Notification) -> str:
        allowed = TextSubscription.objects.filter(
            mentor__user_id=notification.recipient_user_id,
            mentor__user__is_active=True,
            phone=notification.to,
            active=True,
        ).exists()
        if notification.recipient_user_id is None or not allowed:
            raise TextNotAllowed("Not sent: the mentor's texts were off when it was due.")
        # In the mentor's language, like their emails (portal/notifications/emails.py).
        with translation.override(email_language(notification)):
            return render_text(
                notification.template, notification.context or {}, program_name=self.program_name
            )

    def send(self, notification: Notification, body: str) -> str:
        if self._backend is None:
            self._backend = get_backend()
        try:
            return self._backend.send(
                to=notification.to, body=body, reference=str(notification.uuid)
            )
        except TextRefused as exc:
            if exc.unsubscribed:
                # The number stopped texts at the provider (a STOP we did not hear of).
                texts_stop_number(phone=notification.to, by=StoppedBy.PROVIDER)
            raise
