"""Caseloads (SPEC 8): staff assign a match's coordinator one by one or in bulk; the
matches list starts on a coordinator's own matches; unassigned ones are listed."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.models import Role, User
from portal.audit.models import AuditEvent
from portal.mentoring import caseloads
from portal.mentoring.models import Match, MatchStatus, Mentee, Mentor, MentorStatus
from tests.conftest import make_match, make_user, signed_in

START = dt.date(2025, 1, 1)
_counter = itertools.count()


@pytest.fixture
def maria(db) -> User:
    return make_user("maria@example.org", Role.STAFF, "Maria Lopez")


@pytest.fixture
def many(program, school_a, school_b):
    """Twelve matches at school A (mentors Ann 00..11), three at school B (Bo 0..2)."""
    a = [make_match(f"ann{i:02d}@example.org", school_a, f"Ann{i:02d}", START) for i in range(12)]
    b = [make_match(f"bo{i}@example.org", school_b, f"Bo{i}", START) for i in range(3)]
    return a, b


def test_assign_one_match_from_its_page_is_audited_with_old_and_new(
    staff_client, match_a, maria, staff_user
):
    response = staff_client.post(
        f"/staff/matches/{match_a.pk}/coordinator/", {"coordinator": maria.pk}, follow=True
    )
    assert "This match is now supported by Maria Lopez." in response.content.decode()
    match_a.refresh_from_db()
    assert match_a.coordinator == maria
    staff_client.post(f"/staff/matches/{match_a.pk}/coordinator/", {"coordinator": staff_user.pk})
    events = list(AuditEvent.objects.filter(action="match.coordinator_changed"))
    assert [(e.old_values["coordinator"], e.new_values["coordinator"]) for e in events] == [
        (None, "Maria Lopez"),
        ("Maria Lopez", "Robin Ellis"),
    ]
    assert events[1].actor == staff_user and events[1].object_id == match_a.pk


def test_only_active_staff_can_be_coordinators(staff_client, match_a, mentor_b, maria):
    for outsider in (mentor_b, make_user("site@example.org", Role.SITE_CONTACT)):
        response = staff_client.post(
            f"/staff/matches/{match_a.pk}/coordinator/", {"coordinator": outsider.pk}, follow=True
        )
        assert "Choose a staff member from the list." in response.content.decode()
    maria.is_active = False
    maria.save()
    staff_client.post(f"/staff/matches/{match_a.pk}/coordinator/", {"coordinator": maria.pk})
    match_a.refresh_from_db()
    assert match_a.coordinator is None
    with pytest.raises(ValidationError):
        caseloads.assign_coordinator(matches=Match.objects.all(), coordinator=mentor_b, actor=maria)
    assert not AuditEvent.objects.filter(action="match.coordinator_changed").exists()


def test_bulk_assign_every_match_of_the_filter(staff_client, many, maria):
    a, b = many
    response = staff_client.post(
        f"/staff/matches/assign/?coordinator=all&site={a[0].site_id}",
        {"scope": "filter", "coordinator": maria.pk},
        follow=True,
    )
    assert "12 matches assigned to Maria Lopez." in response.content.decode()
    assert set(caseloads.matches_of(maria)) == set(a)
    assert AuditEvent.objects.filter(action="match.coordinator_changed").count() == 12
    # Again: nothing changes, nothing more is audited.
    response = staff_client.post(
        f"/staff/matches/assign/?coordinator=all&site={a[0].site_id}",
        {"scope": "filter", "coordinator": maria.pk},
        follow=True,
    )
    assert "No active match changed" in response.content.decode()
    assert AuditEvent.objects.filter(action="match.coordinator_changed").count() == 12


def test_bulk_assign_the_ticked_ones_only_within_the_filter(staff_client, many, maria):
    a, b = many
    # b[0] is ticked by a forged form but is not in the filtered list (school A): ignored.
    staff_client.post(
        f"/staff/matches/assign/?coordinator=all&site={a[0].site_id}",
        {"scope": "selected", "match": [a[1].pk, a[2].pk, b[0].pk, "x", "9" * 40],
         "coordinator": maria.pk},
    )  # fmt: skip
    assert set(caseloads.matches_of(maria)) == {a[1], a[2]}


def test_bulk_assign_all_on_the_page_and_closed_matches_are_left(staff_client, many, maria):
    a, b = many
    b[1].status = MatchStatus.CLOSED
    b[1].end_date = START
    b[1].save()
    response = staff_client.post(
        "/staff/matches/assign/?coordinator=all&status=",
        {"scope": "page", "on_page": [m.pk for m in b], "coordinator": maria.pk},
        follow=True,
    )
    assert "2 matches assigned to Maria Lopez." in response.content.decode()
    assert set(caseloads.matches_of(maria)) == {b[0], b[2]}


def test_bulk_assign_needs_a_choice_and_a_coordinator(staff_client, many):
    response = staff_client.post(
        "/staff/matches/assign/?coordinator=all", {"scope": "selected"}, follow=True
    )
    text = response.content.decode()
    assert "Tick at least one match" in text
    assert "Choose the staff member who will support the matches." in text
    response = staff_client.post(
        "/staff/matches/assign/?coordinator=all", {"scope": "everything", "coordinator": "1"},
        follow=True,
    )  # fmt: skip
    assert "Choose which matches to assign." in response.content.decode()
    assert not Match.objects.filter(coordinator__isnull=False).exists()


def test_my_matches_is_the_default_view_of_a_coordinator(client, many, maria, staff_user):
    a, b = many
    caseloads.assign_coordinator(
        matches=Match.objects.filter(pk__in=[a[0].pk, b[0].pk]), coordinator=maria, actor=maria
    )
    text = signed_in(maria).get("/staff/matches/").content.decode()
    assert "My matches" in text and "See every match" in text
    assert "Mentor Ann00" in text and "Mentor Bo0" in text and "Mentor Ann01" not in text
    everyone = signed_in(maria).get("/staff/matches/?coordinator=all").content.decode()
    assert "Mentor Ann01" in everyone and "My matches" not in everyone
    # Without a caseload, the list shows every match.
    text = signed_in(staff_user).get("/staff/matches/").content.decode()
    assert "Mentor Ann01" in text and "My matches" not in text


def test_unassigned_matches_are_listed_for_administrators(admin_client, many, maria):
    a, b = many
    caseloads.assign_coordinator(
        matches=Match.objects.filter(pk__in=[m.pk for m in a]), coordinator=maria, actor=maria
    )
    dashboard = admin_client.get("/staff/").content.decode()
    assert "3 active matches have no coordinator." in dashboard
    assert "?coordinator=none" in dashboard
    text = admin_client.get("/staff/matches/?coordinator=none").content.decode()
    assert "Matches without a coordinator" in text
    assert "Mentor Bo0" in text and "Mentor Ann00" not in text
    assert set(caseloads.unassigned_matches()) == set(b)


@pytest.mark.parametrize("value", ["abc", "-1", "9" * 30, "none ", "0x1", "\u0661"])
def test_a_forged_coordinator_filter_is_read_as_nothing_or_nobody(staff_client, many, value):
    response = staff_client.get("/staff/matches/", {"coordinator": value})
    assert response.status_code == 200


def test_a_new_match_goes_to_its_creators_caseload(staff_client, staff_user, school_a):
    mentor = Mentor.objects.create(
        user=make_user("new@example.org", Role.MENTOR), status=MentorStatus.ACTIVE
    )
    mentee = Mentee.objects.create(first_name="Zoe", last_initial="Q", site=school_a, grade="3")
    form = staff_client.get("/staff/matches/new/").content.decode()
    assert f'<option value="{staff_user.pk}" selected>' in form
    staff_client.post(
        "/staff/matches/new/",
        {"mentor": mentor.pk, "mentee": mentee.pk, "site": school_a.pk,
         "start_date": "2026-09-01", "coordinator": staff_user.pk},
    )  # fmt: skip
    assert Match.objects.get(mentee=mentee).coordinator == staff_user
    # The change form leaves the coordinator to its own, audited form.
    match = Match.objects.get(mentee=mentee)
    assert (
        "id_coordinator"
        not in staff_client.get(f"/staff/matches/{match.pk}/edit/").content.decode()
    )


@pytest.mark.parametrize("who", ["mentor_a", "mentor_b", "site_contact_a"])
def test_outsiders_cannot_assign_or_list(client, request, who, match_a, maria):
    user = request.getfixturevalue(who)
    outsider = signed_in(user)
    assert outsider.get("/staff/matches/").status_code == 403
    response = outsider.post(f"/staff/matches/{match_a.pk}/coordinator/", {"coordinator": maria.pk})
    assert response.status_code == 403
    response = outsider.post("/staff/matches/assign/", {"scope": "filter", "coordinator": maria.pk})
    assert response.status_code == 403
    match_a.refresh_from_db()
    assert match_a.coordinator is None
    assert client.get("/staff/matches/").status_code == 302  # anonymous: to the sign-in


def _grow(n: int, site, coordinator) -> None:
    users = [
        User.objects.create_user(
            email=f"grown{next(_counter)}@example.org", role=Role.MENTOR, full_name="Grown"
        )
        for _ in range(n)
    ]
    mentors = [Mentor(user=user, status=MentorStatus.ACTIVE) for user in users]
    Mentor.objects.bulk_create(mentors)
    mentees = Mentee.objects.bulk_create(
        Mentee(first_name=f"Kid{i}", last_initial="K", site=site, grade="4") for i in range(n)
    )
    Match.objects.bulk_create(
        Match(mentor=mentor, mentee=mentee, site=site, start_date=START,
              coordinator=coordinator if i % 3 else None)
        for i, (mentor, mentee) in enumerate(zip(mentors, mentees, strict=True))
    )  # fmt: skip


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    ["/staff/matches/", "/staff/matches/?coordinator=none", "/staff/matches/?coordinator=all"],
)
def test_the_matches_list_costs_the_same_at_50_and_500_matches(
    staff_client, staff_user, school_a, url
):
    _grow(50, school_a, staff_user)
    at_50 = _queries(staff_client, url)
    _grow(450, school_a, staff_user)
    assert _queries(staff_client, url) == at_50
    assert at_50 <= 12


def test_a_bulk_assignment_of_500_costs_a_few_queries(staff_client, staff_user, school_a, maria):
    _grow(500, school_a, None)
    with CaptureQueriesContext(connection) as captured:
        staff_client.post(
            "/staff/matches/assign/?coordinator=all", {"scope": "filter", "coordinator": maria.pk}
        )
    assert caseloads.matches_of(maria).count() == 500
    assert len(captured) <= 15


def test_the_demo_has_caseloads_unassigned_matches_and_closures(db, settings):
    import io

    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # again: nothing moves
    staff = User.objects.get(email="staff@example.org")
    second = User.objects.get(email="staff2@example.org")
    active = Match.objects.filter(status=MatchStatus.ACTIVE).count()
    mine, theirs = caseloads.matches_of(staff).count(), caseloads.matches_of(second).count()
    assert mine > active / 2 and 0 < theirs < mine
    assert caseloads.unassigned_matches().count() == 3
    closed = Match.objects.filter(status=MatchStatus.CLOSED, closure_choice__isnull=False)
    assert closed.count() >= 2
    for match in closed:
        assert match.closed_by_whom and match.last_meeting_on <= match.end_date
        assert match.length is not None
