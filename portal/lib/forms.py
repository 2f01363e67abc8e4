"""The text rules of ``portal.lib.text`` for every form of the portal.

Every form class mixes in ``TextInputMixin``, and every ModelAdmin and inline of the
Django admin ``TextInputAdminMixin`` (tests walk them all), so no text field can be added
without a length limit or with control characters let through.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from portal.lib.text import LONG_TEXT_MAX, SHORT_TEXT_MAX, clean_text


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
