"""The rules a session's values follow (RULES 4.2, 4.3, 4.5, 4.6, 4.8) live in one place,
``rules.session_problems``: the session form and the service refuse the same input with
the same words.

Time is frozen on Wednesday 18 November 2026, 10:00 in Chicago.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from portal.mentoring import rules, services
from portal.mentoring.forms import DATETIME_LOCAL_FORMAT, SessionLogForm
from portal.mentoring.models import ActivityMode, Attendance, ProgramSettings
from tests.conftest import CHICAGO, chicago, frozen_at

NOW = chicago(2026, 11, 18, 10, 0)
MATCH_START = dt.date(2026, 9, 1)
SHARED = ("starts_at", "hours", "notes", "activity", "safety_concern_details")
GOOD = {
    "starts_at": chicago(2026, 11, 16, 15, 30),
    "met": True,
    "quarter_hours": 4,
    "notes": "We played cards.",
    "activity_mode": ActivityMode.OPTIONAL,
    "activity": "",
    "safety_concern": False,
    "safety_concern_details": "",
    "match_end": None,
}


# --- The rules, as a pure function --------------------------------------------------------


def problems(**changes) -> dict[str, str]:
    values = {**GOOD, **changes}
    found = rules.session_problems(
        now=NOW,
        tz=CHICAGO,
        match_start=MATCH_START,
        max_quarters=32,
        **values,
    )
    return {problem.field: problem.message for problem in found}


def test_a_good_session_has_no_problem():
    assert problems() == {}


def test_each_problem_names_its_field_and_what_to_do():
    assert problems(
        starts_at=NOW + dt.timedelta(minutes=16),
        quarter_hours=0,
        notes=" ",
        activity_mode=ActivityMode.REQUIRED,
        safety_concern=True,
    ) == {
        "starts_at": "The date and time cannot be in the future. Enter when you met.",
        "hours": 'You chose "We met", so choose how long you met, from 0.25 to 8.00 hours. '
        "If the session did not happen, change Attendance.",
        "notes": "Write a few words about the session in Notes.",
        "activity": "Enter the activity.",
        "safety_concern_details": "Describe the child safety concern, so the program can act "
        "on it.",
    }


def test_a_session_that_did_not_happen_has_no_hours():
    assert problems(met=False, quarter_hours=0) == {}
    assert problems(met=False, quarter_hours=4) == {
        "hours": "A session that did not happen has 0 hours."
    }


def test_a_value_the_form_could_not_read_is_not_judged_again():
    assert (
        problems(
            starts_at=None,
            quarter_hours=None,
            notes=None,
            activity=None,
            safety_concern=True,
            safety_concern_details=None,
        )  # fmt: skip
        == {}
    )


def test_activity_follows_the_program_setting():
    for mode in (ActivityMode.HIDDEN, ActivityMode.READ_ONLY):
        assert problems(activity_mode=mode, activity="") == {}
        assert problems(activity_mode=mode, activity=" ") == {
            "activity": "Leave Activity blank: the program does not use it."
        }
    assert problems(activity_mode=ActivityMode.OPTIONAL, activity="") == {}
    assert problems(activity_mode=ActivityMode.REQUIRED, activity="Chess") == {}


def test_the_activity_modes_are_the_settings_values():
    assert {rules.ACTIVITY_HIDDEN, rules.ACTIVITY_READ_ONLY} | {
        rules.ACTIVITY_OPTIONAL,
        rules.ACTIVITY_REQUIRED,
    } == set(ActivityMode.values)


# --- The form and the service: the same words for the same input --------------------------


def _hours_text(quarters: int) -> str:
    text = rules.format_hours(abs(quarters))
    return f"-{text}" if quarters < 0 else text


def form_errors(match, choices, program, values) -> dict[str, list[str]]:
    data = {
        "match": match.pk,
        "starts_at": values["starts_at"].astimezone(CHICAGO).strftime(DATETIME_LOCAL_FORMAT),
        "attendance": Attendance.MET if values["met"] else Attendance.MENTEE_ABSENT,
        "hours": _hours_text(values["quarter_hours"]),
        "type_of_mentoring": choices["mentoring"].pk,
        "interaction": choices["in_person"].pk,
        "activity": values["activity"],
        "notes": values["notes"],
        "safety_concern_details": values["safety_concern_details"],
    }
    if values["safety_concern"]:
        data["safety_concern"] = "on"
    # As on the page: the program's time zone reads what was typed.
    with frozen_at(NOW), timezone.override(program.tz):
        form = SessionLogForm(data, matches=[match], program=program)
        form.is_valid()
    return {name: form.errors[name] for name in SHARED if name in form.errors}


def service_errors(match, choices, program, values) -> dict[str, list[str]]:
    data = services.SessionInput(
        match=match,
        starts_at=values["starts_at"],
        # The form sends an absence on with 0 hours, whatever was chosen (RULES 4.10).
        quarter_hours=values["quarter_hours"] if values["met"] else 0,
        type_of_mentoring=choices["mentoring"],
        interaction=choices["in_person"],
        attendance=Attendance.MET if values["met"] else Attendance.MENTEE_ABSENT,
        notes=values["notes"],
        activity=values["activity"],
        safety_concern=values["safety_concern"],
        safety_concern_details=values["safety_concern_details"],
    )
    try:
        services.validate_session_input(data, program=program, now=NOW)
    except ValidationError as refused:
        errors = refused.message_dict
        return {name: errors[name] for name in SHARED if name in errors}
    return {}


def both_errors(match, choices, values):
    program = ProgramSettings.load()
    program.activity_mode = values["activity_mode"]
    match.start_date, match.end_date = MATCH_START, values["match_end"]
    return (
        form_errors(match, choices, program, values),
        service_errors(match, choices, program, values),
    )


SHARED_RULES = {
    "future": (
        {"starts_at": NOW + dt.timedelta(minutes=16)},
        ("starts_at", "The date and time cannot be in the future. Enter when you met."),
    ),
    "before_the_match": (
        {"starts_at": chicago(2026, 8, 31, 15, 0)},
        (
            "starts_at",
            "This match started on Tuesday 1 September 2026. Enter a date on or after that day.",
        ),
    ),
    "after_the_match": (
        {"starts_at": chicago(2026, 11, 16, 15, 0), "match_end": dt.date(2026, 11, 13)},
        (
            "starts_at",
            "This match ended on Friday 13 November 2026. Enter a date on or before that day.",
        ),
    ),
    "no_hours_when_met": (
        {"quarter_hours": 0},
        ("hours", 'You chose "We met", so choose how long you met, from 0.25 to 8.00 hours.'),
    ),
    "negative_hours": ({"quarter_hours": -1}, ("hours", "Hours cannot be less than zero.")),
    "too_many_hours": ({"quarter_hours": 33}, ("hours", "A session can be at most 8.00 hours.")),
    "blank_notes": (
        {"notes": "  \n "},
        ("notes", "Write a few words about the session in Notes."),
    ),
    "long_notes": (
        {"notes": "x" * 5001},
        ("notes", "Notes can be at most 5,000 characters. Yours has 5,001: please shorten them."),
    ),
    "activity_when_read_only": (
        {"activity_mode": ActivityMode.READ_ONLY, "activity": "Chess"},
        ("activity", "Leave Activity blank: the program does not use it."),
    ),
    "activity_when_hidden": (
        {"activity_mode": ActivityMode.HIDDEN, "activity": "Chess"},
        ("activity", "Leave Activity blank: the program does not use it."),
    ),
    "no_activity_when_required": (
        {"activity_mode": ActivityMode.REQUIRED, "activity": " "},
        ("activity", "Enter the activity."),
    ),
    "concern_without_description": (
        {"safety_concern": True, "safety_concern_details": "  "},
        (
            "safety_concern_details",
            "Describe the child safety concern, so the program can act on it.",
        ),
    ),
}


@pytest.mark.parametrize(("changes", "expected"), SHARED_RULES.values(), ids=SHARED_RULES.keys())
def test_the_form_and_the_service_refuse_with_the_same_words(match_a, choices, changes, expected):
    field, message = expected
    from_form, from_service = both_errors(match_a, choices, {**GOOD, **changes})

    assert from_form == from_service
    assert list(from_form) == [field]
    assert from_form[field][0].startswith(message)


def test_good_values_pass_both(match_a, choices):
    assert both_errors(match_a, choices, GOOD) == ({}, {})


def _local(day: int, minute: int) -> dt.datetime:
    moment = dt.datetime.combine(MATCH_START + dt.timedelta(days=day), dt.time()) + dt.timedelta(
        minutes=minute
    )
    return moment.replace(tzinfo=CHICAGO)


def _is_clock_change(moment: dt.datetime) -> bool:
    return moment.utcoffset() != moment.replace(fold=1).utcoffset()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    starts_at=st.builds(
        _local, st.integers(-3, (NOW.date() - MATCH_START).days + 1), st.integers(0, 24 * 60 - 1)
    ),
    match_end=st.none() | st.dates(dt.date(2026, 9, 1), dt.date(2026, 12, 31)),
    met=st.booleans(),
    quarter_hours=st.integers(-4, 40),
    notes=st.sampled_from(["", "  \n ", "We read.", "x" * 5000, "x" * 5001])
    | st.text(alphabet="ab .", max_size=20),
    activity_mode=st.sampled_from(ActivityMode.values),
    activity=st.sampled_from(["", " ", "Chess"]),
    safety_concern=st.booleans(),
    safety_concern_details=st.sampled_from(["", "  ", "A bruise on the arm."]),
)
def test_for_any_values_the_form_and_the_service_give_the_same_messages(match_a, choices, **values):
    assume(not _is_clock_change(values["starts_at"]))
    from_form, from_service = both_errors(match_a, choices, values)
    assert from_form == from_service
