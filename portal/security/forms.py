from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from portal.lib.forms import TextInputMixin
from portal.security import throttle


class ThrottleMessageMixin:
    """For an AuthenticationForm: when the backend refused because of a lock, say so
    plainly instead of "the email or password is not right"."""

    def get_invalid_login_error(self):
        locked = getattr(self.request, "signin_locked", None) if self.request else None
        if locked:
            name, seconds = locked
            wait = throttle.minutes(seconds)
            if name == "signin-account":
                message = (
                    "There were too many failed sign-ins to this account, so it is paused "
                    f"for {wait} minute{'s' if wait != 1 else ''}. Please try again then, or "
                    "reset your password."
                )
            else:
                message = (
                    "There were too many failed sign-ins from your network, so sign-in from "
                    f"it is paused for {wait} minute{'s' if wait != 1 else ''}. Please try "
                    "again then."
                )
            return ValidationError(message, code="throttled")
        return super().get_invalid_login_error()


class CodeForm(TextInputMixin, forms.Form):
    """A code from the authenticator app; with ``recovery=True``, or a recovery code
    (12 digits, so the same number pad works for both)."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="6 digits. A new code appears every 30 seconds.",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, recovery: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.recovery = recovery
        if recovery:
            field = self.fields["code"]
            field.help_text = (
                "6 digits from your app. Lost your phone? Type one of your 12-digit "
                "recovery codes instead."
            )
            field.error_messages["required"] = (
                "Enter the 6-digit code from your authenticator app, or a recovery code."
            )


class AdminSignInForm(TextInputMixin, ThrottleMessageMixin, AdminAuthenticationForm):
    """Django admin's sign-in form, with the same plain message when sign-in is paused."""
