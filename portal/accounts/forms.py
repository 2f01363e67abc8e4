from django import forms
from django.contrib.auth.forms import AuthenticationForm


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in by email, with messages in plain words."""

    error_messages = {
        "invalid_login": (
            "The email or password is not right. Check them and try again, or reset your password."
        ),
        "inactive": "This account is not active. Please use the Contact page.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "spellcheck": "false"}
        )
        self.fields["username"].error_messages["required"] = "Enter your email address."
        self.fields["password"].label = "Password"
        self.fields["password"].error_messages["required"] = "Enter your password."
