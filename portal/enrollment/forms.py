"""Forms of enrollment: staff invite mentors; a mentor or a school site contact accepts an
invitation."""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from portal.accounts import people
from portal.lib import csvfile
from portal.lib.forms import TextInputMixin

MAX_CSV_BYTES = 1024 * 1024
# Each language named in itself, so a person finds theirs whatever the page's language.
LANGUAGE_CHOICES = [("en", "English"), ("es", "Español")]


class InviteForm(TextInputMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Mentor's full name"),
        max_length=150,
        error_messages={"required": _("Enter the mentor's full name.")},
    )
    email = forms.EmailField(
        label=_("Mentor's email address"),
        help_text=_("The invitation link goes here. The mentor signs in with this address."),
        error_messages={
            "required": _("Enter the mentor's email address."),
            "invalid": people.INVALID_EMAIL,
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    # The invitation email and the enrollment page are written in it; the mentor can change
    # it when they enroll and later in their preferences.
    # English leaves the choice to the mentor (their browser's language until they choose).
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=[("", "English"), ("es", "Spanish (Español)")],
        initial="",
        required=False,
        help_text=_(
            "Spanish: the email, the enrollment page and the mentor's pages are in Spanish "
            "(the mentor can change it)."
        ),
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )


class InviteCsvForm(TextInputMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file of mentors"),
        help_text=_(
            "One mentor a line. The first line names the columns: email, full name, "
            "and optionally phone. Nothing is sent until you have checked the list."
        ),
        error_messages={"required": _("Choose a CSV file to upload.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> str:
        return csvfile.upload_text(self.cleaned_data["file"], max_bytes=MAX_CSV_BYTES)


class InviteCsvConfirmForm(TextInputMixin, forms.Form):
    """The checked file comes back as text, so nothing is stored before it is sent."""

    # A hidden text box rather than a hidden input: the text rules keep its line breaks.
    csv_text = forms.CharField(
        widget=forms.Textarea(attrs={"hidden": True}), strip=False, max_length=MAX_CSV_BYTES
    )


class AcceptInvitationForm(TextInputMixin, forms.Form):
    password1 = forms.CharField(
        label=_("Create a password"),
        strip=False,
        help_text=_(
            "At least 10 characters. Three or four unrelated words are easy to "
            "remember and hard to guess. Not the program's name."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Create a password.")},
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type the password again, to be sure it is right.")},
    )
    agree = forms.BooleanField(
        label=_("I have read the mentor agreement and I accept it"),
        error_messages={"required": _("Tick the box to accept the mentor agreement.")},
    )

    # Mentors choose the language of their pages and emails here (later: their preferences).
    language = forms.ChoiceField(
        label=_("Language of the portal and its emails"),
        choices=LANGUAGE_CHOICES,
        required=False,  # nothing chosen: the page's language
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a language."),
            "invalid_choice": _("Choose a language from the list."),
        },
    )

    def __init__(self, *args, user, language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.is_mentor:
            # A school site contact chooses a password; the agreement is for mentors.
            del self.fields["agree"]
            del self.fields["language"]
        else:
            # The page's language (the browser's) is chosen until the mentor picks one.
            self.fields["language"].initial = language if language in ("en", "es") else "en"

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or self.fields["language"].initial or ""

    def clean_password2(self) -> str:
        first = self.cleaned_data.get("password1")
        second = self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError("The two passwords are not the same. Type them again.")
        return second

    def clean(self):
        data = super().clean()
        password = data.get("password1")
        if password and "password2" not in self.errors:
            try:
                validate_password(password, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
