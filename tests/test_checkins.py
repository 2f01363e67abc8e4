"""Support check-ins (SPEC 8, issue 14 item 2): the form's rules and messages, the safety
question raising exactly one concern with its notifications, the cadence settings, the
overdue list (oldest first, flat query counts), who may see any of it, and the audit trail."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import Role, User
from portal.audit.models import AuditEvent
from portal.checkins import selectors, services
from portal.checkins.models import CheckIn, CheckInCadence
from portal.lifecycle.forgetting import MENTEE_LOOKUPS
from portal.mentoring.models import Match, MatchStatus, Mentee, Mentor, MentorStatus
from portal.notifications.models import Notification
from portal.safeguarding.models import SafetyConcern
from tests.conftest import make_match, make_user, signed_in

NOTES = "Jane says her grandmother has been ill; the visits are shorter."
WHAT_HAPPENED = "Jane's mother said someone at home hit her last week."


def program_today(program) -> dt.date:
    return timezone.localdate(timezone.now(), program.tz)


def record_url(match, **query) -> str:
    url = reverse("checkins:record", args=[match.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def form(program, **fields) -> dict:
    data = {
        "with_whom": "mentor",
        "how": "call",
        "on_date": program_today(program).isoformat(),
        "at_time": "",
        "strength": "4",
        "notes": NOTES,
        "safety_concern": "no",
        "concern_description": "",
        "submission_token": str(uuid.uuid4()),
        "back": "match",
    }
    return {**data, **fields}


@pytest.fixture
def coordinated(match_a, staff_user):
    Match.objects.filter(pk=match_a.pk).update(coordinator=staff_user)
    match_a.refresh_from_db()
    return match_a


# --- The form's rules and messages ---------------------------------------------------------


def test_a_coordinator_records_a_check_in_on_a_match(staff_client, coordinated, program):
    response = staff_client.post(record_url(coordinated), form(program))

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:match_detail", args=[coordinated.pk])
    checkin = CheckIn.objects.get()
    assert (checkin.match, checkin.with_whom, checkin.how, checkin.strength) == (
        coordinated,
        "mentor",
        "call",
        4,
    )
    assert checkin.notes == NOTES and checkin.concern is None
    assert checkin.recorded_by.email == "staff@example.org"


def test_the_kind_is_prefilled_from_the_overdue_list(staff_client, coordinated):
    page = staff_client.get(record_url(coordinated, kind="guardian", back="overdue"))
    html = page.content.decode()
    assert 'value="guardian" id="id_with_whom_2" checked' in html or (
        'value="guardian"' in html and "checked" in html.split('value="guardian"')[1][:60]
    )
    assert f'href="{reverse("checkins:overdue")}"' in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"on_date": "2999-01-01"}, "on_date", "cannot be in the future"),
        ({"on_date": "2000-01-01"}, "on_date", "enter a day from then on"),
        ({"on_date": "soon"}, "on_date", "Enter the day as a date, like 2026-06-12."),
        ({"with_whom": ""}, "with_whom", "Choose who you talked to."),
        ({"how": "carrier pigeon"}, "how", "Choose how you were in touch from the list."),
        ({"strength": ""}, "strength", "Choose how strong the match is, as the mentor told you."),
        ({"strength": "9"}, "strength", "Choose how strong the match is from the list."),
        ({"safety_concern": "yes"}, "concern_description", "Say what happened"),
        ({"at_time": "teatime"}, "at_time", "Enter the time like 15:30"),
        ({"notes": "x" * 5001}, "notes", "at most 5,000 characters"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_saved(
    staff_client, coordinated, program, fields, field, message
):
    response = staff_client.post(record_url(coordinated), form(program, **fields))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message.split(",")[0] in response.content.decode().replace("&#x27;", "'")
    assert not CheckIn.objects.exists()


def test_strength_is_optional_after_talking_to_a_parent_or_the_school(
    staff_client, coordinated, program
):
    for who in ("guardian", "school"):
        staff_client.post(record_url(coordinated), form(program, with_whom=who, strength=""))
    assert list(CheckIn.objects.values_list("strength", flat=True)) == [None, None]


def test_control_characters_are_removed_from_the_notes(staff_client, coordinated, program):
    staff_client.post(record_url(coordinated), form(program, notes="Fine\x00 today\x1b"))
    assert CheckIn.objects.get().notes == "Fine today"


def test_the_same_form_sent_twice_records_one_check_in(staff_client, coordinated, program):
    data = form(program)
    staff_client.post(record_url(coordinated), data)
    staff_client.post(record_url(coordinated), data)
    assert CheckIn.objects.count() == 1


# --- The safety question -------------------------------------------------------------------


@pytest.fixture
def recipients(staff_user, admin_user, site_contact_a, site_contact_b):
    return {"staff@example.org", "admin@example.org", "contact-a@example.org"}


def test_yes_raises_one_concern_at_the_matchs_school_with_its_notifications(
    staff_client, coordinated, program, recipients
):
    data = form(program, safety_concern="yes", concern_description=WHAT_HAPPENED)
    response = staff_client.post(record_url(coordinated), data)

    assert response.status_code == 302
    concern = SafetyConcern.objects.get()
    assert concern.match == coordinated and concern.site == coordinated.site
    assert concern.description == WHAT_HAPPENED
    assert CheckIn.objects.get().concern == concern
    sent = Notification.objects.filter(subject_type="concern", subject_id=concern.pk)
    assert {n.to for n in sent} == recipients
    assert sent.count() == 3
    assert not Notification.objects.filter(to="contact-b@example.org").exists()
    assert AuditEvent.objects.filter(action="concern.raised", object_id=concern.pk).count() == 1


def test_yes_sent_twice_raises_the_concern_once(staff_client, coordinated, program, recipients):
    data = form(program, safety_concern="yes", concern_description=WHAT_HAPPENED)
    staff_client.post(record_url(coordinated), data)
    staff_client.post(record_url(coordinated), data)

    assert CheckIn.objects.count() == 1
    assert SafetyConcern.objects.count() == 1
    assert Notification.objects.count() == 3


def test_the_service_called_twice_with_one_token_raises_one_concern(
    coordinated, staff_user, recipients
):
    token = uuid.uuid4()
    args = {
        "match": coordinated,
        "user": staff_user,
        "with_whom": "guardian",
        "how": "in_person",
        "on_date": coordinated.start_date,
        "safety_concern": True,
        "concern_description": WHAT_HAPPENED,
        "submission_token": token,
    }
    first = services.checkin_record(**args)
    second = services.checkin_record(**args)
    assert first.pk == second.pk
    assert SafetyConcern.objects.count() == 1 and Notification.objects.count() == 3


def test_no_raises_no_concern(staff_client, coordinated, program, recipients):
    staff_client.post(record_url(coordinated), form(program, concern_description="ignored"))
    assert not SafetyConcern.objects.exists() and not Notification.objects.exists()


# --- Audit ---------------------------------------------------------------------------------


def test_a_check_in_is_audited_without_its_notes(staff_client, coordinated, program):
    staff_client.post(record_url(coordinated), form(program))
    checkin = CheckIn.objects.get()
    event = AuditEvent.objects.get(action="checkin.recorded")
    assert event.object_id == checkin.pk and event.actor.email == "staff@example.org"
    assert event.new_values["with_whom"] == "mentor" and event.new_values["strength"] == 4
    assert NOTES not in str(event.new_values) + event.note


def test_the_erasure_knows_how_a_check_in_reaches_the_child():
    assert MENTEE_LOOKUPS[CheckIn].lookup == "match__mentee"
    assert MENTEE_LOOKUPS[CheckIn].erased


# --- Cadence settings ----------------------------------------------------------------------


def test_the_default_cadence_is_mentor_monthly_and_guardian_quarterly(db):
    assert selectors.cadences() == {"mentor": 1, "mentee": None, "guardian": 3, "school": None}


def test_an_administrator_sets_the_cadence_and_it_is_audited(admin_client):
    url = reverse("checkins:cadence")
    response = admin_client.post(url, {"mentor": "2", "mentee": "", "guardian": "3", "school": "6"})

    assert response.status_code == 302
    assert selectors.cadences() == {"mentor": 2, "mentee": None, "guardian": 3, "school": 6}
    changed = AuditEvent.objects.filter(action="checkin.cadence_changed")
    assert {(e.old_values["months"], e.new_values["months"]) for e in changed} == {
        (1, 2),
        (None, 6),
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "at least 1 month"), ("25", "at most 24"), ("often", "whole number of months")],
)
def test_a_bad_cadence_gets_a_clear_message(admin_client, value, message):
    response = admin_client.post(reverse("checkins:cadence"), {"mentor": value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CheckInCadence.objects.exists()


def test_program_staff_who_are_not_administrators_cannot_change_the_cadence(staff_client):
    assert staff_client.get(reverse("checkins:cadence")).status_code == 403
    assert staff_client.post(reverse("checkins:cadence"), {"mentor": "6"}).status_code == 403
    assert not CheckInCadence.objects.exists()


def test_the_settings_page_links_to_the_cadence(admin_client):
    page = admin_client.get(reverse("staff:program_settings")).content.decode()
    assert reverse("checkins:cadence") in page


# --- Next due and overdue ------------------------------------------------------------------


def started_ago(match, today, days):
    Match.objects.filter(pk=match.pk).update(start_date=today - dt.timedelta(days=days))
    match.refresh_from_db()
    return match


def checkin(match, user, kind, day):
    return CheckIn.objects.create(
        match=match, recorded_by=user, recorded_at=timezone.now(), with_whom=kind, how="call",
        on_date=day,
    )  # fmt: skip


def test_overdue_check_ins_are_listed_oldest_first(program, school_a, staff_user):
    today = program_today(program)
    old = started_ago(make_match("m1@example.org", school_a, "Ava", today), today, 200)
    recent = started_ago(make_match("m2@example.org", school_a, "Bo", today), today, 45)
    fine = started_ago(make_match("m3@example.org", school_a, "Cy", today), today, 10)
    Match.objects.update(coordinator=staff_user)
    checkin(old, staff_user, "guardian", today - dt.timedelta(days=100))

    rows = selectors.overdue_checkins(coordinator=staff_user, today=today)

    assert [(row.match.pk, row.kind) for row in rows] == [
        (old.pk, "mentor"),  # a month after a start 200 days ago: about 170 days late
        (recent.pk, "mentor"),  # a month after a start 45 days ago: about 15 days late
        (old.pk, "guardian"),  # three months after 100 days ago: about 8 days late
    ]
    assert [row.due for row in rows] == sorted(row.due for row in rows)
    assert rows[0].days_overdue == (today - rows[0].due).days > 0
    assert fine.pk not in {row.match.pk for row in rows}


def test_a_check_in_moves_the_next_one_due_and_a_closed_match_has_none(
    program, coordinated, staff_user
):
    today = program_today(program)
    checkin(coordinated, staff_user, "mentor", today)
    upcoming = {row.kind: row for row in selectors.next_checkins_due(coordinated, today)}
    assert upcoming["mentor"].last == today and not upcoming["mentor"].overdue
    assert upcoming["guardian"].overdue  # none since the match started a year ago
    assert "school" not in upcoming
    assert selectors.last_checkin(coordinated).on_date == today

    Match.objects.filter(pk=coordinated.pk).update(status=MatchStatus.CLOSED, end_date=today)
    coordinated.refresh_from_db()
    assert selectors.next_checkins_due(coordinated, today) == []
    assert selectors.overdue_checkins(today=today) == []


def test_a_cadence_change_recomputes_the_next_due(program, coordinated, staff_user):
    today = program_today(program)
    last = today - dt.timedelta(days=40)
    checkin(coordinated, staff_user, "mentor", last)
    assert [r.kind for r in selectors.overdue_checkins(today=today)] == ["guardian", "mentor"]
    CheckInCadence.objects.create(kind="mentor", months=3)
    assert [r.kind for r in selectors.overdue_checkins(today=today)] == ["guardian"]
    due = {r.kind: r.due for r in selectors.next_checkins_due(coordinated, today)}
    from portal.checkins.rules import add_months

    assert due["mentor"] == add_months(last, 3)


def test_the_dashboard_lists_the_coordinators_own_overdue_check_ins(
    program, coordinated, staff_user, school_a
):
    other = make_user("other-staff@example.org", Role.STAFF, "Sam Other")
    theirs = make_match("m9@example.org", school_a, "Zed", coordinated.start_date)
    Match.objects.filter(pk=theirs.pk).update(coordinator=other)

    page = signed_in(staff_user).get(reverse("staff:dashboard")).content.decode()

    assert "Check-ins overdue: 2" in page
    assert "Mentor Jane" in page and "Mentor Zed" not in page
    assert record_url(coordinated, kind="mentor", back="overdue").replace("&", "&amp;") in page
    assert "Across the program" not in page


def test_administrators_also_see_the_programs_total(program, coordinated, admin_user):
    page = signed_in(admin_user).get(reverse("staff:dashboard")).content.decode()
    assert "Check-ins overdue: 0" in page
    assert "Across the program: 2 check-ins overdue." in page


def test_recording_from_the_overdue_list_takes_the_check_in_off_it(
    staff_client, program, coordinated
):
    data = form(program, back="overdue")
    response = staff_client.post(record_url(coordinated, kind="mentor", back="overdue"), data)
    assert response["Location"] == reverse("checkins:overdue")
    page = staff_client.get(reverse("checkins:overdue")).content.decode()
    assert "Parent or guardian check-in" in page and "Mentor check-in" not in page


def test_the_match_page_shows_next_due_and_the_history(staff_client, program, coordinated):
    staff_client.post(record_url(coordinated), form(program, strength="5"))
    page = staff_client.get(reverse("staff:match_detail", args=[coordinated.pk])).content.decode()
    assert "Check-ins" in page and "5 - Very strong" in page and NOTES.split(";")[0] in page
    assert "Parent or guardian: next due" in page


# --- Who may see check-ins -----------------------------------------------------------------


@pytest.fixture
def outsiders(mentor_a, mentor_b, site_contact_a, site_contact_b):
    return [mentor_a, mentor_b, site_contact_a, site_contact_b]


def test_mentors_and_site_contacts_never_see_a_check_in(
    program, coordinated, staff_user, outsiders
):
    checkin(coordinated, staff_user, "mentor", coordinated.start_date)
    for user in outsiders:
        client = signed_in(user)
        for url in (
            record_url(coordinated),
            reverse("checkins:overdue"),
            reverse("checkins:cadence"),
        ):
            assert client.get(url).status_code == 403, (user.email, url)
        assert client.post(record_url(coordinated), form(program)).status_code == 403
        # The match page that shows the history is staff only too.
        page = client.get(reverse("staff:match_detail", args=[coordinated.pk]))
        assert page.status_code == 403
        for home in ("/", reverse("mentoring:home")):
            assert "check-in" not in client.get(home, follow=True).content.decode().lower()
    assert CheckIn.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, coordinated):
    response = client.get(record_url(coordinated))
    assert response.status_code == 302 and "sign-in" in response["Location"]


# --- Query counts --------------------------------------------------------------------------


def add_matches(count: int, *, coordinator, site, start: dt.date) -> None:
    first = User.objects.count()
    users = User.objects.bulk_create(
        User(email=f"bulk{first + i}@example.org", role=Role.MENTOR, full_name=f"Bulk {i}")
        for i in range(count)
    )
    mentors = Mentor.objects.bulk_create(
        Mentor(user=user, status=MentorStatus.ACTIVE, enrolled_on=start) for user in users
    )
    mentees = Mentee.objects.bulk_create(
        Mentee(first_name=f"Kid{i}", last_initial="K", site=site, grade="5") for i in range(count)
    )
    matches = Match.objects.bulk_create(
        Match(mentor=m, mentee=k, site=site, start_date=start, coordinator=coordinator)
        for m, k in zip(mentors, mentees, strict=True)
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            match=match,
            recorded_by=coordinator,
            recorded_at=timezone.now(),
            with_whom="guardian",
            how="text",
            on_date=start + dt.timedelta(days=i % 30),
        )  # fmt: skip
        for i, match in enumerate(matches[::2])
    )


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboard_and_the_overdue_list_cost_the_same_at_50_and_500_matches(
    program, school_a, admin_user
):
    today = program_today(program)
    client = signed_in(admin_user)
    add_matches(50, coordinator=admin_user, site=school_a, start=today - dt.timedelta(days=200))
    at_50 = {url: queries(client, url) for url in (reverse("staff:dashboard"),)}
    at_50[reverse("checkins:overdue")] = queries(client, reverse("checkins:overdue"))
    assert len(selectors.overdue_checkins(coordinator=admin_user, today=today)) == 100

    add_matches(450, coordinator=admin_user, site=school_a, start=today - dt.timedelta(days=200))
    at_500 = {url: queries(client, url) for url in at_50}
    assert len(selectors.overdue_checkins(coordinator=admin_user, today=today)) == 1000

    assert at_500 == at_50


def test_the_overdue_selector_takes_three_queries(program, school_a, staff_user):
    """The cadences, the late check-ins, then their matches (read once, for the rows
    asked for: a page of them, or here every one)."""
    today = program_today(program)
    add_matches(60, coordinator=staff_user, site=school_a, start=today - dt.timedelta(days=200))
    with CaptureQueriesContext(connection) as captured:
        rows = selectors.overdue_checkins(today=today)
        [row.match.mentor.user.full_name + row.match.mentee.display_name for row in rows]
        [row.match.site.name for row in rows]
    assert len(captured) == 3
