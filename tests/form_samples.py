"""Awkward input for the tests that compare the portal's own field HTML with Django's
templates (tests/test_widget_renderer.py, tests/test_field_html.py)."""

# Markup, quotes and an ampersand: every place a value is written must escape them.
AWKWARD = '<b>"Tom & Jerry\'s"</b>'


def awkward_session_post(match_pk: int) -> dict:
    """A session form post with something wrong or awkward in most fields."""
    return {
        "match": str(match_pk),
        "starts_at": "not a date",
        "hours": "1.25",
        "interaction": "999",
        "notes": AWKWARD,
        "resource_needs": ["food", "nonsense"],
        "safety_concern": "on",
    }
