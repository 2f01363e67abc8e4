"""What a mentor (or staff member) enters for one session, and the service's check of it.

Both follow ``SessionLog.ENTERED_FIELDS``: a field entered on the form is an attribute of
``SessionInput`` and, when it is text, has the model's length limit here.
"""

import datetime as dt
from dataclasses import field, make_dataclass

from django.core.exceptions import ValidationError
from django.db import models

from portal.lib.text import length_problem
from portal.mentoring import rules
from portal.mentoring.models import (
    Attendance,
    ChoiceList,
    ProgramSettings,
    ResourceNeedKind,
    SessionLog,
)


def _entered(name: str):
    return SessionLog._meta.get_field(name)


# Free text of an entry and its limits, read from the model (the database has the same, as
# constraints). The notes' limit is a rule of its own (rules.notes_problem).
TEXT_LIMITS = {
    name: _entered(name).max_length
    for name in SessionLog.ENTERED_FIELDS
    if isinstance(_entered(name), models.CharField | models.TextField)
    and _entered(name).max_length
    and not _entered(name).choices
}


def _input_field(name: str) -> tuple:
    """One attribute of SessionInput: the model field's value type; required when the
    model requires a value, else the model's default."""
    model_field = _entered(name)
    kind = model_field.related_model or _VALUE_TYPES.get(model_field.get_internal_type(), str)
    if model_field.blank or model_field.has_default():
        return name, kind, field(default_factory=model_field.get_default)
    return name, kind


_VALUE_TYPES = {
    "DateTimeField": dt.datetime,
    "PositiveSmallIntegerField": int,
    "BooleanField": bool,
    "JSONField": list,
}

SessionInput = make_dataclass(
    "SessionInput", [_input_field(name) for name in SessionLog.ENTERED_FIELDS], kw_only=True
)
SessionInput.__module__ = __name__
SessionInput.__doc__ = """What a mentor (or staff member) entered for one session, already
parsed: one keyword for each of ``SessionLog.ENTERED_FIELDS``."""


def validate_session_input(
    data: SessionInput,
    *,
    program: ProgramSettings,
    now: dt.datetime,
    keep_choices: frozenset[int] = frozenset(),
) -> None:
    """Check every rule of RULES 4.2 to 4.6, 4.8 and 4.10; raise ValidationError by field.
    Those the form checks too come from ``rules.session_problems``, in the same words."""
    match = data.match
    problems = rules.session_problems(
        now=now,
        tz=program.tz,
        starts_at=data.starts_at,
        match_start=match.start_date,
        match_end=match.end_date,
        met=data.attendance == Attendance.MET,
        quarter_hours=data.quarter_hours,
        max_quarters=program.max_quarter_hours,
        notes=data.notes,
        activity_mode=program.activity_mode,
        activity=data.activity,
        safety_concern=data.safety_concern,
        safety_concern_details=data.safety_concern_details,
    )
    errors: dict[str, str] = {problem.field: problem.message for problem in problems}
    for name, list_name, label in (
        ("type_of_mentoring", ChoiceList.TYPE_OF_MENTORING, "a type of mentoring"),
        ("interaction", ChoiceList.INTERACTION, "an interaction"),
    ):
        choice = getattr(data, name)
        if choice is None or choice.list != list_name:
            errors[name] = f"Choose {label} from the list."
        elif choice.is_retired and choice.pk not in keep_choices:
            errors[name] = f"That choice is no longer used: choose {label} from the list."
    if data.attendance not in Attendance.values:
        errors["attendance"] = "Choose what happened from the list."
    for name, limit in TEXT_LIMITS.items():
        problem = length_problem(getattr(data, name), max_length=limit)
        if problem and name not in errors:
            errors[name] = problem
    unknown = set(data.resource_needs) - set(ResourceNeedKind.values)
    if unknown:
        errors["resource_needs"] = "Choose resource needs from the list."
    if errors:
        raise ValidationError(errors)
