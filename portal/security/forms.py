from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy, ngettext

from portal.lib.forms import TextInputMixin
from portal.security import throttle

# What a paused sign-in says, by what is paused. None says whether the account exists:
# unknown emails are counted like known ones.
SIGN_IN_PAUSED = {
    "pair": gettext_lazy(
        "Too many attempts from this device. Please try again in {wait} {minutes}, or "
        "reset your password."
    ),
    "ip": gettext_lazy(
        "There were too many failed sign-ins from your network, so sign-in from it is "
        "paused for {wait} {minutes}. Please try again then."
    ),
    "account": gettext_lazy(
        "Sign-in with this email address is paused for {wait} {minutes} after many failed "
        "attempts from different places. Please try again then, or reset your password."
    ),
}


class ThrottleMessageMixin:
    """For an AuthenticationForm: when the backend refused because of a lock, say so
    plainly instead of "the email or password is not right"."""

    def get_invalid_login_error(self):
        locked = getattr(self.request, "signin_locked", None) if self.request else None
        if locked:
            wait = throttle.minutes(locked.seconds)
            message = str(SIGN_IN_PAUSED[locked.scope]).format(
                wait=wait, minutes=ngettext("minute", "minutes", wait)
            )
            return ValidationError(message, code="throttled")
        return super().get_invalid_login_error()


class CodeForm(TextInputMixin, forms.Form):
    """A code from the authenticator app; with ``recovery=True``, or a recovery code
    (12 digits, so the same number pad works for both)."""

    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        help_text=gettext_lazy("6 digits. A new code appears every 30 seconds."),
        max_length=20,
        error_messages={
            "required": gettext_lazy("Enter the 6-digit code from your authenticator app.")
        },
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
            field.help_text = gettext_lazy(
                "6 digits from your app. Lost your phone? Type one of your 12-digit "
                "recovery codes instead."
            )
            field.error_messages["required"] = gettext_lazy(
                "Enter the 6-digit code from your authenticator app, or a recovery code."
            )


class AdminSignInForm(TextInputMixin, ThrottleMessageMixin, AdminAuthenticationForm):
    """Django admin's sign-in form, with the same plain message when sign-in is paused."""
