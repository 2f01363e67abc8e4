"""Forms of enrollment: staff invite mentors; a mentor or a school site contact accepts an
invitation."""

from django import forms
from django.contrib.auth.password_validation import validate_password

from portal.accounts import people
from portal.lib import csvfile
from portal.lib.forms import TextInputMixin

MAX_CSV_BYTES = 1024 * 1024


class InviteForm(TextInputMixin, forms.Form):
    full_name = forms.CharField(
        label="Mentor's full name",
        max_length=150,
        error_messages={"required": "Enter the mentor's full name."},
    )
    email = forms.EmailField(
        label="Mentor's email address",
        help_text="The invitation link goes here. The mentor signs in with this address.",
        error_messages={
            "required": "Enter the mentor's email address.",
            "invalid": people.INVALID_EMAIL,
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(label="Phone (optional)", max_length=40, required=False)


class InviteCsvForm(TextInputMixin, forms.Form):
    file = forms.FileField(
        label="CSV file of mentors",
        help_text="One mentor a line. The first line names the columns: email, full name, "
        "and optionally phone. Nothing is sent until you have checked the list.",
        error_messages={"required": "Choose a CSV file to upload."},
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
        label="Create a password",
        strip=False,
        help_text="At least 10 characters. Three or four unrelated words are easy to "
        "remember and hard to guess. Not the program's name.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Create a password."},
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again, to be sure it is right."},
    )
    agree = forms.BooleanField(
        label="I have read the mentor agreement and I accept it",
        error_messages={"required": "Tick the box to accept the mentor agreement."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.is_mentor:
            # A school site contact chooses a password; the agreement is for mentors.
            del self.fields["agree"]

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
