"""One entry per session (RULES 4.1), even when two requests race, and the database
constraints that make a bad row impossible whatever code writes it (STYLE example 2).

Time is frozen on Wednesday 18 November 2026 in Chicago, so the personas' matches started
on 18 November 2025.
"""

import threading
import uuid
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction

from portal.mentoring import services
from portal.mentoring.models import ProgramSettings, SessionLog
from tests.conftest import chicago, frozen_at, is_postgres, log_session
from tests.serialized import django_db_setup  # noqa: F401  (see tests/serialized.py)

SESSION_TIME = chicago(2026, 11, 16, 15, 30)
ENTERED = chicago(2026, 11, 16, 17, 0)

NOW = chicago(2026, 11, 18, 10, 0)


@pytest.fixture(autouse=True)
def _now():
    with frozen_at(NOW):
        yield


race = pytest.mark.skipif(
    not is_postgres(), reason="SQLite serializes writers; the race needs PostgreSQL"
)
# serialized_rollback: the starting lists of the data migration are back for later tests.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def session_input(match, choices) -> services.SessionInput:
    return services.SessionInput(
        match=match,
        starts_at=SESSION_TIME,
        quarter_hours=4,
        type_of_mentoring=choices["mentoring"],
        interaction=choices["in_person"],
        attendance="met",
        notes="We played a card game.",
    )


def submit_together(user, data, tokens: list[uuid.UUID | None]) -> list:
    """Run session_log_create in one thread per token, all past the duplicate checks before
    any of them saves, so the database alone has to keep the entry single."""
    start = threading.Barrier(len(tokens), timeout=10)
    checked = threading.Barrier(len(tokens), timeout=10)
    local = threading.local()
    real_existing_entry = services._existing_entry

    def existing_entry_then_wait(*args, **kwargs):
        found = real_existing_entry(*args, **kwargs)
        if not getattr(local, "waited", False):
            local.waited = True
            checked.wait()
        return found

    results: list = [None] * len(tokens)

    def submit(index: int, token):
        try:
            start.wait()
            results[index] = services.session_log_create(
                user=user, data=data, submission_token=token, now=ENTERED
            )
        except Exception as error:  # the test reports it
            results[index] = error
        finally:
            connection.close()

    with mock.patch.object(services, "_existing_entry", existing_entry_then_wait):
        threads = [
            threading.Thread(target=submit, args=(i, token)) for i, token in enumerate(tokens)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    return results


@race
@transactional
def test_the_same_submission_sent_twice_at_once_creates_one_entry(match_a, choices):
    ProgramSettings.load()
    token = uuid.uuid4()
    results = submit_together(match_a.mentor.user, session_input(match_a, choices), [token, token])
    assert all(isinstance(result, SessionLog) for result in results), results
    assert results[0].pk == results[1].pk
    assert SessionLog.objects.count() == 1
    assert SessionLog.objects.get().revisions.count() == 1


@race
@transactional
def test_two_entries_for_the_same_session_at_once_leave_one_and_refuse_the_other(match_a, choices):
    ProgramSettings.load()
    results = submit_together(
        match_a.mentor.user, session_input(match_a, choices), [uuid.uuid4(), uuid.uuid4()]
    )
    saved = [result for result in results if isinstance(result, SessionLog)]
    refused = [result for result in results if isinstance(result, services.DuplicateSession)]
    assert (len(saved), len(refused)) == (1, 1), results
    assert refused[0].existing.pk == saved[0].pk
    assert SessionLog.objects.count() == 1


# --- The constraints themselves -----------------------------------------------------------


@pytest.fixture
def row(match_a, choices):
    """The fields of a valid session row, to write straight to the database."""
    return {
        "match": match_a,
        "starts_at": SESSION_TIME,
        "quarter_hours": 4,
        "type_of_mentoring": choices["mentoring"],
        "interaction": choices["in_person"],
        "attendance": "met",
        "notes": "We met.",
        "entered_by": match_a.mentor.user,
    }


def insert(**fields) -> SessionLog:
    with transaction.atomic():
        return SessionLog.objects.create(**fields)


def test_the_database_refuses_zero_hours_when_the_pair_met(row):
    with pytest.raises(IntegrityError):
        insert(**{**row, "quarter_hours": 0})


def test_the_database_refuses_hours_for_a_session_that_did_not_happen(row):
    with pytest.raises(IntegrityError):
        insert(**{**row, "attendance": "mentee_absent", "quarter_hours": 4})


def test_the_database_refuses_more_than_a_day_of_hours(row):
    with pytest.raises(IntegrityError):
        insert(**{**row, "quarter_hours": 97})


def test_the_database_refuses_empty_or_overlong_notes(row):
    with pytest.raises(IntegrityError):
        insert(**{**row, "notes": ""})
    with pytest.raises(IntegrityError):
        insert(**{**row, "notes": "x" * 5001})


def test_the_database_refuses_a_concern_without_a_description(row):
    with pytest.raises(IntegrityError):
        insert(**{**row, "safety_concern": True, "safety_concern_details": ""})


def test_the_database_refuses_a_second_live_row_for_the_same_match_and_time(row):
    insert(**row)
    with pytest.raises(IntegrityError):
        insert(**{**row, "notes": "The same session again."})
    assert SessionLog.objects.count() == 1


def test_a_deleted_row_does_not_block_a_new_one(row):
    insert(**{**row, "deleted_at": ENTERED, "deleted_by": row["entered_by"]})
    insert(**row)
    assert SessionLog.objects.count() == 2
    assert SessionLog.objects.live().count() == 1


def test_the_same_time_on_another_match_is_allowed(row, match_b):
    insert(**row)
    insert(**{**row, "match": match_b, "entered_by": match_b.mentor.user})
    assert SessionLog.objects.count() == 2


def test_the_database_refuses_a_submission_token_used_twice(row, match_a):
    token = uuid.uuid4()
    insert(**row, submission_token=token)
    with pytest.raises(IntegrityError):
        insert(**{**row, "starts_at": chicago(2026, 11, 17, 15, 30)}, submission_token=token)


def test_the_service_returns_the_first_entry_for_a_repeated_submission(match_a, choices):
    token = uuid.uuid4()
    data = session_input(match_a, choices)
    user = match_a.mentor.user
    first = services.session_log_create(user=user, data=data, submission_token=token, now=ENTERED)
    again = services.session_log_create(user=user, data=data, submission_token=token, now=ENTERED)
    assert again.pk == first.pk
    assert SessionLog.objects.count() == 1


def test_the_service_refuses_a_second_entry_for_the_same_session(match_a, choices):
    first = log_session(match_a, SESSION_TIME)
    with pytest.raises(services.DuplicateSession) as refused:
        services.session_log_create(
            user=match_a.mentor.user, data=session_input(match_a, choices), now=ENTERED
        )
    assert refused.value.existing == first
