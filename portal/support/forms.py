from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts import people
from portal.lib.forms import TextInputMixin, choice_messages
from portal.support.models import RequestStatus, Topic

NO_LINE_BREAKS = "Enter your name on one line."


class ContactForm(TextInputMixin, forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        error_messages={
            "required": _("Enter your name."),
            "max_length": _("Enter a name of at most 120 characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("The one you use for the portal, if you have one. We answer here."),
        error_messages={
            "required": _("Enter your email address, so we can answer."),
            "invalid": people.INVALID_EMAIL,
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    topic = forms.ChoiceField(
        label=_("What is it about?"),
        choices=Topic.choices,
        widget=forms.RadioSelect,
        error_messages=choice_messages(_("what your message is about")),
    )
    message = forms.CharField(
        label=_("Your message"),
        help_text=_("What happened, and what you were trying to do."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Write your message."),
            "max_length": _("Keep your message under 5,000 characters."),
        },
    )
    # A trap for robots: hidden from people (and screen readers), filled in by bots.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_name(self) -> str:
        # A line break in a name is refused, not joined up: it is how a header would be
        # slipped into the acknowledgement email, and the sender should know.
        typed = self.data.get(self.add_prefix("name")) or ""
        if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in typed):
            raise forms.ValidationError(NO_LINE_BREAKS)
        return self.cleaned_data["name"]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    @property
    def is_bot(self) -> bool:
        return bool((self.data.get("website") or "").strip())


class ReplyForm(TextInputMixin, forms.Form):
    reply = forms.CharField(
        label=_("Your answer"),
        help_text=_("Emailed to the sender, signed with the program's name."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write your answer before sending it.")},
    )


class StatusForm(TextInputMixin, forms.Form):
    status = forms.ChoiceField(label=_("Move it to"), choices=RequestStatus.choices)
