"""Forms of a match's support: who its coordinator is (one match or many) and its closure."""

import datetime as dt

from django import forms
from django.utils import timezone

from portal.lib.forms import FieldMessagesMixin, TextInputMixin
from portal.mentoring import caseloads, rules
from portal.mentoring.models import (
    CLOSURE_REASON_MAX,
    Choice,
    ChoiceList,
    ClosureInitiator,
    Match,
    ProgramSettings,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("yes", "Yes"), ("no", "No")]


class CoordinatorChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", caseloads.coordinators())
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Choose the staff member who will support the matches.",
                "invalid_choice": "Choose a staff member from the list.",
            },
        )
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return obj.full_name or obj.email


class AssignForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    """One match: its coordinator, or nobody."""

    coordinator = CoordinatorChoiceField(
        label="Coordinator", required=False, empty_label="Nobody yet"
    )


class BulkAssignForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    """Many matches at once: those ticked, those on the page, or all matching the filter."""

    SELECTED, PAGE, FILTER = "selected", "page", "filter"

    coordinator = CoordinatorChoiceField(label="Give them to", empty_label="Choose a coordinator")
    scope = forms.ChoiceField(
        label="Which matches",
        choices=[(SELECTED, "The ones ticked"), (PAGE, "All on this page"), (FILTER, "All")],
        widget=forms.RadioSelect,
        initial=SELECTED,
        error_messages={
            "required": "Choose which matches to assign.",
            "invalid_choice": "Choose which matches to assign.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticked = self._ids("match")
        self.on_page = self._ids("on_page")

    def _ids(self, name: str) -> list[int]:
        values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
        return [int(v) for v in values if v.isdecimal() and len(v) <= 9]

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.SELECTED and not self.ticked:
            raise forms.ValidationError(
                "Tick at least one match, or choose \u201call on this page\u201d or "
                "\u201call\u201d "
                "instead."
            )
        return data


class MatchCloseForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    end_date = forms.DateField(
        label="Last day of the match",
        widget=DATE_INPUT,
        error_messages={
            "required": "Enter the last day of the match.",
            "invalid": "Enter a date like 2026-06-12.",
        },
    )
    closed_by_whom = forms.ChoiceField(
        label="Who asked to close it?",
        choices=ClosureInitiator.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say who asked to close the match.",
            "invalid_choice": "Say who asked to close the match.",
        },
    )
    closure_choice = forms.ModelChoiceField(
        label="Why is it closing?",
        queryset=Choice.objects.none(),
        empty_label="Choose a reason",
        error_messages={
            "required": "Choose why the match is closing.",
            "invalid_choice": "Choose why the match is closing from the list.",
        },
    )
    last_meeting_on = forms.DateField(
        label="Last time they met",
        required=False,
        widget=DATE_INPUT,
        help_text="Filled in from the last session logged. Leave empty if they never met.",
        error_messages={"invalid": "Enter a date like 2026-06-12."},
    )
    talk_with_mentor = forms.ChoiceField(
        label="Did you have a closure conversation with the mentor?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether you talked with the mentor about the closure.",
            "invalid_choice": "Say whether you talked with the mentor about the closure.",
        },
    )
    talk_with_family = forms.ChoiceField(
        label="Did you have a closure conversation with the family?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether you talked with the family about the closure.",
            "invalid_choice": "Say whether you talked with the family about the closure.",
        },
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=CLOSURE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only staff see these. Keep them short: they are about a child.",
    )

    def __init__(self, *args, match: Match, today: dt.date | None = None, **kwargs):
        self.match = match
        self.today = today
        super().__init__(*args, **kwargs)
        self.fields["closure_choice"].queryset = Choice.objects.filter(
            list=ChoiceList.CLOSURE_REASON, is_retired=False
        )

    def clean_end_date(self):
        end = self.cleaned_data["end_date"]
        if end < self.match.start_date:
            raise forms.ValidationError(
                f"The match started on {rules.format_day(self.match.start_date)}: "
                "end it on or after that day."
            )
        today = self.today or timezone.localdate(timezone.now(), ProgramSettings.load().tz)
        if end > today:
            raise forms.ValidationError(
                "The last day cannot be in the future. Close the match on or after its last day."
            )
        return end

    def clean(self):
        data = super().clean()
        end, last = data.get("end_date"), data.get("last_meeting_on")
        if last is not None and last < self.match.start_date:
            self.add_error(
                "last_meeting_on",
                f"The match started on {rules.format_day(self.match.start_date)}: "
                "the last meeting cannot be before that day.",
            )
        elif last is not None and end is not None and end < last:
            self.add_error(
                "end_date",
                f"They last met on {rules.format_day(last)}: end the match on or after that day.",
            )
        return data
