"""The field blocks written in Python (portal/lib/fieldhtml.py) give exactly the HTML of
the templates they replace on the session form: templates/includes/field.html,
templates/includes/radio_field.html and the needs boxes' loop, for every field, in English
and Spanish, empty and with errors, and with awkward labels and help."""

import pytest
from django import forms
from django.template import engines
from django.utils.translation import override

from portal.lib import fieldhtml
from portal.mentoring.forms import SessionLogForm
from portal.mentoring.models import ProgramSettings
from tests.form_samples import AWKWARD, awkward_session_post

DJANGO = engines["django"]

FIELD = DJANGO.from_string('{% include "includes/field.html" with field=field %}')
RADIO = DJANGO.from_string(
    '{% include "includes/radio_field.html" with field=field tiles=tiles pairs=pairs '
    "thirds=thirds %}"
)
# The needs boxes' loop as templates/mentoring/session_form.html wrote it.
BOXES = DJANGO.from_string(
    """<div class="checkbox-grid">
        {% for checkbox in field %}
          <div class="checkbox">
            {{ checkbox.tag }}
            <label for="{{ checkbox.id_for_label }}">{{ checkbox.choice_label }}</label>
          </div>
        {% endfor %}
      </div>"""
)

RADIO_SHAPES = [
    {"tiles": False, "pairs": False, "thirds": False},
    {"tiles": True, "pairs": True, "thirds": False},
    {"tiles": True, "pairs": False, "thirds": True},
    {"tiles": True, "pairs": False, "thirds": False},
]


def assert_same_blocks(form: forms.BaseForm) -> None:
    for field in form:
        widget = field.field.widget
        if isinstance(widget, forms.RadioSelect):
            for shape in RADIO_SHAPES:
                expected = RADIO.render({"field": field, **shape})
                assert fieldhtml.radio_block(field, **shape) == expected, field.name
        elif isinstance(widget, forms.CheckboxSelectMultiple):
            written = f'<div class="checkbox-grid">{fieldhtml.checkbox_options(field)}</div>'
            assert written == BOXES.render({"field": field}), field.name
        assert fieldhtml.field_block(field) == FIELD.render({"field": field}), field.name


class Awkward(forms.Form):
    text = forms.CharField(label=AWKWARD, help_text=AWKWARD, max_length=5)
    pick = forms.ChoiceField(
        label=AWKWARD,
        help_text=AWKWARD,
        choices=[("1", AWKWARD), ("2", "Two")],
        widget=forms.RadioSelect,
    )
    boxes = forms.MultipleChoiceField(
        label=AWKWARD, choices=[("a", AWKWARD), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )


@pytest.mark.parametrize("bound", [False, True])
def test_awkward_labels_help_and_errors_are_the_templates(bound):
    form = Awkward({"text": "far too long", "pick": "9", "boxes": ["z"]} if bound else None)
    if bound:
        assert not form.is_valid()
    assert_same_blocks(form)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("bound", [False, True])
def test_the_session_form_blocks_are_the_templates(match_a, match_b, choices, language, bound):
    program = ProgramSettings.load()
    data = awkward_session_post(match_a.pk)
    with override(language):
        form = SessionLogForm(data if bound else None, matches=[match_a, match_b], program=program)
        if bound:
            assert not form.is_valid()
        else:
            form.initial = form.initial_for_new()
        assert_same_blocks(form)
