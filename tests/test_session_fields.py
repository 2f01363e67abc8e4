"""Every field of a session is either entered (on the form, taken in by the services, kept in
the history) or set by the portal, as ``SessionLog`` declares. A field added to the model
fails here until it is in one of the two lists, and an entered one until it flows through."""

import dataclasses
import datetime as dt

import pytest
from django.db.models import BooleanField, CharField, TextField
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from portal.mentoring import services
from portal.mentoring.forms import SessionLogForm
from portal.mentoring.models import ActivityMode, Choice, SessionLog
from portal.mentoring.session_input import TEXT_LIMITS
from tests.conftest import edit_input, log_session, make_match, two_hours_ago

ENTERED = SessionLog.ENTERED_FIELDS
# The history's name for an entered value, where it is not the field's.
HISTORY_KEY = {"quarter_hours": "hours"}


def test_every_field_is_either_entered_or_set_by_the_portal():
    names = [field.name for field in SessionLog._meta.concrete_fields]
    assert not set(ENTERED) & set(SessionLog.SET_BY_PORTAL), "in both lists"
    assert set(names) - set(ENTERED) - set(SessionLog.SET_BY_PORTAL) == set(), (
        "add each new field of SessionLog to ENTERED_FIELDS (what a mentor enters) or to "
        "SET_BY_PORTAL (what the portal sets)"
    )
    assert set(ENTERED) | set(SessionLog.SET_BY_PORTAL) == set(names), "not fields"
    # The form's order, which is the model's.
    assert list(ENTERED) == [name for name in names if name in ENTERED]


def test_the_service_input_and_the_form_have_every_entered_field():
    assert [field.name for field in dataclasses.fields(services.SessionInput)] == list(ENTERED)
    form_names = {HISTORY_KEY.get(name, name) for name in ENTERED}
    assert form_names <= set(SessionLogForm.base_fields)


def test_every_entered_text_field_has_its_limit_in_the_database():
    limits = {
        constraint.condition.lhs.source_expressions[0].name: constraint.condition.rhs
        for constraint in SessionLog._meta.constraints
        if isinstance(getattr(constraint, "condition", None), LessThanOrEqual)
        and isinstance(constraint.condition.lhs, Length)
    }
    for name, limit in TEXT_LIMITS.items():
        assert limits.get(name) == limit, f"add at_most({name!r}, {limit}, ...) to the model"


@pytest.fixture(autouse=True)
def activity_entered(program):
    program.activity_mode = ActivityMode.OPTIONAL
    program.save()


@pytest.fixture
def entry(match_a):
    """An entry with a concern, so that its details can change too."""
    return log_session(
        match_a,
        two_hours_ago() - dt.timedelta(days=1),
        safety_concern=True,
        safety_concern_details="She was worried.",
    )


def changed_value(session: SessionLog, name: str) -> dict:
    """Input that changes ``name`` of ``session`` (and what must change with it)."""
    if name == "match":
        other = make_match(
            "mentor-c@example.org", session.match.site, "Lee", session.match.start_date
        )
        other.mentor = session.match.mentor
        other.save()
        return {"match": other}
    if name == "starts_at":
        return {"starts_at": session.starts_at - dt.timedelta(hours=1)}
    if name == "quarter_hours":
        return {"quarter_hours": session.quarter_hours + 1}
    if name == "attendance":
        return {"attendance": "mentee_absent", "quarter_hours": 0}
    if name == "resource_needs":
        return {"resource_needs": ["food"]}
    field = SessionLog._meta.get_field(name)
    if field.related_model is Choice:
        current = getattr(session, name)
        return {name: Choice.objects.create(list=current.list, label="Another", position=9)}
    if isinstance(field, BooleanField):
        return {name: not getattr(session, name)}
    if isinstance(field, CharField | TextField):
        return {name: "A changed value."}
    raise AssertionError(f"Teach this test a value that changes {name}")


@pytest.mark.parametrize("name", ENTERED)
def test_a_change_to_any_entered_field_is_saved_and_kept_in_the_history(entry, name):
    before = SessionLog.objects.get(pk=entry.pk)
    changes = changed_value(entry, name)
    if name == "safety_concern":
        changes["safety_concern_details"] = ""  # untick: no details kept
    services.session_log_update(
        session=entry, user=entry.match.mentor.user, data=edit_input(entry, **changes)
    )

    after = SessionLog.objects.get(pk=entry.pk)
    assert after.serializable_value(name) != before.serializable_value(name)
    changed = {key for key, _, _ in after.revisions.order_by("pk").last().changes()}
    assert HISTORY_KEY.get(name, name) in changed


@pytest.mark.parametrize("name", [name for name in ENTERED if name in TEXT_LIMITS])
def test_every_entered_text_is_stored_as_logged_and_kept_in_the_history(match_a, name):
    fields = {name: "As typed.", "safety_concern": True, "safety_concern_details": "As typed."}
    session = log_session(match_a, two_hours_ago(), **fields)

    session.refresh_from_db()
    assert getattr(session, name) == "As typed."
    assert session.revisions.get().new_values[name] == "As typed."
