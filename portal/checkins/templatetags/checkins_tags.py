"""``{% match_checkins match %}``: a match's check-ins on its staff page, in one line of the
template (the staff match pages belong to the staff workspace; this keeps them apart)."""

from django import template

from portal.checkins import selectors
from portal.checkins.views import program_today

register = template.Library()


@register.inclusion_tag("checkins/_match_checkins.html")
def match_checkins(match):
    today = program_today()
    return {
        "match": match,
        "checkins": {
            "next": selectors.next_checkins_due(match, today),
            "history": list(selectors.history(match)),
        },
    }
