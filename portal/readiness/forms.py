"""The readiness forms: record an item, the program's items and setting, a training, the
agreement. Plain words; every message says what to do."""

import datetime as dt
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import FieldMessagesMixin, TextInputMixin, choice_messages, set_text_limit
from portal.mentoring import rules as mentoring_rules
from portal.readiness import rules, selectors
from portal.readiness.models import (
    NAME_MAX,
    NOTE_MAX,
    TOPIC_MAX,
    NotReadyPolicy,
    ReadinessItem,
    WhoRecords,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("yes", "Yes"), ("no", "No")]
DATE_MESSAGES = {
    "required": "Enter the day it was done.",
    "invalid": "Enter the day as a date, like 2026-06-12.",
}


class AgreementTextCheckMixin:
    """For the forms that change the program's mentor agreement (the settings page and the
    admin's): the text may not become empty once there is one (mentors accept exactly it)."""

    def clean_mentor_agreement(self):
        text = self.cleaned_data.get("mentor_agreement") or ""
        before = self.instance.mentor_agreement if self.instance.pk else ""
        if problem := selectors.agreement_text_problem(text, before=before or ""):
            raise forms.ValidationError(problem)
        return text


class RecordForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    item = forms.ModelChoiceField(
        label="What was done?",
        queryset=ReadinessItem.objects.none(),
        empty_label="Choose a requirement",
        error_messages={
            "required": "Choose what was done.",
            "invalid_choice": "Choose a requirement from the list.",
        },
    )
    done_on = forms.DateField(
        label="Day it was done", widget=DATE_INPUT, error_messages=DATE_MESSAGES
    )
    note = forms.CharField(
        label="Note or file reference (optional)",
        required=False,
        help_text="For example where the document is kept, or who saw it. Do not upload or "
        "copy identity documents: the portal keeps none.",
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, today: dt.date, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {
            "done_on": today,
            "submission_token": uuid.uuid4(),
            **kwargs["initial"],
        }
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["item"].queryset = ReadinessItem.objects.filter(is_retired=False)
        set_text_limit(self.fields["note"], NOTE_MAX)

    def clean_done_on(self):
        day = self.cleaned_data["done_on"]
        if problem := rules.done_date_problem(day, today=self.today):
            raise forms.ValidationError(problem)
        return day


class RemoveForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    reason = forms.CharField(
        label="Why remove it?",
        max_length=NOTE_MAX,
        error_messages={"required": "Say why the record is removed."},
    )


VALIDITY = [("", "It does not expire")] + [
    (str(m), f"{m} months") for m in rules.VALIDITY_CHOICES if m
]


class ItemForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    name = forms.CharField(label="Name of the requirement", max_length=NAME_MAX)
    name_es = forms.CharField(
        label="Name in Spanish (optional)",
        max_length=NAME_MAX,
        required=False,
        help_text="What Spanish-speaking mentors read. Empty: they read the name above.",
    )
    required = forms.ChoiceField(
        label="Must every mentor have it to be ready?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="yes",
        error_messages=choice_messages("whether it is required"),
    )
    valid_months = forms.ChoiceField(
        label="How long does it stay valid?",
        choices=VALIDITY,
        required=False,
        widget=forms.RadioSelect,
        initial="",
        error_messages=choice_messages("how long it stays valid"),
    )
    who_records = forms.ChoiceField(
        label="Who records it?",
        choices=WhoRecords.choices,
        widget=forms.RadioSelect,
        initial=WhoRecords.STAFF,
        help_text="Staff can always record it. A training can also complete it when the "
        "mentor logs the training.",
        error_messages=choice_messages("who records it"),
    )
    is_retired = forms.BooleanField(
        label="No longer required of anyone (retired)",
        required=False,
        help_text="Its records are kept; it no longer counts for readiness.",
    )

    def __init__(self, *args, item: ReadinessItem | None = None, **kwargs):
        if item is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": item.name,
                    "name_es": item.name_es,
                    "required": "yes" if item.required else "no",
                    "valid_months": str(item.valid_months or ""),
                    "who_records": item.who_records,
                    "is_retired": item.is_retired,
                },
            )
        super().__init__(*args, **kwargs)
        self.item = item
        if item is None:
            del self.fields["is_retired"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter the name of the requirement.")
        taken = ReadinessItem.objects.filter(name__iexact=name)
        if self.item is not None:
            taken = taken.exclude(pk=self.item.pk)
        if taken.exists():
            raise forms.ValidationError(
                f"There is already a requirement called \u201c{name}\u201d."
            )
        return name

    def clean_name_es(self):
        return " ".join((self.cleaned_data.get("name_es") or "").split())

    def clean_valid_months(self):
        value = self.cleaned_data.get("valid_months") or ""
        return int(value) if value else None


class SettingsForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    not_ready_matches = forms.ChoiceField(
        label="When a mentor who is not ready has, or is given, a match",
        choices=NotReadyPolicy.choices,
        widget=forms.RadioSelect,
        help_text="Refusing also holds their active matches after the nightly check: no new "
        "session can be logged until the mentor is ready.",
        error_messages=choice_messages("what happens to such a match"),
    )


class ItemChoiceField(forms.ModelChoiceField):
    """The program's items by the name the mentor reads (Spanish when there is one)."""

    def label_from_instance(self, obj):
        return obj.name_shown


class TrainingForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    on_date = forms.DateField(
        label=_("Day of the training"),
        widget=DATE_INPUT,
        error_messages={
            "required": _("Enter the day of the training."),
            "invalid": _("Enter the day as a date, like 2026-06-12."),
        },
    )
    hours = forms.ChoiceField(
        label=_("Hours"),
        help_text=_("In quarter hours."),
        error_messages={
            "required": _("Choose how long the training was."),
            "invalid_choice": _("Choose the hours from the list, like 0.50 or 1.00."),
        },
    )
    topic = forms.CharField(label=_("What was the training about?"), max_length=TOPIC_MAX)
    item = ItemChoiceField(
        label=_("Does it complete a requirement? (optional)"),
        queryset=ReadinessItem.objects.none(),
        required=False,
        empty_label=_("No"),
        error_messages={"invalid_choice": _("Choose a requirement from the list, or No.")},
    )
    # One per form shown: the same form sent twice (a double tap) saves one training.
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, today: dt.date, items=(), **kwargs):
        kwargs.setdefault(
            "initial", {"on_date": today, "hours": "1.00", "submission_token": uuid.uuid4()}
        )
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["hours"].choices = [
            (value, value)
            for value in mentoring_rules.hours_options(rules.TRAINING_MAX_QUARTERS)[1:]
        ]
        ids = [i.pk for i in items]
        if ids:
            self.fields["item"].queryset = ReadinessItem.objects.filter(pk__in=ids)
        else:
            del self.fields["item"]

    def clean_on_date(self):
        day = self.cleaned_data["on_date"]
        if problem := rules.training_date_problem(day, today=self.today):
            raise forms.ValidationError(problem)
        return day

    def clean_hours(self):
        value = self.cleaned_data["hours"]
        return int(round(float(value) * 4))


class AgreementForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    agree = forms.BooleanField(
        label=_("I have read the mentor agreement and I accept it"),
        error_messages={"required": _("Tick the box to accept the mentor agreement.")},
    )
