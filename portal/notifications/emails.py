"""Emails are three templates and this one module, which the worker uses to build them.

``emails/<name>-subject.txt``, ``emails/<name>-body.txt`` and ``emails/<name>-body.html``
are rendered with the notification's context plus ``site_url`` and ``program_name``.
Only the HTML body is autoescaped: the subject and the text body are plain text, so a
mentee called "Ana & Leo" stays "Ana & Leo" there.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from portal.mentoring.models import ProgramSettings

MESSAGE_ID_DOMAIN = "mentor-portal"


class BadRecipient(ValueError):
    """The address can never receive mail (or would break the message headers)."""


def _render(name: str, context: dict, *, autoescape: bool) -> str:
    template = get_template(name).template  # the Django template behind the backend wrapper
    return template.render(Context(context, autoescape=autoescape))


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Return the subject, text body and HTML body of email ``template``.

    The subject is one line: any line break or run of spaces a template or a value
    brings in becomes a single space, so it can never add a header.
    """
    context = {
        "site_url": settings.SITE_URL,
        "program_name": ProgramSettings.load().name,
        **context,
    }
    subject = _render(f"emails/{template}-subject.txt", context, autoescape=False)
    text = _render(f"emails/{template}-body.txt", context, autoescape=False)
    html = _render(f"emails/{template}-body.html", context, autoescape=True)
    return " ".join(subject.split()), text, html


def email_language(notification) -> str:
    """The language an email is written in: its mentor's choice (staff and school site
    contacts read English), else the language stored with it when it was queued (an
    invitation, before the person has chosen), else English."""
    user = notification.recipient_user
    if user is not None and user.is_mentor and user.language:
        return user.language
    if user is not None and not user.is_mentor:
        return settings.LANGUAGE_CODE
    language = (notification.context or {}).get("language", "")
    return language if language in ("en", "es") else settings.LANGUAGE_CODE


def message_id(notification) -> str:
    """The same Message-ID on every try, so a resent email can be recognised as one."""
    return f"<{notification.uuid}@{MESSAGE_ID_DOMAIN}>"


def check_recipient(address: str) -> None:
    if "\r" in address or "\n" in address:
        raise BadRecipient("The recipient address contains a line break.")
    try:
        validate_email(address)
    except ValidationError:
        raise BadRecipient("The recipient is not a valid email address.") from None


def build_message(notification) -> EmailMultiAlternatives:
    """The email for an outbox row: text body with an HTML alternative.

    Raises ``BadRecipient`` for an address that can never work and
    ``TemplateDoesNotExist`` for an unknown template.
    """
    check_recipient(notification.to)
    with translation.override(email_language(notification)):
        subject, text, html = render_email(notification.template, notification.context or {})
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to],
        headers={
            "Message-ID": message_id(notification),
            # Tells mail servers not to send vacation replies back to the portal.
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
