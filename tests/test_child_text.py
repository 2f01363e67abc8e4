"""What is written about a child is declared once, on its model, and everything that must
keep it in (the de-identified export) or forget it (the retention purge, the erasure, the
logs) reads that declaration. A text field added to a model of the apps that hold
children's records fails here until it is classified."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from portal.lifecycle import services
from portal.mentoring.models import (
    Match,
    Mentee,
    NoSessionMonth,
    NoSessionReason,
    SessionLog,
    SessionLogRevision,
)
from portal.safeguarding import services as safeguarding
from portal.safeguarding.models import ConcernNote, NeedNote, ResourceNeed, SafetyConcern
from portal.security.logging import redact
from tests.conftest import log_session

# The apps whose models hold children's records.
CHILDREN_APPS = ("mentoring", "safeguarding")
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def children_models():
    return [model for label in CHILDREN_APPS for model in apps.get_app_config(label).get_models()]


def text_fields(model) -> set[str]:
    return {
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, TEXT_FIELDS) and not field.is_relation
    }


@pytest.mark.parametrize("model", children_models(), ids=lambda model: model.__name__)
def test_every_text_field_is_either_about_a_child_or_not(model):
    child = getattr(model, "CHILD_TEXT_FIELDS", None)
    other = getattr(model, "OTHER_TEXT_FIELDS", None)
    assert child is not None and other is not None, (
        f"{model.__name__} declares CHILD_TEXT_FIELDS (text about a child: the export "
        "leaves it out, the purge and the erasure blank it) and OTHER_TEXT_FIELDS"
    )
    assert not set(child) & set(other), f"{model.__name__}: in both lists"
    assert len(set(child)) == len(child) and len(set(other)) == len(other)
    declared = set(child) | set(other)
    assert text_fields(model) - declared == set(), (
        f"{model.__name__}: add each new text field to CHILD_TEXT_FIELDS or OTHER_TEXT_FIELDS"
    )
    assert declared - text_fields(model) == set(), f"{model.__name__}: not text fields"


def test_the_models_of_childrens_records_declare_text_about_the_child():
    declaring = {model for model in children_models() if model.CHILD_TEXT_FIELDS}
    assert declaring >= {
        SessionLog,
        SessionLogRevision,
        SafetyConcern,
        ConcernNote,
        ResourceNeed,
        NeedNote,
        NoSessionMonth,
        Mentee,
        Match,
    }


@pytest.mark.parametrize(
    "name",
    sorted({name for model in children_models() for name in model.CHILD_TEXT_FIELDS}),
)
def test_the_logs_redact_every_child_text_field(name):
    written = redact(f"refused {name}=Jane_cried and {name}: Jane_again")
    assert "Jane" not in written, written


# --- The purge and the erasure clear every declared field ---------------------------------


def written_in_every_field(match, when):
    """A session (with its concern, need and notes) with text in every child text field."""
    session = log_session(
        match,
        when,
        notes="Jane wrote notes.",
        safety_concern=True,
        safety_concern_details="Jane is scared.",
        resource_needs=["food"],
        resource_needs_details="Jane has no lunch.",
    )
    SessionLog.objects.filter(pk=session.pk).update(activity="Jane read.")
    session.refresh_from_db()
    SessionLogRevision.objects.create(
        session=session,
        action="updated",
        changed_by=match.mentor.user,
        old_values=session.snapshot(),
        new_values=session.snapshot(),
    )
    return session


def child_text(obj) -> dict:
    obj.refresh_from_db()
    return {name: getattr(obj, name) for name in type(obj).CHILD_TEXT_FIELDS}


def assert_snapshots_blank(session, placeholder):
    for revision in SessionLogRevision.objects.filter(session=session):
        for name in SessionLogRevision.CHILD_TEXT_FIELDS:
            values = getattr(revision, name)
            for key in SessionLog.CHILD_TEXT_FIELDS:
                assert values.get(key) in ("", placeholder, None), (name, key)


def test_the_purge_blanks_every_child_text_field_of_a_session(match_a):
    now = timezone.now().replace(second=0, microsecond=0)
    match_a.start_date = (now - dt.timedelta(days=6 * 365)).date()
    match_a.save()
    old = written_in_every_field(match_a, now - dt.timedelta(days=4 * 365))
    need = ResourceNeed.objects.get(session=old)
    program = services.ProgramSettings.load()
    program.session_notes_retention_years = 3
    program.save()

    assert services.sessions_purge_expired() == 1

    placeholder = services.RETENTION_PLACEHOLDER
    assert set(child_text(old).values()) <= {placeholder, ""}
    assert child_text(old)["notes"] == placeholder
    assert child_text(need) == {"details": ""}
    assert_snapshots_blank(old, placeholder)


def test_the_erasure_clears_or_de_identifies_every_child_text_field(
    match_a, staff_user, admin_user, site_contact_a
):
    now = timezone.now().replace(second=0, microsecond=0)
    session = written_in_every_field(match_a, now - dt.timedelta(hours=3))
    concern = SafetyConcern.objects.get(session=session)
    SafetyConcern.objects.filter(pk=concern.pk).update(
        acknowledgement_note="Jane's teacher knows.", outcome="Jane is safe."
    )
    safeguarding.concern_add_note(concern=concern, user=staff_user, text="Called Jane's school.")
    need = ResourceNeed.objects.get(session=session)
    NeedNote.objects.create(
        need=need,
        author=staff_user,
        text="Jane's mum called.",
        status_from="open",
        status_to="open",
    )
    Match.objects.filter(pk=match_a.pk).update(closure_reason="Jane moved (for now).")
    NoSessionMonth.objects.create(
        mentor=match_a.mentor,
        year=2020,
        month=1,
        reason=NoSessionReason.OTHER,
        details="Jane was ill.",
        declared_by=match_a.mentor.user,
    )

    services.mentee_erase(mentee=match_a.mentee, user=admin_user, reason="School letter.")

    records = [
        session,
        concern,
        need,
        match_a,
        *ConcernNote.objects.filter(concern=concern),
        *NeedNote.objects.filter(need=need),
        *NoSessionMonth.objects.filter(mentor=match_a.mentor),
        *SessionLogRevision.objects.filter(session=session),
    ]
    assert {type(record) for record in records} == {
        model for model in children_models() if model.CHILD_TEXT_FIELDS
    } - {Mentee}
    for record in records:
        assert "Jane" not in str(child_text(record)), record
    assert child_text(match_a.mentee)["first_name"] == services.ERASED_NAME


# --- The de-identified export -------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_de_identified_export_holds_no_child_text(client, staff_user, match_a, file_format):
    """A marker in every child text field of the session and its mentee: none is in the
    de-identified export; the ones the export reads are there with the children's text."""
    import io

    from openpyxl import load_workbook

    when = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3)
    session = log_session(match_a, when)
    markers = {name: f"Zq{name}" for name in SessionLog.CHILD_TEXT_FIELDS}
    SessionLog.objects.filter(pk=session.pk).update(safety_concern=True, **markers)
    Mentee.objects.filter(pk=match_a.mentee_id).update(first_name="Zqfirstname")
    markers["first_name"] = "Zqfirstname"
    client.force_login(staff_user)

    def exported(extra: str) -> str:
        url = f"/staff/export/?report=sessions&file_format={file_format}{extra}"
        body = b"".join(client.get(url).streaming_content)
        if file_format == "csv":
            return body.decode()
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        return str(list(workbook.active.iter_rows(values_only=True)))

    de_identified = exported("")
    assert str(session.pk) in de_identified
    assert "Zq" not in de_identified
    with_children = exported("&include_children=on")
    for name in ("notes", "safety_concern_details", "resource_needs_details", "first_name"):
        assert markers[name] in with_children
