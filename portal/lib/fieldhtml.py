"""A form field's block, written in Python: the same HTML as templates/includes/field.html
and templates/includes/radio_field.html, without a template include for each field.

The session form draws a dozen fields on every load: each ``{% include %}`` makes a new
context and renders a template node by node, and the radio tiles loop over every answer in
the template language. These functions give the very same text (tests/test_field_html.py
compares them with the templates, in English and Spanish, with errors and without).
"""

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext


def _e(value) -> str:
    """``{{ value }}`` with autoescape on (values here are text or lazy text)."""
    return conditional_escape(value if isinstance(value, SafeString) else str(value))


def _errors(field, *, with_id: bool, indent: str, between: str) -> str:
    """The ``{% for error in field.errors %}`` paragraph, one per error."""
    hidden = _e(gettext("Error:"))
    id_attr = f' id="{_e(field.auto_id)}_error"' if with_id else ""
    return "".join(
        f'{indent}<p class="error-message"{id_attr}><span class="visually-hidden">'
        f"{hidden} </span>{_e(error)}</p>{between}"
        for error in field.errors
    )


def field_block(field) -> SafeString:
    """templates/includes/field.html"""
    error_class = " field--error" if field.errors else ""
    help_text = (
        f'<p class="hint" id="{_e(field.auto_id)}_helptext">{_e(field.help_text)}</p>'
        if field.help_text
        else ""
    )
    errors = _errors(field, with_id=True, indent="\n    ", between="\n  ")
    return mark_safe(
        f'<div class="field{error_class}" id="field-{_e(field.name)}">\n'
        f'  <label class="label" for="{_e(field.id_for_label)}">{_e(field.label)}</label>\n'
        f"  {help_text}\n"
        f"  {errors}\n"
        f"  {field}\n"
        "</div>\n"
    )


def radio_block(field, *, tiles=False, pairs=False, thirds=False) -> SafeString:
    """templates/includes/radio_field.html"""
    classes = "fieldset field"
    if tiles:
        classes += " fieldset--tiles"
    if field.errors:
        classes += " field--error"
    help_text = f'<p class="hint">{_e(field.help_text)}</p>' if field.help_text else ""
    errors = _errors(field, with_id=True, indent="", between="")
    opening = ""
    if tiles:
        size = " choices--pairs" if pairs else " choices--thirds" if thirds else ""
        opening = f'<div class="choices{size}">'
    choice = " choice" if tiles else ""
    radios = "".join(
        f'\n    <div class="checkbox radio{choice}">{radio.tag()}'
        f'<label for="{_e(radio.id_for_label)}">{_e(radio.choice_label)}</label></div>\n  '
        for radio in field
    )
    return mark_safe(
        # The template's two comment lines leave their line breaks.
        f'\n\n<fieldset class="{classes}" id="field-{_e(field.name)}">\n'
        f"  <legend>{_e(field.label)}</legend>\n"
        f"  {help_text}\n"
        f"  {errors}\n"
        f"  {opening}\n"
        f"  {radios}\n"
        f"  {'</div>' if tiles else ''}\n"
        "</fieldset>\n"
    )


def checkbox_options(field) -> SafeString:
    """The session form's needs boxes (templates/mentoring/session_form.html wrote them
    with a loop): each box and its label in a ``div.checkbox``."""
    return mark_safe(
        "".join(
            '\n          <div class="checkbox">\n'
            f"            {checkbox.tag()}\n"
            f'            <label for="{_e(checkbox.id_for_label)}">'
            f"{_e(checkbox.choice_label)}</label>\n"
            "          </div>\n        "
            for checkbox in field
        )
    )
