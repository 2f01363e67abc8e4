"""The mentor's text message opt-in: a mobile number and the consent, word for word."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import FieldMessagesMixin, TextInputMixin
from portal.texts import rules

NO_CONSENT = _("Tick the box to agree to get texts, or leave texts off.")
NO_NUMBER = _("Enter your mobile number.")


class TextOptInForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=30,
        help_text=_("For example 312 555 0123. Outside the US, start with + and the country code."),
        error_messages={"required": NO_NUMBER},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    consent = forms.BooleanField(error_messages={"required": NO_CONSENT})

    def __init__(self, *args, wording: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.wording = wording
        self.fields["consent"].label = wording

    def clean_phone(self) -> str:
        number = rules.normalize_phone(self.cleaned_data["phone"])
        if number is None:
            raise forms.ValidationError(gettext(rules.BAD_NUMBER))
        return number
