"""Child safety concerns (RULES 4.8, section 2 and 6; issue 3): raised from a session or by
staff, stored with their notifications in one transaction, seen and acknowledged by the
school's site contact, closed by staff with an outcome, never deleted, raised again when
nobody acknowledges them in time, and every look and change on the audit trail."""

import datetime as dt
import io
import json
import uuid
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from portal.accounts.models import Role
from portal.audit.models import AuditEvent
from portal.mentoring.models import ProgramSettings, SessionLog, SiteContact
from portal.notifications.models import Notification, NotificationState
from portal.notifications.services import notification_queue as real_notification_queue
from portal.safeguarding import services
from portal.safeguarding.models import ConcernNote, ConcernStatus, SafetyConcern
from tests.conftest import log_session, make_user
from tests.page import read_page

NEW_SESSION = "/sessions/new/"
SIGN_IN = "/accounts/sign-in/"
NOTES = "We read a chapter together. Jane talked about her weekend at her aunt's."
DESCRIPTION = "Jane said her uncle locks her out of the flat at night."


# --- Fixtures -----------------------------------------------------------------------------


def two_hours_ago() -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)


@pytest.fixture
def form_data(match_a, choices):
    """What mentor_a sends for a session two hours ago, with the concern box ticked."""

    def make(**overrides) -> dict:
        local = timezone.localtime(two_hours_ago(), ProgramSettings.load().tz)
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
            "safety_concern": "on",
            "safety_concern_details": DESCRIPTION,
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def recipients(staff_user, admin_user, site_contact_a, site_contact_b, school_a):
    """Who hears of a concern at school A: the active staff and administrators, and each
    site contact of school A (one of them has no sign-in). Not: an inactive staff member, a
    mentor, or school B's contact."""
    former = make_user("former-staff@example.org", Role.STAFF, "Former Staff")
    former.is_active = False
    former.save()
    SiteContact.objects.create(
        site=school_a, name="Front office", role="Office", email="office-a@example.org"
    )
    return {
        "staff": {"staff@example.org", "admin@example.org"},
        "site": {"contact-a@example.org", "office-a@example.org"},
    }


@pytest.fixture
def concern_a(match_a, mentor_a) -> SafetyConcern:
    """A new concern from mentor_a's session at school A."""
    session = log_session(
        match_a,
        two_hours_ago(),
        entered_at=timezone.now(),
        notes=NOTES,
        safety_concern=True,
        safety_concern_details=DESCRIPTION,
    )
    return SafetyConcern.objects.get(session=session)


def raise_concern(match, *, by, hours_ago: float = 0, description=DESCRIPTION):
    return services.concern_raise(
        match=match,
        description=description,
        raised_by=by,
        now=timezone.now() - dt.timedelta(hours=hours_ago),
    )


def detail_url(concern: SafetyConcern) -> str:
    return f"/concerns/{concern.pk}/"


def events(concern: SafetyConcern, action: str):
    return AuditEvent.objects.filter(
        object_type="safeguarding.safetyconcern", object_id=concern.pk, action=action
    )


def notifications_for(concern: SafetyConcern, template: str = "concern-raised"):
    return Notification.objects.filter(
        subject_type="concern", subject_id=concern.pk, template=template
    )


# --- Raised from a session ----------------------------------------------------------------


def test_a_ticked_concern_on_the_form_creates_one_new_concern(client_a, form_data, mentor_a):
    response = client_a.post(NEW_SESSION, form_data())

    session = SessionLog.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{session.pk}/?saved=1"
    concern = SafetyConcern.objects.get()
    assert concern.session == session
    assert concern.match == session.match
    assert concern.site.name == "Lincoln Elementary"
    assert concern.status == ConcernStatus.NEW
    assert concern.raised_by == mentor_a
    assert concern.description == DESCRIPTION
    assert events(concern, "concern.raised").get().actor == mentor_a


def test_the_same_form_sent_twice_raises_the_concern_once(client_a, form_data, recipients):
    data = form_data()
    client_a.post(NEW_SESSION, data)
    client_a.post(NEW_SESSION, data)

    assert SafetyConcern.objects.count() == 1
    assert Notification.objects.count() == 4


