"""The session form: the fields and labels mentors know, every rule explained in plain words."""

import uuid

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import (
    FieldMessagesMixin,
    TextInputMixin,
    add_domain_errors,
    choice_messages,
    set_text_limit,
)
from portal.mentoring import rules
from portal.mentoring.models import (
    ActivityMode,
    Attendance,
    Choice,
    ChoiceList,
    Match,
    NoSessionReason,
    ProgramSettings,
    ResourceNeedKind,
    SessionLog,
)
from portal.mentoring.session_input import TEXT_LIMITS, SessionInput

DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LoadedChoiceField(forms.ModelChoiceField):
    """A choice among records the view has already read.

    Showing the choices and checking the posted one both use that list, so the form makes
    no query of its own (a plain ModelChoiceField queries once to render and again to
    validate).
    """

    records: list = []

    def set_records(self, records) -> None:
        self.records = list(records)
        choices = [(record.pk, self.label_from_instance(record)) for record in self.records]
        if self.empty_label is not None:
            choices.insert(0, ("", self.empty_label))
        self.choices = choices

    def label_from_instance(self, obj) -> str:
        # A program list's entry shows in the page's language (Choice.shown_label).
        return getattr(obj, "shown_label", None) or super().label_from_instance(obj)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = str(getattr(value, "pk", value))
        for record in self.records:
            if str(record.pk) == key:
                return record
        raise forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class MatchChoiceField(LoadedChoiceField):
    def label_from_instance(self, obj: Match) -> str:
        label = _("%(mentee)s at %(site)s") % {
            "mentee": obj.mentee.display_name,
            "site": obj.site.name,
        }
        if obj.end_date is not None:  # a closed match: sessions up to its last day only
            ended = date_format(obj.end_date, _("j F Y"))
            return _("%(label)s (ended %(day)s)") % {"label": label, "day": ended}
        return label


CHOICE_FIELDS = {
    "type_of_mentoring": ChoiceList.TYPE_OF_MENTORING,
    "interaction": ChoiceList.INTERACTION,
}


def choice_lists(*, keep=()) -> dict[str, list[Choice]]:
    """The form's lists in one query: active entries, plus retired ones that the entry
    being changed already uses (it keeps them)."""
    lists = {list_name: [] for list_name in CHOICE_FIELDS.values()}
    kept = [pk for pk in keep if pk]
    for choice in Choice.objects.filter(
        Q(list__in=list(lists)) & (Q(is_retired=False) | Q(pk__in=kept))
    ):
        lists[choice.list].append(choice)
    return lists


