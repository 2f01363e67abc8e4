"""Every message of a staff or mentor form says what to do, by field (never Django's
"This field is required." or "Select a valid choice.")."""

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError

from portal.lib.forms import FieldMessagesMixin, TextInputMixin, add_domain_errors
from portal.mentoring import forms as mentoring_forms
from portal.mentoring import rules
from portal.mentoring.models import ProgramSettings, SiteContact
from portal.safeguarding import views as safeguarding_views
from portal.staff import forms as staff_forms
from tests.page import read_page

GENERIC = {
    str(forms.Field.default_error_messages["required"]),
    str(forms.ChoiceField.default_error_messages["invalid_choice"]),
    str(forms.ModelChoiceField.default_error_messages["invalid_choice"]),
    str(forms.DateField.default_error_messages["invalid"]),
}


def test_add_a_match_names_each_field_left_empty(staff_client):
    empty = {"mentor": "", "mentee": "", "site": "", "start_date": ""}
    response = staff_client.post("/staff/matches/new/", empty)

    page = read_page(response)
    assert response.status_code == 200
    assert "This field is required." not in page.text
    for message in [
        "Choose the mentor.",
        "Choose the mentee.",
        "Choose the school site.",
        "Enter the start date.",
    ]:
        assert message in page.text


def test_add_a_match_says_what_to_do_with_a_choice_or_a_date_it_cannot_read(staff_client):
    response = staff_client.post(
        "/staff/matches/new/",
        {"mentor": "999999", "mentee": "x", "site": "999999", "start_date": "soon"},
    )

    text = read_page(response).text
    assert "Choose the mentor from the list." in text
    assert "Choose the mentee from the list." in text
    assert "Choose the school site from the list." in text
    assert "Enter the start date as a date, like 2026-06-12." in text
    assert "Select a valid choice" not in text


def test_add_a_mentor_names_each_field_left_empty(staff_client):
    empty = {"full_name": "", "email": "", "phone": "", "status": ""}
    text = read_page(staff_client.post("/staff/mentors/new/", empty)).text

    assert "This field is required." not in text
    assert "Enter the full name." in text
    assert "Enter the email." in text
    assert "Choose the status." in text


def _forms_to_check(match):
    program = ProgramSettings.load()
    session_kwargs = {"matches": [match], "program": program}
    return {
        "SessionLogForm": mentoring_forms.SessionLogForm(**session_kwargs),
        "CorrectionForm": staff_forms.CorrectionForm(**session_kwargs),
        "DeleteSessionForm": mentoring_forms.DeleteSessionForm(),
        "NoSessionMonthForm": mentoring_forms.NoSessionMonthForm(),
        "LanguageForm": mentoring_forms.LanguageForm(),
        "MatchCloseForm": staff_forms.MatchCloseForm(match=match),
        "SiteContactForm (new)": staff_forms.SiteContactForm(),
        "SiteContactForm (change)": staff_forms.SiteContactForm(
            instance=SiteContact.objects.first()
        ),
        **{
            name: getattr(staff_forms, name)()
            for name in [
                "SessionFilterForm",
                "DateRangeForm",
                "SchoolSiteForm",
                "MentorForm",
                "MenteeForm",
                "MatchForm",
                "DeactivateForm",
                "ProgramSettingsForm",
                "ChoiceAddForm",
                "ChoiceSpanishForm",
                "ExportForm",
                "ImportForm",
            ]
        },
        **{
            name: getattr(safeguarding_views, name)()
            for name in [
                "AcknowledgeForm",
                "NoteForm",
                "CloseForm",
                "RaiseConcernForm",
                "NeedUpdateForm",
            ]
        },
    }


def test_no_staff_or_mentor_form_answers_with_a_generic_message(match_a):
    generic = [
        f"{form_name}.{name} ({code})"
        for form_name, form in _forms_to_check(match_a).items()
        for name, field in form.fields.items()
        for code, message in field.error_messages.items()
        if str(message) in GENERIC
        and (code != "required" or field.required)
        and (code != "invalid_choice" or isinstance(field, forms.ChoiceField))
    ]

    assert not generic, "Generic messages: " + ", ".join(generic)


def test_every_form_class_of_the_staff_and_mentor_pages_is_checked(match_a):
    checked = {type(form) for form in _forms_to_check(match_a).values()}
    declared = {
        cls
        for module in (staff_forms, mentoring_forms, safeguarding_views)
        for cls in vars(module).values()
        if isinstance(cls, type)
        and issubclass(cls, forms.BaseForm)
        and cls.__module__ == module.__name__
    }

    assert declared <= checked, "Add these to the check: " + ", ".join(
        sorted(cls.__name__ for cls in declared - checked)
    )


# --- The shared mechanism ------------------------------------------------------------------


class _Example(FieldMessagesMixin, TextInputMixin, forms.Form):
    site = forms.ChoiceField(label="School site", choices=[("1", "Lincoln")])
    day = forms.DateField(label="Start date")
    name = forms.CharField(label="Full name")
    file = forms.FileField(label="CSV file")
    list = forms.ChoiceField(label="Which list?", choices=[("a", "A")])
    note = forms.CharField(label="Note (optional)", required=False)
    agree = forms.BooleanField(label="I agree")
    reason = forms.CharField(label="Reason", error_messages={"required": "Say why."})


def test_the_messages_are_worded_from_the_label():
    form = _Example(data={"site": "9", "day": "soon"})
    assert not form.is_valid()

    assert form.errors == {
        "site": ["Choose the school site from the list."],
        "day": ["Enter the start date as a date, like 2026-06-12."],
        "name": ["Enter the full name."],
        "file": ["Choose the CSV file to upload."],
        "list": ["Choose an answer to \u201cWhich list?\u201d."],
        "agree": ["Tick \u201cI agree\u201d to go on."],
        "reason": ["Say why."],  # a message of its own is kept
    }


# --- Domain errors on a form ---------------------------------------------------------------


class _Small(TextInputMixin, forms.Form):
    notes = forms.CharField(required=False)


def _bound() -> _Small:
    form = _Small(data={"notes": "x"})
    assert form.is_valid()
    return form


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        (
            ValidationError({"notes": "Shorten them.", "match": "Not yours."}),
            {"notes": ["Shorten them."], "__all__": ["Not yours."]},
        ),
        (ValidationError("This entry was deleted."), {"__all__": ["This entry was deleted."]}),
        ([rules.Problem("notes", "Write a few words.")], {"notes": ["Write a few words."]}),
        ([], {}),
    ],
    ids=["by_field", "plain", "problems", "none"],
)
def test_domain_errors_go_next_to_their_field_or_at_the_top(errors, expected):
    form = _bound()
    add_domain_errors(form, errors)
    assert form.errors == expected


def test_a_date_in_the_match_close_form_keeps_its_own_words(match_a):
    form = staff_forms.MatchCloseForm(data={"end_date": "soon", "notes": "Moved"}, match=match_a)
    assert form.errors["end_date"] == ["Enter a date like 2026-06-12."]
    form = staff_forms.MatchCloseForm(
        data={"end_date": str(match_a.start_date - dt.timedelta(days=1)), "notes": "Moved"},
        match=match_a,
    )
    assert "end it on or after that day" in form.errors["end_date"][0]
