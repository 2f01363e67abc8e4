"""Form fields' blocks without a template include each (portal/lib/fieldhtml.py)."""

from django import template

from portal.lib import fieldhtml

register = template.Library()


@register.simple_tag
def field_block(field):
    """``{% include "includes/field.html" with field=... %}``, same HTML."""
    return fieldhtml.field_block(field)


@register.simple_tag
def radio_block(field, tiles=False, pairs=False, thirds=False):
    """``{% include "includes/radio_field.html" with field=... tiles=... %}``, same HTML."""
    return fieldhtml.radio_block(field, tiles=tiles, pairs=pairs, thirds=thirds)


@register.simple_tag
def checkbox_options(field):
    """Each box of a multiple choice with its label (the session form's needs)."""
    return fieldhtml.checkbox_options(field)
