import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import TextInputMixin
from portal.notifications.services import notification_queue
from portal.security.forms import ThrottleMessageMixin


class EmailAuthenticationForm(TextInputMixin, ThrottleMessageMixin, AuthenticationForm):
    """Sign-in by email, with messages in plain words."""

    error_messages = {
        "invalid_login": (
            "The email or password is not right. Check them and try again, or reset your password."
        ),
        "inactive": "This account is not active. Please use the Contact page.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email")
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "spellcheck": "false"}
        )
        self.fields["username"].error_messages["required"] = _("Enter your email address.")
        self.fields["password"].label = _("Password")
        self.fields["password"].error_messages["required"] = _("Enter your password.")


class OutboxPasswordResetForm(TextInputMixin, PasswordResetForm):
    """Password reset links go through the notification outbox like every other email."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        with transaction.atomic():
            notification_queue(
                to=to_email,
                template="password-reset",
                context={"email": to_email, "path": path},
                recipient_user=context.get("user"),
                subject_type="account",
                subject_id=context["user"].pk if context.get("user") else None,
                link_expires_at=timezone.now()
                + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
            )