def test_staff_and_the_schools_site_contacts_are_notified_at_once(client_a, form_data, recipients):
    client_a.post(NEW_SESSION, form_data())

    concern = SafetyConcern.objects.get()
    queued = notifications_for(concern)
    assert {n.to for n in queued} == recipients["staff"] | recipients["site"]
    assert queued.count() == 4, "one email per person, no more"
    assert {n.state for n in queued} == {NotificationState.PENDING}
    assert {n.context["audience"] for n in queued if n.to in recipients["staff"]} == {"staff"}
    assert {n.context["audience"] for n in queued if n.to in recipients["site"]} == {"site"}
    assert not Notification.objects.filter(to__in=["contact-b@example.org"]).exists()
    assert not Notification.objects.filter(to="former-staff@example.org").exists()


def test_the_service_raises_the_concern_with_its_notifications(match_a, recipients):
    session = log_session(
        match_a,
        two_hours_ago(),
        entered_at=timezone.now(),
        safety_concern=True,
        safety_concern_details=DESCRIPTION,
    )

    concern = SafetyConcern.objects.get(session=session)
    assert concern.raised_by == match_a.mentor.user
    assert {n.to for n in notifications_for(concern)} == recipients["staff"] | recipients["site"]


def test_a_session_without_the_box_ticked_raises_no_concern(client_a, form_data, recipients):
    client_a.post(NEW_SESSION, form_data(safety_concern="", safety_concern_details=""))

    assert SessionLog.objects.count() == 1
    assert not SafetyConcern.objects.exists()
    assert not Notification.objects.exists()


