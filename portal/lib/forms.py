"""What every form of the portal shares.

- The text rules of ``portal.lib.text``: every form class mixes in ``TextInputMixin``, and
  every ModelAdmin and inline of the Django admin ``TextInputAdminMixin`` (tests walk them
  all), so no text field can be added without a length limit or with control characters
  let through.
- Messages that say what to do: ``FieldMessagesMixin`` words a field's "required" (and
  "not on the list") message from its label, unless the field has a better one of its own.
- ``add_domain_errors``: a service's refusal shown on the form, each problem by its field;
  ``call_for_form`` runs a service for a form and shows its refusal so.
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.utils import pretty_name
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from portal.lib.text import LONG_TEXT_MAX, SHORT_TEXT_MAX, clean_text

T = TypeVar("T")


class _FriendlyMaxLength(MaxLengthValidator):
    message = (
        "This can be at most %(limit_value)s characters; it has %(show_value)s. "
        "Shorten it and try again."
    )

    def __call__(self, value) -> None:
        # Fields built on CharField that return something else (a UUID, JSON) are checked
        # by their own rules; the limit is on text.
        if not isinstance(value, str) or len(value) <= self.limit_value:
            return
        raise ValidationError(
            self.message,
            code=self.code,
            params={"limit_value": f"{self.limit_value:,}", "show_value": f"{len(value):,}"},
        )


def _is_secret(field: forms.Field) -> bool:
    # A password is compared exactly as typed: nothing is removed from it.
    return isinstance(field.widget, forms.PasswordInput)


def guard_text_field(field: forms.Field) -> None:
    """Give one form field the portal's text rules (idempotent)."""
    if not isinstance(field, forms.CharField) or _is_secret(field):
        return
    if getattr(field, "_text_guarded", False):
        return
    field._text_guarded = True
    multiline = isinstance(field.widget, forms.Textarea)
    if field.max_length is None:
        field.max_length = LONG_TEXT_MAX if multiline else SHORT_TEXT_MAX
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators.append(_FriendlyMaxLength(field.max_length))
    original = field.to_python

    def to_python(value):
        if isinstance(value, str):
            value = clean_text(value, multiline=multiline)
        return original(value)

    field.to_python = to_python


def set_text_limit(field: forms.Field, limit: int) -> None:
    """Give a guarded text field the limit of the value it is for (a model field's)."""
    guard_text_field(field)
    field.max_length = limit
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators.append(_FriendlyMaxLength(limit))


class TextInputMixin:
    """Mix into every form: each text field gets a length limit and loses control
    characters (line breaks of every kind become ordinary ones)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            guard_text_field(field)


class TextInputAdminMixin:
    """Mix into every ModelAdmin and inline: the fields of the admin's forms get the same
    rules as ``TextInputMixin`` gives the portal's own forms."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            guard_text_field(field)
        return field


# --- Messages that say what to do, by field ------------------------------------------------

_DEFAULT_MESSAGES = {
    "required": str(forms.Field.default_error_messages["required"]),
    "invalid_choice": str(forms.ChoiceField.default_error_messages["invalid_choice"]),
    "model_invalid_choice": str(forms.ModelChoiceField.default_error_messages["invalid_choice"]),
    "invalid_date": str(forms.DateField.default_error_messages["invalid"]),
}


def _label(field: forms.Field, name: str) -> str:
    return str(field.label or pretty_name(name))


def _as_words(label: str) -> str | None:
    """'School site' -> 'school site', to use in a sentence; None for a label that does not
    read as the name of a thing (a question, a note in brackets). An acronym keeps its
    capitals ('CSV file')."""
    if any(mark in label for mark in "?()"):
        return None
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def required_message(field: forms.Field, name: str) -> str:
    """What to do when a required field is left empty, worded from its label."""
    label = _label(field, name)
    words = _as_words(label)
    if isinstance(field, forms.BooleanField):
        return f"Tick \u201c{label}\u201d to go on."
    if isinstance(field, forms.FileField):
        return f"Choose the {words or 'file'} to upload."
    if isinstance(field, forms.ChoiceField):  # ModelChoiceField and multiple choices too
        return f"Choose the {words}." if words else f"Choose an answer to \u201c{label}\u201d."
    return f"Enter the {words}." if words else f"Fill in \u201c{label}\u201d."


def invalid_choice_message(field: forms.Field, name: str) -> str:
    """What to do when the value sent is not one of a field's choices."""
    label = _label(field, name)
    words = _as_words(label)
    if field.required and words:
        # A required choice names a thing to choose: "Choose the mentor from the list."
        return f"Choose the {words} from the list."
    return f"Choose one of the choices for \u201c{label}\u201d."


def _is_default(field: forms.Field, code: str, *defaults: str) -> bool:
    return str(field.error_messages.get(code, "")) in defaults


def choice_messages(what: str) -> dict[str, str]:
    """The messages of a choice whose label does not read in a sentence (a question):
    ``choice_messages("why you did not meet")``."""
    # Lazy: the sentence is put together in the language of the page that shows it.
    return {
        "required": format_lazy(gettext_lazy("Choose {what}."), what=what),
        "invalid_choice": format_lazy(gettext_lazy("Choose {what} from the list."), what=what),
    }


def word_field_messages(field: forms.Field, name: str) -> None:
    """Replace Django's generic messages of one field by ones that name it (idempotent).

    A message the field was given on purpose is kept: only the generic ones change.
    """
    if field.required and _is_default(field, "required", _DEFAULT_MESSAGES["required"]):
        field.error_messages["required"] = required_message(field, name)
    if isinstance(field, forms.ChoiceField) and _is_default(
        field,
        "invalid_choice",
        _DEFAULT_MESSAGES["invalid_choice"],
        _DEFAULT_MESSAGES["model_invalid_choice"],
    ):
        field.error_messages["invalid_choice"] = invalid_choice_message(field, name)
    if isinstance(field, forms.DateField) and _is_default(
        field, "invalid", _DEFAULT_MESSAGES["invalid_date"]
    ):
        words = _as_words(_label(field, name)) or "date"
        field.error_messages["invalid"] = f"Enter the {words} as a date, like 2026-06-12."


class FieldMessagesMixin:
    """Mix into a form: every field's generic "This field is required." (and "Select a valid
    choice") becomes a message that names the field and says what to do, e.g. "Choose the
    mentor." Give a field ``error_messages`` of its own where its label does not read well
    in the sentence (a question, a note in brackets)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            word_field_messages(field, name)


# --- A service's refusal, shown on the form ---------------------------------------------


def add_domain_errors(form: forms.BaseForm, errors) -> None:
    """Show the problems a service or a rule found on the form that sent the values.

    ``errors`` is a ValidationError (by field, or a plain one) or a list of problems with
    ``field`` and ``message`` (``rules.session_problems``). A problem about a field the form
    shows goes next to that field; any other one goes at the top of the form.
    """
    for field, message in _problems(errors):
        form.add_error(field if field in form.fields else None, message)


def call_for_form(form: forms.BaseForm, service: Callable[..., T], **kwargs) -> T | None:
    """``service(**kwargs)`` for the values ``form`` sent, or None when the service refuses
    them: its ValidationError is then shown on the form, each problem by its field."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        add_domain_errors(form, error)
        return None


def _problems(errors) -> Iterable[tuple[str, str]]:
    if isinstance(errors, ValidationError):
        if hasattr(errors, "error_dict"):
            for field, messages in errors.message_dict.items():
                for message in messages:
                    yield field, message
        else:
            for message in errors.messages:
                yield NON_FIELD_ERRORS, message
        return
    for problem in errors:
        yield problem.field, problem.message
