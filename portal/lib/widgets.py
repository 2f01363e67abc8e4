"""Form widgets written out in Python: the same HTML as Django's widget templates, faster.

Django renders every widget through its template (``input.html`` including ``attrs.html``;
each radio button and each ``<option>`` one more include), which was 40% of the session
form's processor time. ``FastWidgetRenderer`` writes the widgets the portal uses directly,
byte for byte as those templates do (tests/test_widget_renderer.py compares both), and
hands any other template to Django as before. Escaping follows the templates' autoescape:
``conditional_escape`` on every value, the ``stringformat:'s'`` filter's rules for values.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"


def _text(value) -> str:
    """``{{ value }}`` in a template with autoescape on (render_value_in_context)."""
    if not isinstance(value, str):
        value = localize(template_localtime(value))
        if not isinstance(value, str):
            value = str(value)
    return conditional_escape(value)


def _string(value) -> str:
    """``{{ value|stringformat:'s' }}``: the filter keeps safe text safe, the rest is escaped."""
    if isinstance(value, tuple):
        value = str(value)
    if isinstance(value, SafeData):
        return str(value)
    return conditional_escape("%s" % (value,))  # noqa: UP031  (the filter's own operation)


def _attrs(attrs: dict) -> str:
    """attrs.html: `` name="value"`` each, `` name`` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_string(value)}"')
    return "".join(parts)


# Each function gives what its template file gives, trailing line break included: an
# included template keeps it (the page shows it), only the outermost one is stripped.


def _input(widget: dict) -> str:
    """input.html"""
    value = widget["value"]
    shown = f' value="{_string(value)}"' if value is not None else ""
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _input_option(widget: dict) -> str:
    """input_option.html"""
    if not widget.get("wrap_label"):
        return f"{_input(widget)}\n"
    widget_id = widget["attrs"].get("id")
    label_for = f' for="{_text(widget_id)}"' if widget_id else ""
    return f"<label{label_for}>{_input(widget)} {_text(widget['label'])}</label>\n"


def _select_option(widget: dict) -> str:
    """select_option.html"""
    return (
        f'<option value="{_string(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_text(widget['label'])}</option>\n"
    )


def _included(option: dict) -> str:
    """``{% include option.template_name with widget=option %}``"""
    write = WRITTEN.get(option["template_name"])
    if write is None:
        raise _NotWritten
    return write(option)


def _select(widget: dict) -> str:
    """select.html"""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            parts.append(f"\n  {_included(option)}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _multiple_input(widget: dict) -> str:
    """multiple_input.html"""
    widget_id = widget["attrs"].get("id")
    css_class = widget["attrs"].get("class")
    parts = ["<div"]
    if widget_id:
        parts.append(f' id="{_text(widget_id)}"')
    if css_class:
        parts.append(f' class="{_text(css_class)}"')
    parts.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        for option in options:
            parts.append(f"<div>\n    {_included(option)}</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    """textarea.html"""
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>\n"
    )


def _including(write):
    """A template that is only ``{% include "<write's template>" %}`` and a line break."""
    return lambda widget: f"{write(widget)}\n"


class _NotWritten(Exception):
    """An option with a template of its own: the whole widget goes to Django instead."""


WRITTEN = {
    WIDGETS + "input.html": _input,
    **{
        WIDGETS + name: _including(_input)
        for name in (
            "text.html",
            "email.html",
            "password.html",
            "number.html",
            "url.html",
            "hidden.html",
            "date.html",
            "datetime.html",
            "time.html",
            "checkbox.html",
            "search.html",
            "tel.html",
        )
    },
    WIDGETS + "input_option.html": _input_option,
    WIDGETS + "radio_option.html": _including(_input_option),
    WIDGETS + "checkbox_option.html": _including(_input_option),
    WIDGETS + "select_option.html": _select_option,
    WIDGETS + "select.html": _select,
    WIDGETS + "multiple_input.html": _multiple_input,
    WIDGETS + "radio.html": _including(_multiple_input),
    WIDGETS + "checkbox_select.html": _including(_multiple_input),
    WIDGETS + "textarea.html": _textarea,
}


class FastWidgetRenderer(DjangoTemplates):
    """Django's default form renderer, with the common widgets written in Python."""

    def render(self, template_name, context, request=None):
        write = WRITTEN.get(template_name)
        widget = context.get("widget") if write else None
        if widget is not None:
            try:
                # As Django's renderer does: the outermost template's output is stripped.
                return write(widget).strip()
            except _NotWritten:
                pass
        return super().render(template_name, context, request=request)
