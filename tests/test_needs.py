"""Resource needs (RULES 4.9, issue 3): each need ticked on a session opens a need for staff
to follow up (Open, Referred, Closed, with notes), and staff see monthly counts by kind."""

import datetime as dt
import uuid
from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.audit.services import log_action as real_log_action
from portal.mentoring.models import ProgramSettings, SessionLog
from portal.safeguarding import selectors, services
from portal.safeguarding.models import NeedNote, NeedStatus, ResourceNeed
from tests.conftest import chicago, log_session
from tests.page import read_page

NEW_SESSION = "/sessions/new/"
SIGN_IN = "/accounts/sign-in/"
NOTES = "We baked bread at the community kitchen. Jane's coat is too small."


# --- Fixtures -----------------------------------------------------------------------------


def two_hours_ago() -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)


@pytest.fixture
def form_data(match_a, choices):
    """What mentor_a sends for a session two hours ago."""
    local = timezone.localtime(two_hours_ago(), ProgramSettings.load().tz)

    def make(**overrides) -> dict:
        data = {
            "submission_token": str(uuid.uuid4()),
            "match": match_a.pk,
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "attendance": "met",
            "hours": "1.00",
            "type_of_mentoring": choices["mentoring"].pk,
            "interaction": choices["in_person"].pk,
            "activity": "",
            "notes": NOTES,
            "resource_needs": ["food", "clothing"],
            "resource_needs_details": "The fridge is empty by Thursday; coat too small.",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def session_with_needs(match_a) -> SessionLog:
    return log_session(
        match_a,
        two_hours_ago(),
        entered_at=timezone.now(),
        resource_needs=["food"],
        resource_needs_details="Runs out of food before payday.",
    )


@pytest.fixture
def food_need(session_with_needs) -> ResourceNeed:
    return ResourceNeed.objects.get(session=session_with_needs, kind="food")


def need_events(need: ResourceNeed, action: str):
    return AuditEvent.objects.filter(
        object_type="safeguarding.resourceneed", object_id=need.pk, action=action
    )


# --- Opened from a session ----------------------------------------------------------------


def test_ticking_food_and_clothing_opens_two_needs(client_a, form_data, mentor_a):
    response = client_a.post(NEW_SESSION, form_data())

    assert response.status_code == 302
    session = SessionLog.objects.get()
    needs = ResourceNeed.objects.filter(session=session).order_by("kind")
    assert [(n.kind, n.status) for n in needs] == [("clothing", "open"), ("food", "open")]
    for need in needs:
        assert need.match == session.match
        assert need.details == "The fridge is empty by Thursday; coat too small."
        assert need_events(need, "need.opened").get().actor == mentor_a


def test_a_session_without_needs_opens_none(client_a, form_data):
    client_a.post(NEW_SESSION, form_data(resource_needs=[]))

    assert SessionLog.objects.count() == 1
    assert not ResourceNeed.objects.exists()


def test_the_needs_are_stored_with_the_session_or_not_at_all(match_a):
    def log_action(**kwargs):
        if kwargs["action"] == "need.opened" and kwargs["obj"].kind == "clothing":
            raise DatabaseError("the disk is full")
        return real_log_action(**kwargs)

    with (
        mock.patch("portal.safeguarding.services.log_action", side_effect=log_action),
        pytest.raises(DatabaseError),
    ):
        log_session(
            match_a,
            two_hours_ago(),
            entered_at=timezone.now(),
            resource_needs=["food", "clothing"],
        )

    assert not SessionLog.objects.exists()
    assert not ResourceNeed.objects.exists()
    assert not AuditEvent.objects.exists()


def test_editing_the_session_to_add_health_opens_one_more_need(client_a, form_data):
    client_a.post(NEW_SESSION, form_data())
    session = SessionLog.objects.get()
    first_needs = set(ResourceNeed.objects.values_list("pk", flat=True))

    data = form_data(resource_needs=["food", "clothing", "health"])
    del data["submission_token"]
    response = client_a.post(f"/sessions/{session.pk}/edit/", data)

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.resource_needs == ["food", "clothing", "health"]
    kinds = sorted(ResourceNeed.objects.filter(session=session).values_list("kind", flat=True))
    assert kinds == ["clothing", "food", "health"]
    assert first_needs < set(ResourceNeed.objects.values_list("pk", flat=True))
    revision = session.revisions.get(action="updated")
    assert revision.changes() == [
        ("resource_needs", ["Food", "Clothing"], ["Food", "Clothing", "Health"])
    ], "the history shows the one thing that changed"


def test_a_need_added_on_an_edit_with_nothing_else_changed_is_saved(
    match_a, mentor_a, session_with_needs
):
    from portal.mentoring import services as mentoring

    session = SessionLog.objects.get(pk=session_with_needs.pk)
    session.snapshot()  # what the edit page and the service read before the change
    data = mentoring.SessionInput(
        match=match_a,
        starts_at=session.starts_at,
        quarter_hours=session.quarter_hours,
        type_of_mentoring=session.type_of_mentoring,
        interaction=session.interaction,
        attendance=session.attendance,
        notes=session.notes,
        resource_needs=["food", "health"],
        resource_needs_details=session.resource_needs_details,
    )
    mentoring.session_log_update(session=session, user=mentor_a, data=data)

    session.refresh_from_db()
    assert session.resource_needs == ["food", "health"]
    kinds = sorted(ResourceNeed.objects.filter(session=session).values_list("kind", flat=True))
    assert kinds == ["food", "health"]


def test_saving_an_edit_again_does_not_duplicate_needs(match_a, mentor_a, session_with_needs):
    from portal.mentoring import services as mentoring

    data = mentoring.SessionInput(
        match=match_a,
        starts_at=session_with_needs.starts_at,
        quarter_hours=session_with_needs.quarter_hours,
        type_of_mentoring=session_with_needs.type_of_mentoring,
        interaction=session_with_needs.interaction,
        attendance=session_with_needs.attendance,
        notes="Changed the notes, the need is the same.",
        resource_needs=["food"],
    )
    mentoring.session_log_update(session=session_with_needs, user=mentor_a, data=data)

    assert ResourceNeed.objects.filter(session=session_with_needs).count() == 1


def test_unticking_a_need_on_the_session_leaves_the_need_open_for_staff(
    match_a, mentor_a, session_with_needs, food_need
):
    from portal.mentoring import services as mentoring

    data = mentoring.SessionInput(
        match=match_a,
        starts_at=session_with_needs.starts_at,
        quarter_hours=session_with_needs.quarter_hours,
        type_of_mentoring=session_with_needs.type_of_mentoring,
        interaction=session_with_needs.interaction,
        attendance=session_with_needs.attendance,
        notes=session_with_needs.notes,
        resource_needs=[],
    )
    mentoring.session_log_update(session=session_with_needs, user=mentor_a, data=data)

    session_with_needs.refresh_from_db()
    assert session_with_needs.resource_needs == []
    food_need.refresh_from_db()
    assert food_need.status == NeedStatus.OPEN


# --- Following a need up ------------------------------------------------------------------


def test_a_need_goes_from_open_to_referred_to_closed_with_notes(food_need, staff_user):
    services.need_update(
        need=food_need, user=staff_user, status="referred", note="Referred to the food bank."
    )
    services.need_update(need=food_need, user=staff_user, status="closed", note="Family helped.")

    food_need.refresh_from_db()
    assert food_need.status == NeedStatus.CLOSED
    steps = [(n.status_from, n.status_to, n.text, n.author) for n in food_need.notes.all()]
    assert steps == [
        ("open", "referred", "Referred to the food bank.", staff_user),
        ("referred", "closed", "Family helped.", staff_user),
    ]
    updates = need_events(food_need, "need.updated").order_by("pk")
    assert [(e.old_values, e.new_values) for e in updates] == [
        ({"status": "open"}, {"status": "referred"}),
        ({"status": "referred"}, {"status": "closed"}),
    ]


def test_a_closed_need_can_be_reopened(food_need, staff_user):
    services.need_update(need=food_need, user=staff_user, status="closed", note="Helped.")
    services.need_update(need=food_need, user=staff_user, status="open", note="Asked again.")

    food_need.refresh_from_db()
    assert food_need.status == NeedStatus.OPEN
    assert food_need.notes.last().status_from == "closed"


def test_an_impossible_step_is_refused_and_changes_nothing(food_need, staff_user):
    services.need_update(need=food_need, user=staff_user, status="closed", note="Helped.")

    with pytest.raises(services.InvalidStep, match="That step is not possible from here."):
        services.need_update(need=food_need, user=staff_user, status="referred", note="Oops.")
    with pytest.raises(services.InvalidStep):
        services.need_update(need=food_need, user=staff_user, status="lost")

    food_need.refresh_from_db()
    assert food_need.status == NeedStatus.CLOSED
    assert food_need.notes.count() == 1
    assert need_events(food_need, "need.updated").count() == 1


def test_a_note_without_a_new_status_is_kept(food_need, staff_user):
    services.need_update(need=food_need, user=staff_user, status="open", note="Left a message.")

    note = NeedNote.objects.get(need=food_need)
    assert (note.status_from, note.status_to, note.text) == ("open", "open", "Left a message.")


def test_no_new_status_and_no_note_is_refused(food_need, staff_user):
    with pytest.raises(services.ValidationError):
        services.need_update(need=food_need, user=staff_user, status="open", note="  ")
    assert not NeedNote.objects.exists()


# --- The staff pages ----------------------------------------------------------------------


def test_staff_see_the_needs_queue_with_the_monthly_counts(client, staff_user, food_need):
    client.force_login(staff_user)
    response = client.get("/needs/")

    assert response.status_code == 200
    page = read_page(response)
    assert f"/needs/{food_need.pk}/" in page.hrefs()
    assert "Needs raised by month" in page.text
    this_month = timezone.localtime(food_need.raised_at, ProgramSettings.load().tz)
    row = f"{this_month:%B %Y}\n1\n0\n0\n0\n0\n0\n0"
    assert row in page.text, "one food need this month, nothing else"


def test_the_queue_leaves_out_closed_needs_unless_asked(client, staff_user, food_need):
    services.need_update(need=food_need, user=staff_user, status="closed", note="Helped.")
    client.force_login(staff_user)

    assert f"/needs/{food_need.pk}/" not in read_page(client.get("/needs/")).hrefs()
    assert f"/needs/{food_need.pk}/" in read_page(client.get("/needs/?show=all")).hrefs()


def test_staff_open_a_need_and_refer_it(client, staff_user, food_need):
    client.force_login(staff_user)
    page = read_page(client.get(f"/needs/{food_need.pk}/")).text
    assert "Food need" in page
    assert "Runs out of food before payday." in page

    response = client.post(
        f"/needs/{food_need.pk}/", {"status": "referred", "note": "Sent to the pantry."}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/needs/{food_need.pk}/"
    food_need.refresh_from_db()
    assert food_need.status == NeedStatus.REFERRED
    page = read_page(client.get(response["Location"])).text
    assert "Sent to the pantry." in page
    assert "need.updated" in page


def test_the_need_page_explains_an_impossible_step(client, staff_user, food_need):
    services.need_update(need=food_need, user=staff_user, status="closed", note="Helped.")
    client.force_login(staff_user)

    response = client.post(f"/needs/{food_need.pk}/", {"status": "referred", "note": ""})

    assert response.status_code == 200
    assert "That step is not possible from here." in read_page(response).text
    food_need.refresh_from_db()
    assert food_need.status == NeedStatus.CLOSED


def test_a_missing_need_is_404(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/needs/999999/").status_code == 404


@pytest.mark.parametrize("role", ["mentor_a", "mentor_b", "site_contact_a", "site_contact_b"])
def test_mentors_and_site_contacts_may_not_see_needs(client, request, role, food_need):
    client.force_login(request.getfixturevalue(role))

    assert client.get("/needs/").status_code == 403
    assert client.get(f"/needs/{food_need.pk}/").status_code == 403
    response = client.post(f"/needs/{food_need.pk}/", {"status": "closed", "note": "x"})
    assert response.status_code == 403
    food_need.refresh_from_db()
    assert food_need.status == NeedStatus.OPEN
    assert not NeedNote.objects.exists()


def test_admins_see_needs_too(client, admin_user, food_need):
    client.force_login(admin_user)
    assert client.get("/needs/").status_code == 200
    assert client.get(f"/needs/{food_need.pk}/").status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client, food_need):
    for path in ("/needs/", f"/needs/{food_need.pk}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"{SIGN_IN}?next={path}"


# --- Monthly counts -----------------------------------------------------------------------


@pytest.fixture
def long_match(match_a):
    """match_a, started long before the months counted below, whenever the tests run."""
    match_a.start_date = dt.date(2025, 1, 6)
    match_a.save()
    return match_a


def need_raised_at(match, moment: dt.datetime, kinds: list[str]) -> None:
    session = log_session(match, moment - dt.timedelta(hours=1), resource_needs=kinds)
    ResourceNeed.objects.filter(session=session).update(raised_at=moment)


def test_needs_are_counted_by_month_and_kind_in_the_program_time_zone(long_match):
    # 23:30 on Saturday 31 October in Chicago is already 1 November in UTC.
    need_raised_at(long_match, chicago(2026, 10, 31, 23, 30), ["food", "health"])
    need_raised_at(long_match, chicago(2026, 11, 1, 0, 30), ["food"])
    need_raised_at(long_match, chicago(2026, 11, 20, 9, 0), ["food", "clothing"])
    need_raised_at(long_match, chicago(2026, 10, 1, 0, 5), ["shelter"])
    need_raised_at(long_match, chicago(2026, 9, 30, 23, 55), ["other"])

    counts = selectors.need_counts_by_month(now=chicago(2026, 11, 28, 12, 0))

    assert counts == [
        {"month": dt.date(2026, 11, 1), "counts": {"clothing": 1, "food": 2}},
        {"month": dt.date(2026, 10, 1), "counts": {"food": 1, "health": 1, "shelter": 1}},
        {"month": dt.date(2026, 9, 1), "counts": {"other": 1}},
    ]


def test_the_counts_cover_the_months_asked_for(long_match):
    need_raised_at(long_match, chicago(2026, 10, 31, 23, 30), ["food"])
    need_raised_at(long_match, chicago(2026, 9, 30, 23, 30), ["food"])

    counts = selectors.need_counts_by_month(months=2, now=chicago(2026, 11, 28, 12, 0))

    assert [row["month"] for row in counts] == [dt.date(2026, 10, 1)]


def test_the_counts_follow_a_changed_program_time_zone(program, long_match):
    program.time_zone = "America/New_York"
    program.save()
    # 23:30 on 31 October in Chicago is 00:30 on 1 November in New York.
    need_raised_at(long_match, chicago(2026, 10, 31, 23, 30), ["food"])

    counts = selectors.need_counts_by_month(now=chicago(2026, 11, 28, 12, 0))

    assert counts == [{"month": dt.date(2026, 11, 1), "counts": {"food": 1}}]
