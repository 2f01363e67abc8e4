"""The check-in form and the cadence form (plain words, every message says what to do)."""

import datetime as dt
import uuid

from django import forms

from portal.checkins import rules
from portal.checkins.models import NOTES_MAX, How, Strength, WithWhom
from portal.lib.forms import FieldMessagesMixin, TextInputMixin, choice_messages, set_text_limit
from portal.lib.text import LONG_TEXT_MAX
from portal.mentoring.models import Match

YES_NO = [("no", "No"), ("yes", "Yes")]


class CheckInForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    with_whom = forms.ChoiceField(
        label="Who did you talk to?",
        choices=WithWhom.choices,
        widget=forms.RadioSelect,
        error_messages=choice_messages("who you talked to"),
    )
    how = forms.ChoiceField(
        label="How?",
        choices=How.choices,
        widget=forms.RadioSelect,
        error_messages=choice_messages("how you were in touch"),
    )
    on_date = forms.DateField(
        label="Day",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the day of the check-in.",
            "invalid": "Enter the day as a date, like 2026-06-12.",
        },
    )
    at_time = forms.TimeField(
        label="Time (optional)",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": "Enter the time like 15:30, or leave it empty."},
    )
    strength = forms.TypedChoiceField(
        label="How strong is the match?",
        choices=Strength.choices,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        help_text="Needed after talking to the mentor or the mentee.",
        error_messages=choice_messages("how strong the match is"),
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    safety_concern = forms.ChoiceField(
        label="Any safety concern?",
        choices=YES_NO,
        initial="no",
        widget=forms.RadioSelect,
        error_messages=choice_messages("whether there is a safety concern"),
    )
    concern_description = forms.CharField(
        label="What happened? (needed when there is a safety concern)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Staff and the school's contacts are told at once. They read it here.",
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, match: Match, today: dt.date, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {
            "on_date": today,
            "safety_concern": "no",
            "submission_token": uuid.uuid4(),
            **kwargs["initial"],
        }
        super().__init__(*args, **kwargs)
        self.match = match
        self.today = today
        set_text_limit(self.fields["notes"], NOTES_MAX)
        set_text_limit(self.fields["concern_description"], LONG_TEXT_MAX)

    def clean_on_date(self):
        day = self.cleaned_data["on_date"]
        problem = rules.date_problem(day=day, started=self.match.start_date, today=self.today)
        if problem:
            raise forms.ValidationError(problem)
        return day

    def clean(self):
        data = super().clean()
        if data.get("with_whom") in {WithWhom.MENTOR, WithWhom.MENTEE} and not data.get("strength"):
            who = WithWhom(data["with_whom"]).label.lower()
            self.add_error("strength", f"Choose how strong the match is, as the {who} told you.")
        if data.get("safety_concern") == "yes" and not data.get("concern_description", "").strip():
            self.add_error(
                "concern_description", "Say what happened: staff and the school will read it."
            )
        return data


class CadenceForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    """One number of months per kind; empty means no regular check-in of that kind."""

    def __init__(self, *args, current: dict[str, int | None], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in WithWhom.choices:
            self.fields[kind] = forms.IntegerField(
                label=f"{label}: every how many months? (empty: no regular check-in)",
                required=False,
                min_value=1,
                max_value=24,
                initial=current.get(kind),
                error_messages={
                    "invalid": "Enter a whole number of months, like 1 or 3, or leave it empty.",
                    "min_value": "Enter at least 1 month, or leave it empty for none.",
                    "max_value": "Enter at most 24 months.",
                },
            )
