"""Forms of the staff workspace: plain questions, server-side validation."""

import datetime as dt

from django import forms

from portal.accounts import people, site_contacts
from portal.accounts.models import Role
from portal.lib import csvfile
from portal.lib.forms import (
    FieldMessagesMixin,
    TextInputMixin,
    choice_messages,
    word_field_messages,
)
from portal.mentoring.forms import SessionLogForm
from portal.mentoring.models import (
    Attendance,
    Choice,
    ChoiceList,
    Match,
    Mentee,
    Mentor,
    MentorStatus,
    ProgramSettings,
    SchoolSite,
    SiteContact,
)
from portal.readiness import selectors as readiness_selectors
from portal.readiness.forms import AgreementTextCheckMixin
from portal.staff.match_forms import CoordinatorChoiceField, MatchCloseForm  # noqa: F401

MONTH_INPUT = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
DAY_INPUT = forms.DateInput(attrs={"type": "date", "placeholder": "YYYY-MM-DD"}, format="%Y-%m-%d")
# Days a range may name: beyond these a day's bounds leave what dates can hold.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def day_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=DAY_INPUT,
        error_messages={"invalid": "Enter the day as a date, like 2025-10-01, or leave it empty."},
    )


class DateRangeForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    """Sessions from one day to another, both included (either may be left empty): days in
    the program's time zone (``selectors.filter_sessions``)."""

    date_from = day_field("From day")
    date_to = day_field("To day")

    def clean(self):
        data = super().clean()
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(
                    name,
                    f"Enter a day between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}.",
                )
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to",
                f"The to day ({end.isoformat()}) is before the from day ({start.isoformat()}): "
                "enter a to day on or after the from day.",
            )
        return data


class SessionFilterForm(DateRangeForm):
    field_order = ["month", "date_from", "date_to"]
    month = forms.CharField(label="Month", required=False, widget=MONTH_INPUT)
    site = forms.ModelChoiceField(
        label="School site", queryset=SchoolSite.objects.all(), required=False,
        empty_label="All schools",
    )  # fmt: skip
    mentor = forms.CharField(label="Mentor name or email", required=False, max_length=100)
    attendance = forms.ChoiceField(
        label="Attendance", required=False, choices=[("", "Any")] + list(Attendance.choices)
    )
    reviewed = forms.ChoiceField(
        label="Reviewed",
        required=False,
        choices=[("", "Any"), ("no", "Not reviewed yet"), ("yes", "Reviewed")],
    )
    late = forms.BooleanField(label="Late entries only", required=False)
    flagged = forms.BooleanField(label="With a concern or need only", required=False)


