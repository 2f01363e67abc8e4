"""Mass assignment (ASVS 5.0 V15.3): fields a form does not offer, or records of someone
else, posted anyway, change nothing. Each form reads only its own fields."""

import pytest
from django.utils import timezone

from portal.accounts.models import Role, User
from portal.mentoring.models import ProgramSettings, SessionLog
from portal.safeguarding.models import ConcernStatus, SafetyConcern
from tests.security_world import build_world, session_form_data


@pytest.fixture
def world(db, request):
    return build_world(request)


def foreign_fields(world) -> dict:
    """Fields no form of the portal offers, aimed at someone else's records."""
    other = world.users["mentor_b"]
    return {
        "entered_by": other.pk,
        "entered_by_id": other.pk,
        "is_late": "on",
        "reviewed_at": "2020-01-01T00:00",
        "reviewed_by": other.pk,
        "deleted_at": "2020-01-01T00:00",
        "quarter_hours": "96",
        "status": "closed",
        "role": Role.ADMIN,
        "is_staff": "on",
        "is_superuser": "on",
        "user": other.pk,
        "user_id": other.pk,
        "raised_by": other.pk,
        "acknowledged_by": other.pk,
        "closed_by": other.pk,
        "site": other.mentor.matches.get().site_id,
        "id": 999,
        "pk": 999,
    }


def test_a_new_session_keeps_only_the_form_fields(world):
    client = world.client("mentor_a")
    data = {**session_form_data(world), **foreign_fields(world)}
    response = client.post("/sessions/new/", data)
    assert response.status_code == 302
    session = SessionLog.objects.exclude(pk=world.session.pk).get()
    assert session.entered_by == world.users["mentor_a"]
    assert session.is_late is False
    assert session.reviewed_at is None and session.reviewed_by is None
    assert session.deleted_at is None
    assert session.quarter_hours == 4
    assert session.pk != 999
    user = User.objects.get(pk=world.users["mentor_a"].pk)
    assert user.role == Role.MENTOR and not user.is_staff and not user.is_superuser


def test_a_session_cannot_be_logged_on_another_mentors_match(world):
    other_match = world.users["mentor_b"].mentor.matches.get()
    client = world.client("mentor_a")
    response = client.post("/sessions/new/", session_form_data(world, match=other_match.pk))
    assert response.status_code == 200
    assert not SessionLog.objects.filter(match=other_match).exists()


def test_an_edit_keeps_who_entered_it_and_cannot_move_it_to_another_mentor(world):
    before = SessionLog.objects.get(pk=world.session.pk)
    client = world.client("mentor_a")
    url = f"/sessions/{world.session.pk}/edit/"
    other_match = world.users["mentor_b"].mentor.matches.get()
    data = session_form_data(world, hours_ago=2, notes="Changed notes.")
    local = timezone.localtime(before.starts_at, ProgramSettings.load().tz)
    data["starts_at"] = local.strftime("%Y-%m-%dT%H:%M")
    data.update(safety_concern="on", safety_concern_details="Still worried.")
    data.update(resource_needs=["food"], resource_needs_details="The fridge is often empty.")
    data.update(foreign_fields(world))
    assert client.post(url, data).status_code == 302
    after = SessionLog.objects.get(pk=world.session.pk)
    assert after.notes == "Changed notes."
    assert (after.entered_by_id, after.is_late, after.reviewed_at, after.deleted_at) == (
        before.entered_by_id,
        before.is_late,
        None,
        None,
    )
    client.post(url, {**data, "match": other_match.pk, "notes": "Moved?"})
    assert SessionLog.objects.get(pk=world.session.pk).match_id == before.match_id


def test_acknowledging_a_concern_cannot_close_it_or_name_someone_else(world):
    client = world.client("site_contact_a")
    url = f"/concerns/{world.concern.pk}/acknowledge/"
    client.post(url, {"note": "Called home.", **foreign_fields(world)})
    concern = SafetyConcern.objects.get(pk=world.concern.pk)
    assert concern.status == ConcernStatus.ACKNOWLEDGED
    assert concern.acknowledged_by == world.users["site_contact_a"]
    assert concern.closed_by is None
    assert concern.raised_by == world.users["mentor_a"]


def test_a_raised_concern_is_recorded_as_raised_by_the_staff_member(world):
    client = world.client("staff_user")
    match = world.session.match
    data = {"match": match.pk, "description": "Seen by staff.", **foreign_fields(world)}
    assert client.post("/concerns/new/", data).status_code == 302
    concern = SafetyConcern.objects.latest("pk")
    assert concern.raised_by == world.users["staff_user"]
    assert concern.site_id == match.site_id
    assert concern.status == ConcernStatus.NEW


def test_a_need_update_changes_only_its_status_and_note(world):
    client = world.client("staff_user")
    data = {"status": "referred", "note": "Food bank.", "match": 999, "session": 999}
    client.post(f"/needs/{world.need.pk}/", {**foreign_fields(world), **data})
    world.need.refresh_from_db()
    assert world.need.status == "referred"
    assert world.need.session_id == world.session.pk


@pytest.mark.parametrize("persona", ["mentor_a", "staff_user", "site_contact_a"])
def test_changing_a_password_cannot_change_a_role(world, persona):
    user = world.users[persona]
    client = world.client(persona)
    client.post(
        "/accounts/password/change/",
        {
            "old_password": "correct-horse-battery-9",
            "new_password1": "another-long-phrase-42",
            "new_password2": "another-long-phrase-42",
            **foreign_fields(world),
            "email": "attacker@example.org",
            "full_name": "Someone Else",
        },
    )
    after = User.objects.get(pk=user.pk)
    assert after.check_password("another-long-phrase-42")
    assert (after.role, after.is_staff, after.is_superuser, after.email, after.full_name) == (
        user.role,
        user.is_staff,
        user.is_superuser,
        user.email,
        user.full_name,
    )


def test_the_contact_form_cannot_set_a_status_or_a_reply(db, client):
    from portal.support.models import RequestStatus, SupportRequest

    client.post(
        "/contact/",
        {
            "name": "Ann Lee",
            "email": "ann@example.org",
            "topic": "other",
            "message": "I cannot find my mentee.",
            "status": "closed",
            "reply": "Solved by the attacker.",
            "replied_at": "2020-01-01T00:00",
            "replied_by": 1,
            "created_at": "2020-01-01T00:00",
        },
    )
    request = SupportRequest.objects.get()
    assert request.status == RequestStatus.NEW
    assert (request.reply, request.replied_at, request.replied_by) == ("", None, None)
    assert request.created_at.year > 2020