def queue_failing_on_the_second_email():
    """The outbox write fails half-way: the first email is stored, the second is not."""
    calls = []

    def queue(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 2:
            raise DatabaseError("could not write the outbox")
        return real_notification_queue(**kwargs)

    return mock.patch("portal.safeguarding.services.notification_queue", side_effect=queue)


def nothing_saved() -> bool:
    return not (
        SessionLog.objects.exists()
        or SafetyConcern.objects.exists()
        or Notification.objects.exists()
        or AuditEvent.objects.exists()
    )


def test_when_the_notifications_cannot_be_stored_nothing_is_half_saved(match_a, recipients):
    with queue_failing_on_the_second_email(), pytest.raises(DatabaseError):
        log_session(
            match_a,
            two_hours_ago(),
            entered_at=timezone.now(),
            safety_concern=True,
            safety_concern_details=DESCRIPTION,
        )

    assert nothing_saved()


def test_when_the_notifications_cannot_be_stored_the_mentor_gets_the_error_page(
    mentor_a, form_data, recipients
):
    # The view lets the error through to the portal's 500 page; nothing is half-saved.
    client = Client(raise_request_exception=False)
    client.force_login(mentor_a)
    with queue_failing_on_the_second_email():
        response = client.post(NEW_SESSION, form_data())

    assert response.status_code == 500
    page = read_page(response).text
    assert "Sorry, something went wrong on our side" in page
    assert "it may not have been saved" in page
    assert "Traceback" not in page
    assert nothing_saved()


# --- What the emails say ------------------------------------------------------------------


def email_context(notification: Notification) -> dict:
    return {"site_url": "https://portal.example.org", "program_name": "Test Program"} | (
        notification.context
    )


def test_the_stored_email_context_has_no_notes_description_or_child_name(
    client_a, form_data, recipients
):
    client_a.post(NEW_SESSION, form_data())

    concern = SafetyConcern.objects.get()
    for notification in notifications_for(concern):
        stored = json.dumps(notification.context)
        assert "Jane" not in stored
        assert "uncle" not in stored
        assert "chapter" not in stored
        assert notification.context["site_name"] == "Lincoln Elementary"
        assert notification.context["path"] == detail_url(concern)


@pytest.mark.parametrize("template", ["concern-raised", "concern-escalated"])
def test_the_rendered_emails_have_no_notes_description_or_child_name(
    template, concern_a, staff_user
):
    services.concerns_escalate(now=timezone.now() + dt.timedelta(days=2))
    notification = notifications_for(concern_a, template).first()
    assert notification is not None

    context = email_context(notification)
    for part in ("subject.txt", "body.txt", "body.html"):
        text = render_to_string(f"emails/{template}-{part}", context)
        assert "Jane" not in text, part
        assert "uncle" not in text, part
        assert "chapter" not in text, part
        assert "Mentor Jane" not in text, part
    body = render_to_string(f"emails/{template}-body.txt", context)
    assert "Lincoln Elementary" in body
    assert f"https://portal.example.org{detail_url(concern_a)}" in body


def test_the_email_to_the_site_contact_greets_them_by_name(concern_a):
    notification = notifications_for(concern_a).get(to="contact-a@example.org")

    body = render_to_string("emails/concern-raised-body.txt", email_context(notification))
    assert body.startswith("Hello Dana Whitfield,")
    assert "this email does not include the details" in body


# --- The site contact of the school -------------------------------------------------------


def test_the_site_contact_sees_their_schools_concern_in_the_list(client, site_contact_a, concern_a):
    client.force_login(site_contact_a)
    page = read_page(client.get("/concerns/"))

    assert detail_url(concern_a) in page.hrefs()
    assert "Lincoln Elementary" in page.text


def test_the_site_contact_does_not_see_another_schools_concern_in_the_list(
    client, site_contact_b, concern_a
):
    client.force_login(site_contact_b)
    page = read_page(client.get("/concerns/"))

    assert detail_url(concern_a) not in page.hrefs()
    assert "No open concerns at your school." in page.text


def test_the_site_contact_opens_the_concern_and_reads_it(client, site_contact_a, concern_a):
    client.force_login(site_contact_a)
    response = client.get(detail_url(concern_a))

    assert response.status_code == 200
    page = read_page(response).text
    assert DESCRIPTION in page
    assert "Acknowledge this concern" in page
    assert "Close this concern" not in page


def test_the_site_contact_does_not_read_the_session_notes(client, site_contact_a, concern_a):
    client.force_login(site_contact_a)
    page = read_page(client.get(detail_url(concern_a))).text

    assert "We read a chapter together" not in page


def test_the_site_contact_acknowledges_the_concern_with_a_note(client, site_contact_a, concern_a):
    client.force_login(site_contact_a)
    before = timezone.now()
    response = client.post(
        f"/concerns/{concern_a.pk}/acknowledge/", {"note": "  Spoke to Jane's teacher.  "}
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(concern_a)
    concern_a.refresh_from_db()
    assert concern_a.status == ConcernStatus.ACKNOWLEDGED
    assert concern_a.acknowledged_by == site_contact_a
    assert before <= concern_a.acknowledged_at <= timezone.now()
    assert concern_a.acknowledgement_note == "Spoke to Jane's teacher."
    event = events(concern_a, "concern.acknowledged").get()
    assert event.actor == site_contact_a
    assert event.old_values["status"] == "new"
    assert event.new_values["status"] == "acknowledged"
    assert event.new_values["acknowledgement_note"] == "Spoke to Jane's teacher."
    page = read_page(client.get(response["Location"])).text
    assert "Thank you: the concern is acknowledged." in page
    assert "Acknowledge this concern" not in page


def test_acknowledging_twice_is_refused_and_changes_nothing(
    client, site_contact_a, staff_user, concern_a
):
    client.force_login(site_contact_a)
    client.post(f"/concerns/{concern_a.pk}/acknowledge/", {"note": "On it."})
    concern_a.refresh_from_db()
    first = (concern_a.acknowledged_by, concern_a.acknowledged_at, concern_a.acknowledgement_note)

    client.force_login(staff_user)
    response = client.post(
        f"/concerns/{concern_a.pk}/acknowledge/", {"note": "Me too."}, follow=True
    )

    assert "This concern has already been acknowledged." in read_page(response).text
    concern_a.refresh_from_db()
    assert concern_a.status == ConcernStatus.ACKNOWLEDGED
    assert (
        concern_a.acknowledged_by,
        concern_a.acknowledged_at,
        concern_a.acknowledgement_note,
    ) == first
    assert events(concern_a, "concern.acknowledged").count() == 1


def test_the_service_refuses_a_second_acknowledgement(concern_a, staff_user, site_contact_a):
    services.concern_acknowledge(concern=concern_a, user=site_contact_a)
    stale = SafetyConcern.objects.get(pk=concern_a.pk)
    stale.status = ConcernStatus.NEW  # a copy read before the first acknowledgement

    with pytest.raises(services.InvalidStep):
        services.concern_acknowledge(concern=stale, user=staff_user)

    concern_a.refresh_from_db()
    assert concern_a.acknowledged_by == site_contact_a
    assert events(concern_a, "concern.acknowledged").count() == 1


def test_the_site_contact_adds_a_note(client, site_contact_a, concern_a):
    client.force_login(site_contact_a)
    response = client.post(
        f"/concerns/{concern_a.pk}/notes/", {"text": "Called the family support worker."}
    )

    assert response.status_code == 302
    note = ConcernNote.objects.get(concern=concern_a)
    assert note.author == site_contact_a
    assert note.text == "Called the family support worker."
    assert events(concern_a, "concern.note_added").get().actor == site_contact_a
    assert "Called the family support worker." in read_page(client.get(detail_url(concern_a))).text


def test_an_empty_note_is_refused_with_a_message(client, site_contact_a, concern_a):
    client.force_login(site_contact_a)
    response = client.post(f"/concerns/{concern_a.pk}/notes/", {"text": "   "})

    assert response.status_code == 200
    assert "Write the note before adding it." in read_page(response).text
    assert not ConcernNote.objects.exists()
    assert not events(concern_a, "concern.note_added").exists()


def test_the_site_contact_cannot_close_the_concern(client, site_contact_a, concern_a):
    client.force_login(site_contact_a)
    response = client.post(f"/concerns/{concern_a.pk}/close/", {"outcome": "Handled."})

    assert response.status_code == 403
    concern_a.refresh_from_db()
    assert concern_a.status == ConcernStatus.NEW
    assert concern_a.outcome == ""


def test_the_service_refuses_a_close_by_a_site_contact(concern_a, site_contact_a):
    with pytest.raises(services.InvalidStep):
        services.concern_close(concern=concern_a, user=site_contact_a, outcome="Handled.")
    concern_a.refresh_from_db()
    assert concern_a.status == ConcernStatus.NEW


# --- Staff --------------------------------------------------------------------------------


def test_staff_close_the_concern_with_an_outcome(client, staff_user, site_contact_a, concern_a):
    services.concern_acknowledge(concern=concern_a, user=site_contact_a, note="On it.")
    client.force_login(staff_user)
    response = client.post(
        f"/concerns/{concern_a.pk}/close/", {"outcome": "Referred to child services."}
    )

    assert response.status_code == 302
    concern_a.refresh_from_db()
    assert concern_a.status == ConcernStatus.CLOSED
    assert concern_a.closed_by == staff_user
    assert concern_a.closed_at is not None
    assert concern_a.outcome == "Referred to child services."
    assert concern_a.acknowledged_by == site_contact_a, "the acknowledgement is kept"
    event = events(concern_a, "concern.closed").get()
    assert event.actor == staff_user
    assert event.old_values["status"] == "acknowledged"
    assert event.new_values["outcome"] == "Referred to child services."


def test_closing_a_new_concern_records_who_acknowledged_it(concern_a, staff_user):
    services.concern_close(concern=concern_a, user=staff_user, outcome="Family moved away.")

    concern_a.refresh_from_db()
    assert concern_a.status == ConcernStatus.CLOSED
    assert concern_a.acknowledged_by == staff_user
    assert concern_a.acknowledged_at == concern_a.closed_at


def test_closing_without_an_outcome_shows_an_error_and_changes_nothing(
    client, staff_user, concern_a
):
    client.force_login(staff_user)
    response = client.post(f"/concerns/{concern_a.pk}/close/", {"outcome": "  "})

    assert response.status_code == 200
    page = read_page(response).text
    assert "There is a problem" in page
    assert "Say what was done before closing the concern." in page
    concern_a.refresh_from_db()
    assert concern_a.status == ConcernStatus.NEW
    assert concern_a.closed_at is None
    assert not events(concern_a, "concern.closed").exists()


def test_a_closed_concern_cannot_be_closed_again(client, staff_user, admin_user, concern_a):
    services.concern_close(concern=concern_a, user=staff_user, outcome="Done.")
    client.force_login(admin_user)
    response = client.post(f"/concerns/{concern_a.pk}/close/", {"outcome": "Again."}, follow=True)

    assert "This concern is already closed." in read_page(response).text
    concern_a.refresh_from_db()
    assert (concern_a.closed_by, concern_a.outcome) == (staff_user, "Done.")


def test_every_view_of_the_concern_is_on_its_record(client, staff_user, site_contact_a, concern_a):
    client.force_login(site_contact_a)
    client.get(detail_url(concern_a))
    client.force_login(staff_user)
    client.get(detail_url(concern_a))
    client.get(detail_url(concern_a))

    viewers = [event.actor for event in events(concern_a, "concern.viewed").order_by("pk")]
    assert viewers == [site_contact_a, staff_user, staff_user]


def test_staff_read_the_audit_trail_of_the_concern(client, staff_user, concern_a):
    client.force_login(staff_user)
    page = read_page(client.get(detail_url(concern_a))).text

    assert "Record of every view and change" in page
    assert "concern.raised" in page
    assert "concern.viewed" in page, "this very look is already on the record"
    assert "Dana Whitfield, Counselor" in page, "staff see the school site contact"


def test_the_site_contact_does_not_read_the_audit_trail(client, site_contact_a, concern_a):
    client.force_login(site_contact_a)
    page = read_page(client.get(detail_url(concern_a))).text

    assert "Record of every view and change" not in page


def test_a_concern_can_never_be_deleted(concern_a):
    with pytest.raises(PermissionDenied):
        concern_a.delete()
    with pytest.raises(PermissionDenied):
        SafetyConcern.objects.filter(pk=concern_a.pk).delete()
    with pytest.raises(PermissionDenied):
        SafetyConcern.objects.all().delete()
    assert SafetyConcern.objects.filter(pk=concern_a.pk).exists()


def test_the_staff_list_shows_the_oldest_open_concern_first_and_closed_ones_after(
    client, staff_user, match_a, match_b, mentor_a
):
    closed = raise_concern(match_a, by=staff_user, hours_ago=100)
    services.concern_close(concern=closed, user=staff_user, outcome="Done.")
    newer = raise_concern(match_b, by=staff_user, hours_ago=2)
    older = raise_concern(match_a, by=mentor_a, hours_ago=30)
    acknowledged = raise_concern(match_b, by=staff_user, hours_ago=10)
    services.concern_acknowledge(concern=acknowledged, user=staff_user)
    client.force_login(staff_user)

    def order(url: str) -> list[int]:
        """The concerns the page links to, top to bottom."""
        paths = [href.strip("/").split("/") for href, _ in read_page(client.get(url)).links]
        return [int(p[1]) for p in paths if len(p) == 2 and p[0] == "concerns" and p[1].isdigit()]

    assert order("/concerns/?show=all") == [older.pk, acknowledged.pk, newer.pk, closed.pk]
    assert order("/concerns/") == [older.pk, acknowledged.pk, newer.pk]


def test_staff_raise_a_concern_from_the_queue(client, staff_user, admin_user, match_a, recipients):
    client.force_login(staff_user)
    page = read_page(client.get("/concerns/new/"))
    assert "Record a child safety concern" in page.text

    response = client.post(
        "/concerns/new/", {"match": match_a.pk, "description": "Seen with a black eye."}
    )

    concern = SafetyConcern.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(concern)
    assert concern.raised_by == staff_user
    assert concern.session is None
    assert concern.site == match_a.site
    assert concern.status == ConcernStatus.NEW
    assert {n.to for n in notifications_for(concern)} == recipients["staff"] | recipients["site"]


def test_staff_must_describe_the_concern_they_raise(client, staff_user, match_a):
    client.force_login(staff_user)
    response = client.post("/concerns/new/", {"match": match_a.pk, "description": ""})

    assert response.status_code == 200
    assert "Describe the child safety concern." in read_page(response).text
    assert not SafetyConcern.objects.exists()
    assert not Notification.objects.exists()


# --- Who may open what: every concern URL for every role ----------------------------------

ROLES = [
    "anonymous",
    "mentor_a",
    "mentor_b",
    "site_contact_a",
    "site_contact_b",
    "staff_user",
    "admin_user",
]
# (name, method, path with {pk} for school A's concern)
URLS = {
    "list": ("get", "/concerns/"),
    "new": ("get", "/concerns/new/"),
    "new POST": ("post", "/concerns/new/"),
    "detail": ("get", "/concerns/{pk}/"),
    "acknowledge POST": ("post", "/concerns/{pk}/acknowledge/"),
    "notes POST": ("post", "/concerns/{pk}/notes/"),
    "close POST": ("post", "/concerns/{pk}/close/"),
}
SIGN_IN_FIRST = "sign in"
# Expected status for each role, in the order of URLS.
EXPECTED = {
    "anonymous": [SIGN_IN_FIRST] * 7,
    "mentor_a": [403] * 7,
    "mentor_b": [403] * 7,
    "site_contact_a": [200, 403, 403, 200, 302, 302, 403],
    "site_contact_b": [200, 403, 403, 404, 404, 404, 403],
    "staff_user": [200, 200, 302, 200, 302, 302, 302],
    "admin_user": [200, 200, 302, 200, 302, 302, 302],
}
MATRIX = [
    pytest.param(role, url, expected, id=f"{role}-{url}")
    for role in ROLES
    for url, expected in zip(URLS, EXPECTED[role], strict=True)
]


@pytest.fixture
def everyone(mentor_a, mentor_b, site_contact_a, site_contact_b, staff_user, admin_user):
    """Every persona, by the name the table uses."""
    return {
        "mentor_a": mentor_a,
        "mentor_b": mentor_b,
        "site_contact_a": site_contact_a,
        "site_contact_b": site_contact_b,
        "staff_user": staff_user,
        "admin_user": admin_user,
    }


def database_state() -> tuple:
    return (
        list(SafetyConcern.objects.order_by("pk").values()),
        list(ConcernNote.objects.order_by("pk").values()),
        list(Notification.objects.order_by("pk").values_list("pk", flat=True)),
        list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    )


@pytest.mark.parametrize(("role", "url", "expected"), MATRIX)
def test_who_may_open_each_concern_url(client, everyone, concern_a, match_a, role, url, expected):
    method, path = URLS[url]
    path = path.format(pk=concern_a.pk)
    data = {
        "new POST": {"match": match_a.pk, "description": "A second concern."},
        "acknowledge POST": {"note": "Seen."},
        "notes POST": {"text": "A note."},
        "close POST": {"outcome": "Resolved."},
    }.get(url, {})
    if role != "anonymous":
        client.force_login(everyone[role])
    before = database_state()

    response = getattr(client, method)(path, data)

    if expected == SIGN_IN_FIRST:
        assert response.status_code == 302
        assert response["Location"] == f"{SIGN_IN}?next={path}"
    else:
        assert response.status_code == expected
    refused = expected in (SIGN_IN_FIRST, 403, 404)
    if refused:
        assert database_state() == before, "a refused request changes nothing, not even the log"
    elif method == "post":
        assert database_state() != before


def test_a_mentor_never_sees_the_concern_queue_even_for_their_own_concern(client_a, concern_a):
    assert client_a.get("/concerns/").status_code == 403
    assert client_a.get(detail_url(concern_a)).status_code == 403


def test_the_site_contact_of_school_b_gets_404_on_school_as_concern(
    client, site_contact_b, concern_a
):
    client.force_login(site_contact_b)
    assert client.get(detail_url(concern_a)).status_code == 404
    assert client.post(f"/concerns/{concern_a.pk}/acknowledge/").status_code == 404
    assert client.post(f"/concerns/{concern_a.pk}/notes/", {"text": "x"}).status_code == 404
    concern_a.refresh_from_db()
    assert concern_a.status == ConcernStatus.NEW


def test_a_missing_concern_is_404_for_staff(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/concerns/999999/").status_code == 404


# --- Raised again when nobody acknowledges it ---------------------------------------------


@pytest.fixture
def staff(staff_user, admin_user, site_contact_a):
    return {"staff@example.org", "admin@example.org"}


def test_a_concern_not_acknowledged_in_24_hours_is_raised_again_to_staff(match_a, mentor_a, staff):
    concern = raise_concern(match_a, by=mentor_a, hours_ago=25)
    now = timezone.now()

    assert services.concerns_escalate(now=now) == 1

    concern.refresh_from_db()
    assert concern.escalated_at == now
    assert concern.status == ConcernStatus.NEW
    escalated = notifications_for(concern, "concern-escalated")
    assert {n.to for n in escalated} == staff, "staff only, not the site contact"
    assert escalated.count() == 2
    event = events(concern, "concern.escalated").get()
    assert event.actor is None
    assert "24 hours" in event.note


def test_the_escalation_command_raises_it_again(match_a, mentor_a, staff):
    concern = raise_concern(match_a, by=mentor_a, hours_ago=25)
    out = io.StringIO()

    call_command("escalate_concerns", stdout=out)

    assert "1 concern(s) raised again to staff." in out.getvalue()
    concern.refresh_from_db()
    assert concern.escalated_at is not None
    assert {n.to for n in notifications_for(concern, "concern-escalated")} == staff
    assert events(concern, "concern.escalated").count() == 1


def test_running_the_escalation_twice_sends_nothing_twice(match_a, mentor_a, staff):
    concern = raise_concern(match_a, by=mentor_a, hours_ago=25)
    call_command("escalate_concerns", stdout=io.StringIO())
    first_escalation = SafetyConcern.objects.get(pk=concern.pk).escalated_at
    out = io.StringIO()

    call_command("escalate_concerns", stdout=out)
    assert services.concerns_escalate(now=timezone.now() + dt.timedelta(days=3)) == 0

    assert "0 concern(s) raised again to staff." in out.getvalue()
    assert notifications_for(concern, "concern-escalated").count() == 2
    assert events(concern, "concern.escalated").count() == 1
    assert SafetyConcern.objects.get(pk=concern.pk).escalated_at == first_escalation


def test_an_acknowledged_concern_is_not_raised_again(match_a, mentor_a, site_contact_a, staff):
    concern = raise_concern(match_a, by=mentor_a, hours_ago=48)
    services.concern_acknowledge(concern=concern, user=site_contact_a)

    call_command("escalate_concerns", stdout=io.StringIO())

    assert not notifications_for(concern, "concern-escalated").exists()
    assert SafetyConcern.objects.get(pk=concern.pk).escalated_at is None


def test_a_closed_concern_is_not_raised_again(match_a, mentor_a, staff_user, staff):
    concern = raise_concern(match_a, by=mentor_a, hours_ago=48)
    services.concern_close(concern=concern, user=staff_user, outcome="Handled by phone.")

    assert services.concerns_escalate() == 0
    assert not notifications_for(concern, "concern-escalated").exists()


def test_a_concern_younger_than_the_time_allowed_is_not_raised_again(match_a, mentor_a, staff):
    concern = raise_concern(match_a, by=mentor_a, hours_ago=23)

    call_command("escalate_concerns", stdout=io.StringIO())

    assert not notifications_for(concern, "concern-escalated").exists()
    assert SafetyConcern.objects.get(pk=concern.pk).escalated_at is None


def test_the_escalation_respects_the_programs_time(program, match_a, mentor_a, staff):
    concern = raise_concern(match_a, by=mentor_a, hours_ago=3)
    assert services.concerns_escalate() == 0, "3 hours is within the default 24"

    program.concern_acknowledge_hours = 2
    program.save()
    call_command("escalate_concerns", stdout=io.StringIO())

    assert {n.to for n in notifications_for(concern, "concern-escalated")} == staff
    assert "2 hours" in events(concern, "concern.escalated").get().note


def test_a_raised_again_concern_is_marked_for_staff(client, match_a, mentor_a, staff_user):
    concern = raise_concern(match_a, by=mentor_a, hours_ago=25)
    services.concerns_escalate()
    client.force_login(staff_user)

    assert "Raised again" in read_page(client.get("/concerns/")).text
    assert "Raised again" in read_page(client.get(detail_url(concern))).text