class CorrectionForm(SessionLogForm):
    reason = forms.CharField(
        label="Why are you correcting this entry?",
        help_text="Kept with the old values in the entry's history.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why you are correcting this entry."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The mentor's form points these at guidance this page does not show.
        self.fields["notes"].widget.attrs.pop("aria-describedby", None)
        self.fields["safety_concern"].widget.attrs.pop("aria-controls", None)
        # The mentor's phone form shows these short lists as radio buttons; this page of
        # plain fields keeps them as lists.
        for name in ("attendance", "type_of_mentoring", "interaction"):
            self.fields[name].widget = forms.Select(choices=self.fields[name].choices)

    def full_clean(self) -> None:
        super().full_clean()
        self.fields["notes"].widget.attrs.pop("aria-describedby", None)


class SchoolSiteForm(FieldMessagesMixin, TextInputMixin, forms.ModelForm):
    class Meta:
        model = SchoolSite
        fields = ["name", "address"]
        labels = {"name": "School name", "address": "Address"}


class SiteContactForm(FieldMessagesMixin, TextInputMixin, forms.ModelForm):
    """A person at a school. Their email is their sign-in, so one that signs in with
    another role is refused here; moving them to another school is a change of "School"."""

    class Meta:
        model = SiteContact
        fields = ["site", "name", "role", "email", "phone", "position"]
        labels = {
            "site": "School",
            "email": "Email (they sign in with it)",
            "position": "Order on the list (0 first)",
        }
        help_texts = {
            "site": "Moving them to another school ends their access to this school's "
            "concerns at once.",
        }
        error_messages = {
            "email": {"required": "Enter their email: they sign in with it."},
            "phone": {"required": "Enter their phone number."},
            "position": {"required": "Enter their place on the list: 0 comes first."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["site"]  # a new person joins the school whose page this is
        else:
            self.fields["site"].empty_label = None

    def clean_email(self) -> str:
        return site_contacts.checked_contact_email(self.cleaned_data["email"])


class MentorForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="Email")
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    status = forms.ChoiceField(label="Status", choices=MentorStatus.choices)

    def __init__(self, *args, mentor: Mentor | None = None, **kwargs):
        self.mentor = mentor
        if mentor is not None:
            kwargs.setdefault(
                "initial",
                {
                    "full_name": mentor.user.full_name,
                    "email": mentor.user.email,
                    "phone": mentor.user.phone,
                    "status": mentor.status,
                },
            )
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        account = people.account_with_email(email)
        if self.mentor is not None and account is not None and account.pk == self.mentor.user_id:
            return email
        problem = people.email_in_use(account, becoming=Role.MENTOR)
        if problem:
            raise forms.ValidationError(problem)
        return email


class MenteeForm(FieldMessagesMixin, TextInputMixin, forms.ModelForm):
    last_initial = forms.CharField(
        label="First letter of last name",
        max_length=10,
        error_messages={"required": "Enter the first letter of the last name."},
    )

    class Meta:
        model = Mentee
        fields = ["first_name", "last_initial", "site", "grade", "status"]
        labels = {"site": "School site", "last_initial": "First letter of last name"}
        help_texts = {"first_name": "First name only: the portal keeps no more than needed."}

    def clean_last_initial(self):
        value = self.cleaned_data["last_initial"].strip().upper()
        if not (len(value) == 1 and value.isalpha() and value.isascii()):
            raise forms.ValidationError("Enter one letter.")
        return value


class MentorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.full_name} ({obj.user.email})"


class MatchForm(FieldMessagesMixin, TextInputMixin, forms.ModelForm):
    mentor = MentorChoiceField(
        queryset=Mentor.objects.exclude(status=MentorStatus.INACTIVE).select_related("user")
    )
    coordinator = CoordinatorChoiceField(
        label="Coordinator", required=False, empty_label="Nobody yet"
    )

    class Meta:
        model = Match
        fields = ["mentor", "mentee", "site", "start_date", "coordinator"]
        labels = {"site": "School site", "start_date": "Start date"}
        help_texts = {"coordinator": "The staff member who supports this match."}
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        self.readiness_link: tuple[str, str] | None = None
        self.fields["mentee"].queryset = Mentee.objects.select_related("site")
        if self.instance.pk:
            # A match changes hands on its own form, audited as a coordinator change.
            del self.fields["coordinator"]
            # Keep the current mentor selectable even if inactive.
            self.fields["mentor"].queryset = (
                Mentor.objects.exclude(status=MentorStatus.INACTIVE)
                | Mentor.objects.filter(pk=self.instance.mentor_id)
            ).select_related("user")

    def clean(self):
        data = super().clean()
        mentee, site = data.get("mentee"), data.get("site")
        if mentee and site and mentee.site_id != site.pk:
            self.add_error("site", f"{mentee.display_name} is at {mentee.site.name}.")
        self._check_readiness(data.get("mentor"))
        return data

    def _check_readiness(self, mentor) -> None:
        """A new match, or a match given to another mentor, follows the program's setting
        for mentors who are not ready (SPEC 8): refused with the reason, or a warning."""
        self.warnings = []
        self.readiness_link = None
        if mentor is None or (self.instance.pk and mentor.pk == self.instance.mentor_id):
            return
        verdict = readiness_selectors.match_verdict(mentor)
        if verdict.ready:
            return
        if verdict.blocks:
            # The form page links to the mentor's readiness, to record what is missing.
            self.readiness_link = (verdict.record_url, mentor.user.full_name)
            self.add_error(
                "mentor",
                f"{verdict.message} The program does not match mentors who are not ready: "
                "record what is missing first, or choose another mentor.",
            )
        else:
            self.warnings.append(f"{verdict.message} Record what is missing soon.")


class DeactivateForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    reason = forms.CharField(label="Why? (optional)", max_length=500, required=False)


class ProgramSettingsForm(
    AgreementTextCheckMixin, FieldMessagesMixin, TextInputMixin, forms.ModelForm
):
    class Meta:
        model = ProgramSettings
        fields = [
            "name",
            "time_zone",
            "activity_mode",
            "max_hours",
            "deadline_rule",
            "deadline_weekday",
            "deadline_day",
            "late_policy",
            "concern_acknowledge_hours",
            "contact_email",
            "contact_phone",
            "help_video_links",
            "mentor_agreement",
        ]
        labels = {
            "name": "Program name",
            "activity_mode": "Activity field",
            "max_hours": "Most hours one session can have",
            "deadline_rule": "Deadline rule",
            "deadline_weekday": "Weekday for the 'first weekday' rule",
            "deadline_day": "Day for the 'day N' rule",
            "late_policy": "Entries after the deadline",
            "concern_acknowledge_hours": "Hours before an unacknowledged concern is raised again",
            "contact_email": "Program email",
            "contact_phone": "Program phone",
            "help_video_links": "Video links",
            "mentor_agreement": "Mentor agreement",
        }
        error_messages = {
            "time_zone": {"required": "Enter the time zone, such as America/Chicago."},
            "late_policy": {"required": "Choose what happens to entries after the deadline."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Settings added to the model later (reminder times, invitation days, retention)
        # appear here too, with their own labels and hints.
        extra = [
            f.name
            for f in ProgramSettings._meta.get_fields()
            if getattr(f, "editable", False) and f.name != "id" and f.name not in self.fields
        ]
        self.extra_fields = extra
        for name, field in forms.fields_for_model(ProgramSettings, fields=extra).items():
            word_field_messages(field, name)
            self.fields[name] = field
            self.initial.setdefault(name, getattr(self.instance, name))

    def _post_clean(self):
        # ModelForm copies only Meta.fields onto the instance: copy the added ones too.
        for name in self.extra_fields:
            if name in self.cleaned_data:
                setattr(self.instance, name, self.cleaned_data[name])
        super()._post_clean()


class ChoiceAddForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    list = forms.ChoiceField(
        label="Which list?",
        choices=ChoiceList.choices,
        error_messages={
            "required": "Choose the list the new choice goes on.",
            "invalid_choice": "Choose the list the new choice goes on.",
        },
    )
    label = forms.CharField(label="New choice", max_length=60)

    def clean(self):
        data = super().clean()
        if (
            data.get("list")
            and data.get("label")
            and Choice.objects.filter(
                list=data["list"], label__iexact=data["label"].strip()
            ).exists()
        ):
            self.add_error("label", "That list already has this choice.")
        return data


class ChoiceSpanishForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    """The Spanish label of a list entry; empty: Spanish-speaking mentors see the English."""

    label_es = forms.CharField(
        label="In Spanish",
        max_length=60,
        required=False,
        error_messages={"max_length": "Keep the Spanish label to 60 characters."},
    )


class ExportForm(DateRangeForm):
    field_order = ["report", "file_format", "month", "date_from", "date_to"]
    REPORTS = [
        ("sessions", "Sessions"),
        ("compliance", "Compliance"),
        ("hours", "Hours"),
        # The match reports (portal/staff/match_reports.py), one file per section.
        ("match_length", "Match length and retention"),
        ("checkin_compliance", "Check-in compliance"),
        ("closure_reasons", "Closure reasons"),
        ("match_strength", "Match strength by month"),
        ("training", "Training hours"),
    ]
    report = forms.ChoiceField(
        label="What to export",
        choices=REPORTS,
        initial="sessions",
        error_messages=choice_messages("what to export"),
    )
    file_format = forms.ChoiceField(
        label="File type",
        choices=[("csv", "CSV"), ("xlsx", "Excel")],
        initial="csv",
        widget=forms.RadioSelect,
    )
    month = forms.CharField(
        label="Month (sessions, compliance)", required=False, widget=MONTH_INPUT
    )
    date_from = day_field("From day (sessions)")
    date_to = day_field("To day (sessions)")
    start = forms.CharField(
        label="From month (hours, match reports)", required=False, widget=MONTH_INPUT
    )
    end = forms.CharField(
        label="To month (hours, match reports)", required=False, widget=MONTH_INPUT
    )
    site = forms.ModelChoiceField(
        label="School site", queryset=SchoolSite.objects.all(), required=False,
        empty_label="All schools",
    )  # fmt: skip
    include_children = forms.BooleanField(
        label="Include children's names and session notes",
        required=False,
        help_text="Leave unticked for funders. Ticking it is recorded.",
    )


class ImportForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    file = forms.FileField(
        label="CSV file",
        error_messages={"required": "Choose a CSV file to upload."},
    )

    def clean_file(self) -> str:
        return csvfile.upload_text(self.cleaned_data["file"])
