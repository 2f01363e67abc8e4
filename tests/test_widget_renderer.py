"""The widgets written in Python (portal/lib/widgets.py) give exactly the HTML of Django's
widget templates: every widget kind, awkward values, and every field of the real forms."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import override

from portal.lib.widgets import FastWidgetRenderer
from portal.mentoring.forms import NoSessionMonthForm, SessionLogForm
from portal.mentoring.models import ProgramSettings
from tests.form_samples import AWKWARD, awkward_session_post

TEMPLATES = DjangoTemplates()
FAST = FastWidgetRenderer()

CHOICES = [("1", "One"), ("2", AWKWARD), (3, mark_safe("<em>safe</em>")), ("", "Nothing")]
GROUPED = [("Group <a>", [("a", "A"), ("b", "B")]), ("c", "C")]


def both(widget: forms.Widget, name: str, value, attrs=None) -> tuple[str, str]:
    return (
        widget.render(name, value, attrs=attrs, renderer=TEMPLATES),
        widget.render(name, value, attrs=attrs, renderer=FAST),
    )


WIDGETS = [
    (forms.TextInput(), "text", AWKWARD),
    (forms.TextInput(attrs={"maxlength": 50, "required": True, "readonly": False}), "t", ""),
    (forms.TextInput(attrs={"aria-describedby": AWKWARD}), "t", None),
    (forms.EmailInput(), "email", "a@example.org"),
    (forms.PasswordInput(render_value=True), "password", "s3cret<"),
    (forms.NumberInput(attrs={"step": 0.25}), "number", 1.5),
    (forms.HiddenInput(), "hidden", "ab12"),
    (forms.DateInput(attrs={"type": "date"}), "date", dt.date(2026, 3, 4)),
    (
        forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        "when",
        dt.datetime(2026, 3, 4, 11, 30),
    ),
    (forms.CheckboxInput(), "tick", True),
    (forms.CheckboxInput(), "tick", False),
    (forms.Textarea(attrs={"rows": 8}), "notes", "line one\nline <two> & three"),
    (forms.Textarea(), "notes", ""),
    (forms.Textarea(), "notes", None),
    (forms.Select(choices=CHOICES), "pick", "2"),
    (forms.Select(choices=CHOICES), "pick", None),
    (forms.Select(choices=GROUPED), "pick", "b"),
    (forms.SelectMultiple(choices=CHOICES), "many", ["1", "3"]),
    (forms.RadioSelect(choices=CHOICES), "radio", "1"),
    (forms.RadioSelect(choices=CHOICES, attrs={"class": "x<y"}), "radio", 3),
    (forms.RadioSelect(choices=GROUPED), "radio", "a"),
    (forms.CheckboxSelectMultiple(choices=CHOICES), "boxes", ["2", "3"]),
    (forms.CheckboxSelectMultiple(choices=GROUPED), "boxes", []),
]


@pytest.mark.parametrize(("widget", "name", "value"), WIDGETS)
@pytest.mark.parametrize("attrs", [None, {"id": "id_x"}])
def test_widget_html_is_the_templates(widget, name, value, attrs):
    from_templates, written = both(widget, name, value, attrs)
    assert written == from_templates


@pytest.mark.parametrize("wrap_label", [False, True])
def test_each_radio_and_checkbox_is_the_templates(wrap_label):
    for widget in (
        forms.RadioSelect(choices=CHOICES),
        forms.CheckboxSelectMultiple(choices=CHOICES),
    ):
        for option in widget.subwidgets("f", ["2"], attrs={"id": "id_f"}):
            bound_templates = forms.boundfield.BoundWidget(widget, option, TEMPLATES)
            bound_fast = forms.boundfield.BoundWidget(widget, option, FAST)
            assert bound_fast.tag(wrap_label=wrap_label) == bound_templates.tag(
                wrap_label=wrap_label
            )


def test_a_widget_it_does_not_write_goes_to_the_templates():
    widget = forms.SplitDateTimeWidget()
    value = dt.datetime(2026, 3, 4, 11, 30)
    assert both(widget, "split", value)[1] == both(widget, "split", value)[0]
    assert 'name="split_0"' in widget.render("split", value, renderer=FAST)


def _every_field(form: forms.BaseForm, renderer) -> list[str]:
    form.renderer = renderer
    shown = []
    for field in form:
        shown.append(str(field))
        for option in field.subwidgets:
            option.renderer = renderer
            shown.append(option.tag())
    return shown


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("bound", [False, True])
def test_the_session_form_is_the_templates(match_a, match_b, choices, language, bound):
    program = ProgramSettings.load()
    data = awkward_session_post(match_a.pk)
    with override(language):
        shown, initial = {}, None
        for renderer in (TEMPLATES, FAST):
            form = SessionLogForm(
                data if bound else None, matches=[match_a, match_b], program=program
            )
            if bound:
                form.is_valid()
            else:
                initial = initial or form.initial_for_new()  # one submission token
                form.initial = initial
            shown[renderer] = _every_field(form, renderer)
    assert shown[FAST] == shown[TEMPLATES]
    assert any("<textarea" in html for html in shown[FAST])


def test_the_no_session_form_is_the_templates():
    shown = {
        renderer: _every_field(NoSessionMonthForm(initial={"month": "2026-03"}), renderer)
        for renderer in (TEMPLATES, FAST)
    }
    assert shown[FAST] == shown[TEMPLATES]


def test_the_portal_uses_the_written_widgets():
    form = NoSessionMonthForm(initial={"month": "2026-03"})
    assert isinstance(form.renderer, FastWidgetRenderer)
