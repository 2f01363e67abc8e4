"""Every free-text value has a limit in the service (a message by field) and in the
database (a constraint), not only in its form: a megabyte of text is refused everywhere."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.mentoring import services as session_services
from portal.mentoring.models import Match, SessionLog, SessionLogRevision
from portal.safeguarding import services as safeguarding
from portal.safeguarding.models import ConcernNote, NeedNote, ResourceNeed, SafetyConcern
from portal.staff import services as staff_services
from portal.support import services as support
from portal.support.models import SupportRequest
from tests.conftest import log_session, session_input, two_hours_ago
from tests.page import read_page
from tests.security_world import build_world
from tests.serialized import django_db_setup  # noqa: F401  (see tests/serialized.py)

MEGABYTE = "x" * 1_000_000


def _message(error: ValidationError, field: str) -> str:
    return error.message_dict[field][0]


# --- Services -----------------------------------------------------------------------------


def test_a_staff_note_on_a_concern_of_a_megabyte_is_refused(db, request):
    world = build_world(request)

    with pytest.raises(ValidationError) as refused:
        safeguarding.concern_add_note(
            concern=world.concern, user=world.users["staff_user"], text=MEGABYTE
        )

    assert _message(refused.value, "text") == (
        "This can be at most 2,000 characters; it has 1,000,000. Shorten it and try again."
    )
    assert not ConcernNote.objects.exists()


def test_an_acknowledgement_note_over_its_limit_is_refused(db, request):
    world = build_world(request)

    with pytest.raises(ValidationError) as refused:
        safeguarding.concern_acknowledge(
            concern=world.concern, user=world.users["site_contact_a"], note="x" * 2001
        )

    assert "at most 2,000 characters" in _message(refused.value, "note")
    world.concern.refresh_from_db()
    assert world.concern.status == "new"


def test_an_outcome_over_its_limit_is_refused(db, request):
    world = build_world(request)

    with pytest.raises(ValidationError) as refused:
        safeguarding.concern_close(
            concern=world.concern, user=world.users["staff_user"], outcome="x" * 2001
        )

    assert "at most 2,000 characters" in _message(refused.value, "outcome")


def test_a_concern_raised_by_staff_has_the_long_limit(db, request):
    world = build_world(request)

    with pytest.raises(ValidationError) as refused:
        safeguarding.concern_raise(
            match=world.session.match, description="x" * 5001, raised_by=world.users["staff_user"]
        )

    assert "at most 5,000 characters" in _message(refused.value, "description")


def test_a_need_note_over_its_limit_is_refused(db, request):
    world = build_world(request)

    with pytest.raises(ValidationError) as refused:
        safeguarding.need_update(
            need=world.need, user=world.users["staff_user"], status="referred", note=MEGABYTE
        )

    assert "at most 2,000 characters" in _message(refused.value, "note")
    assert not NeedNote.objects.exists()


def test_a_contact_message_and_a_reply_over_their_limit_are_refused(db, staff_user):
    with pytest.raises(ValidationError) as refused:
        support.support_request_create(
            name="Ana", email="ana@example.org", topic="other", message=MEGABYTE
        )
    assert "at most 5,000 characters" in _message(refused.value, "message")

    item = support.support_request_create(
        name="Ana", email="ana@example.org", topic="other", message="Help"
    )
    with pytest.raises(ValidationError) as refused:
        support.support_request_reply(request=item, user=staff_user, reply=MEGABYTE)
    assert "at most 5,000 characters" in _message(refused.value, "reply")


def test_a_closure_reason_over_its_limit_is_refused(db, request):
    world = build_world(request)
    match = world.session.match

    with pytest.raises(ValidationError) as refused:
        staff_services.match_close(
            match=match, user=world.users["staff_user"], end_date=dt.date.today(), notes=MEGABYTE
        )

    assert "at most 250 characters" in _message(refused.value, "notes")
    match.refresh_from_db()
    assert match.status == "active"


def test_a_correction_reason_over_its_limit_is_refused(db, request):
    world = build_world(request)
    session = world.session
    data = session_input(session.match, session.starts_at, notes="Corrected notes.")

    with pytest.raises(ValidationError) as refused:
        session_services.session_log_update(
            session=session, user=world.users["staff_user"], data=data, reason=MEGABYTE
        )

    assert "at most 500 characters" in _message(refused.value, "reason")


@pytest.mark.parametrize("field", ["safety_concern_details", "resource_needs_details"])
def test_session_details_over_their_limit_are_refused_by_the_service(db, request, field):
    world = build_world(request)
    session = world.session
    data = session_input(
        session.match,
        session.starts_at - dt.timedelta(days=1),
        notes="We read.",
        safety_concern=True,
        safety_concern_details="She was worried.",
        resource_needs=["food"],
    )
    setattr(data, field, MEGABYTE)

    with pytest.raises(ValidationError) as refused:
        session_services.session_log_create(user=world.users["mentor_a"], data=data)

    assert "at most 5,000 characters" in _message(refused.value, field)


def test_concern_details_added_after_saving_are_cleaned_and_limited(db, match_a):
    session = log_session(match_a, two_hours_ago(), notes="We read.")
    mentor = match_a.mentor.user

    with pytest.raises(ValidationError) as refused:
        session_services.session_log_add_flags(
            session=session, user=mentor, concern_details=MEGABYTE
        )
    assert "at most 5,000 characters" in _message(refused.value, "safety_concern_details")

    session_services.session_log_add_flags(
        session=session, user=mentor, concern_details="Nobody\x0b was home.\x00"
    )
    session.refresh_from_db()
    assert session.safety_concern_details == "Nobody\n was home."


# --- Pages --------------------------------------------------------------------------------


def test_a_staff_note_of_a_megabyte_on_the_concern_page_gets_a_message(db, request):
    world = build_world(request)
    client = world.client("staff_user")

    response = client.post(
        reverse("safeguarding:concern_add_note", args=[world.concern.pk]), {"text": MEGABYTE}
    )

    assert response.status_code == 200
    assert "This can be at most 2,000 characters; it has 1,000,000." in read_page(response).text
    assert not ConcernNote.objects.exists()


# --- The database -------------------------------------------------------------------------


LIMITS = [
    (SafetyConcern, "description", 5000),
    (SafetyConcern, "acknowledgement_note", 2000),
    (SafetyConcern, "outcome", 2000),
    (ConcernNote, "text", 2000),
    (ResourceNeed, "details", 5000),
    (NeedNote, "text", 2000),
    (SupportRequest, "message", 5000),
    (SupportRequest, "reply", 5000),
    (SessionLog, "notes", 5000),
    (SessionLog, "safety_concern_details", 5000),
    (SessionLog, "resource_needs_details", 5000),
    (SessionLog, "activity", 200),
    (Match, "closure_reason", 250),
    (SessionLogRevision, "reason", 500),
]


@pytest.mark.parametrize(
    ("model", "field", "limit"), LIMITS, ids=[f"{m.__name__}.{f}" for m, f, _ in LIMITS]
)
def test_the_database_refuses_text_over_the_limit_written_around_the_services(
    db, request, model, field, limit
):
    world = build_world(request)
    staff = world.users["staff_user"]
    safeguarding.concern_add_note(concern=world.concern, user=staff, text="Called.")
    safeguarding.need_update(need=world.need, user=staff, status="referred", note="Referred.")
    support.support_request_create(name="Ana", email="a@example.org", topic="other", message="Hi")
    session_services.session_log_delete(session=world.session, user=world.users["mentor_a"])
    rows = model._base_manager.all()
    assert rows.exists()

    rows.update(**{field: "x" * limit})  # at the limit: stored
    # PostgreSQL's varchar refuses a CharField's overflow itself (DataError).
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        rows.update(**{field: "x" * (limit + 1)})


# serialized_rollback: the starting lists of the data migrations are back for later tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_stored_text_over_a_new_limit_is_shortened_with_the_full_text_kept():
    executor = MigrationExecutor(connection)
    before = [("support", "0001_initial")]
    latest = executor.loader.graph.leaf_nodes("support")
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_request = old_apps.get_model("support", "SupportRequest")
    long_message = "Please help. " * 1000  # 13,000 characters, stored before the limit
    pk = old_request.objects.create(
        name="Ana", email="ana@example.org", topic="other", message=long_message
    ).pk

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    assert SupportRequest.objects.get(pk=pk).message == long_message[:5000]
    event = AuditEvent.objects.get(action="supportrequest.text_shortened", object_id=pk)
    assert event.old_values == {"message": long_message}
    assert event.object_type == "support.supportrequest"