class LocalDateTimeField(forms.DateTimeField):
    """A date & time in the program's time zone, with a plain message for clock changes."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if getattr(error, "code", None) == "ambiguous_timezone":
                raise forms.ValidationError(
                    "That time does not exist or happens twice when the clocks change. "
                    "Enter a time an hour earlier or later.",
                    code="clock_change",
                ) from None
            raise


class SessionLogForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    """One session. Built for a given mentor's matches and the program's settings."""

    match = MatchChoiceField(
        queryset=Match.objects.none(),
        label=_("Who was the session with?"),
        empty_label=None,
        error_messages=choice_messages(_("who the session was with")),
    )
    starts_at = LocalDateTimeField(
        label=_("Date & time"),
        input_formats=[DATETIME_LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT),
        error_messages={
            "required": _("Enter the date and time of the session."),
            "invalid": _("Enter the date and time like 10/04/2026, 11:30 AM."),
        },
    )
    # Nothing is chosen until the mentor chooses: a session is never an hour by default.
    # (An absence is 0.00 whatever is chosen; the page's script shows that.)
    hours = forms.CharField(label=_("Hours"), required=False, widget=forms.Select())
    # The short lists are radio buttons: one tap each, every choice in sight.
    type_of_mentoring = LoadedChoiceField(
        queryset=Choice.objects.none(),
        label=_("Type of mentoring"),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages=choice_messages(_("a type of mentoring")),
    )
    interaction = LoadedChoiceField(
        queryset=Choice.objects.none(),
        label=_("Interaction"),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how you met."),
            "invalid_choice": _("Choose an interaction from the list."),
        },
    )
    activity = forms.CharField(label=_("Activity"), required=False, strip=False)
    attendance = forms.ChoiceField(
        label=_("Attendance"),
        choices=Attendance.choices,
        initial=Attendance.MET,
        widget=forms.RadioSelect,
        error_messages=choice_messages(_("what happened")),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    safety_concern = forms.BooleanField(label=_("Child safety concern"), required=False)
    safety_concern_details = forms.CharField(
        label=_("What is the concern?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    resource_needs = forms.MultipleChoiceField(
        label=_("Does the family need help with anything?"),
        choices=ResourceNeedKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose resource needs from the list.")},
    )
    resource_needs_details = forms.CharField(
        label=_("Tell us about the need"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        matches,
        program: ProgramSettings,
        instance: SessionLog | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.program = program
        self.instance = instance
        # Read once here (a queryset from the view, or a list it already read).
        self.matches = list(matches)
        if len(self.matches) > 1:
            # Several mentees: the mentor picks one; nothing is chosen for them.
            self.fields["match"].empty_label = _("Choose your mentee")
        self.fields["match"].set_records(self.matches)
        self.fields["hours"].widget.choices = [("", _("Choose hours"))] + [
            (value, value) for value in rules.hours_options(program.max_quarter_hours)
        ]
        self.choice_lists = choice_lists(
            keep=[getattr(instance, f"{name}_id", None) for name in CHOICE_FIELDS]
        )
        for name, list_name in CHOICE_FIELDS.items():
            self.fields[name].set_records(self.choice_lists[list_name])
        for name, limit in TEXT_LIMITS.items():
            set_text_limit(self.fields[name], limit)
        self._configure_activity()
        # The notes' limit is the rule's (rules.notes_problem in clean()), in its own words.
        notes = self.fields["notes"]
        notes.validators = [v for v in notes.validators if not isinstance(v, MaxLengthValidator)]
        notes.widget.attrs["aria-describedby"] = "notes-guidance"
        self.fields["safety_concern"].widget.attrs["aria-controls"] = "concern-details"

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and "notes" in self.errors:
            # Screen readers announce the error with the guidance when the box has focus.
            self.fields["notes"].widget.attrs["aria-describedby"] = "notes-guidance id_notes_error"

    def _configure_activity(self) -> None:
        mode = self.program.activity_mode
        field = self.fields["activity"]
        if mode == ActivityMode.HIDDEN:
            field.widget = forms.HiddenInput()
        elif mode == ActivityMode.READ_ONLY:
            field.widget.attrs.update({"readonly": True, "aria-readonly": "true"})
            field.help_text = _("Left blank on purpose: nothing is entered here.")
        elif mode == ActivityMode.REQUIRED:
            field.help_text = _("What did you do together?")

    @property
    def single_match(self) -> Match | None:
        return self.matches[0] if len(self.matches) == 1 else None

    def clean_hours(self) -> str:
        return (self.cleaned_data.get("hours") or "").strip()

    def clean_notes(self) -> str:
        # Browsers send a line break as CR LF but count it as one character, as we do.
        return (self.cleaned_data.get("notes") or "").replace("\r\n", "\n")

    def clean(self):
        data = super().clean()
        met = data.get("attendance", Attendance.MET) == Attendance.MET
        quarter_hours = None
        try:
            quarter_hours = rules.parse_hours(
                data.get("hours"), met=met, max_quarters=self.program.max_quarter_hours
            )
        except rules.HoursError as error:
            self.add_error("hours", str(error))
        else:
            data["quarter_hours"] = quarter_hours
        match = data.get("match")
        # The service checks the same rules again, in the same words, when it saves.
        problems = rules.session_problems(
            now=timezone.now(),
            tz=self.program.tz,
            starts_at=data.get("starts_at"),
            match_start=match.start_date if match else None,
            match_end=match.end_date if match else None,
            met=met,
            quarter_hours=quarter_hours,
            max_quarters=self.program.max_quarter_hours,
            notes=data.get("notes"),
            activity_mode=self.program.activity_mode,
            activity=data.get("activity"),
            safety_concern=bool(data.get("safety_concern")),
            safety_concern_details=data.get("safety_concern_details"),
        )
        add_domain_errors(self, problems)
        return data

    def to_input(self) -> SessionInput:
        """What was entered, for the service: every entered field of the session
        (``SessionLog.ENTERED_FIELDS``; the hours as ``quarter_hours``, from clean())."""
        data = self.cleaned_data
        return SessionInput(**{name: data[name] for name in SessionLog.ENTERED_FIELDS})

    def initial_for_new(self, *, match_pk=None) -> dict:
        """What a new entry starts with: now (to the quarter hour), the lists' defaults, and
        the match asked for in the address, or the only one."""
        now = timezone.localtime(timezone.now(), self.program.tz)
        initial = {
            "starts_at": now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0),
            "attendance": Attendance.MET,
            "submission_token": uuid.uuid4(),
        }
        for name, list_name in CHOICE_FIELDS.items():
            default = next(
                (c for c in self.choice_lists[list_name] if c.is_default and not c.is_retired),
                None,
            )
            if default:
                initial[name] = default.pk
        # ?match= comes from the address bar: anything but a number is ignored.
        chosen = next((m for m in self.matches if str(m.pk) == str(match_pk)), None)
        if chosen is None and len(self.matches) == 1:
            chosen = self.matches[0]
        if chosen is not None:
            initial["match"] = chosen.pk
        return initial

    @staticmethod
    def initial_for_edit(session: SessionLog, program: ProgramSettings) -> dict:
        """The entry's entered values, as the form shows them."""
        initial = {name: session.serializable_value(name) for name in SessionLog.ENTERED_FIELDS}
        initial["starts_at"] = timezone.localtime(session.starts_at, program.tz)
        initial["hours"] = rules.format_hours(initial.pop("quarter_hours"))
        return initial


class DeleteSessionForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete this entry"),
        error_messages={"required": _("Tick the box to confirm you want to delete this entry.")},
    )


class NoSessionMonthForm(TextInputMixin, forms.Form):
    """ "We did not meet at all this month", with the reason: one step from the home page."""

    month = forms.CharField(
        widget=forms.HiddenInput, error_messages={"required": _("Choose the month.")}
    )
    reason = forms.ChoiceField(
        label=_("Why did you not meet?"),
        choices=NoSessionReason.choices,
        widget=forms.RadioSelect,
        error_messages=choice_messages(_("why you did not meet")),
    )
    details = forms.CharField(
        label=_("Anything to add? (needed for “Something else”)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Keep it under 500 characters.")},
    )

    def clean_month(self) -> rules.Month:
        try:
            return rules.Month.parse(self.cleaned_data["month"])
        except rules.MonthError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        data = super().clean()
        if data.get("reason") == NoSessionReason.OTHER and not (data.get("details") or "").strip():
            self.add_error("details", "Tell the program in a few words why you did not meet.")
        return data


class LanguageForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    """English or Spanish, for a mentor's pages and emails (the preferences page)."""

    language = forms.ChoiceField(
        label=_("Language of the portal and its emails"),
        # Each language named in itself, so a person finds theirs whatever the page's.
        choices=[("en", "English"), ("es", "Español")],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a language."),
            "invalid_choice": _("Choose a language from the list."),
        },
    )
