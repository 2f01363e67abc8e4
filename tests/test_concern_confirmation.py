"""After a mentor raises a concern (issue 11, item 7; RULES 4.8): the confirmation names the
school contacts being emailed and says to call 911 when a child is in immediate danger; the
contact's email gives the session's day and how soon to acknowledge, never the child or the
notes.

Time is frozen on Wednesday 18 November 2026, 10:00 in Chicago.
"""

import uuid

import pytest
from django.template.loader import render_to_string

from portal.mentoring.models import SessionLog, SiteContact
from portal.notifications.models import Notification
from portal.safeguarding.models import SafetyConcern
from tests.conftest import chicago, frozen_at, log_session
from tests.page import read_page

NOW = chicago(2026, 11, 18, 10, 0)
NOTES = "We read a chapter together. Jane talked about her weekend at her aunt's."
DESCRIPTION = "Jane said her uncle locks her out of the flat at night."
EMERGENCY = "If a child is in immediate danger, call 911 now."


@pytest.fixture(autouse=True)
def _now():
    with frozen_at(NOW):
        yield


@pytest.fixture
def office_a(school_a) -> SiteContact:
    """A second contact at school A, without a sign-in."""
    return SiteContact.objects.create(
        site=school_a,
        name="Front office",
        role="Office",
        email="office-a@example.org",
        phone="(312) 555-0100",
    )


def post_session(client, match, choices, **overrides):
    data = {
        "submission_token": str(uuid.uuid4()),
        "match": match.pk,
        "starts_at": "2026-11-17T15:30",
        "attendance": "met",
        "hours": "1.00",
        "type_of_mentoring": choices["mentoring"].pk,
        "interaction": choices["in_person"].pk,
        "activity": "",
        "notes": NOTES,
        "safety_concern": "on",
        "safety_concern_details": DESCRIPTION,
    } | overrides
    return client.post("/sessions/new/", data, follow=True)


def site_email(concern: SafetyConcern, to: str = "contact-a@example.org") -> dict:
    notification = Notification.objects.get(
        subject_type="concern", subject_id=concern.pk, template="concern-raised", to=to
    )
    context = {"site_url": "https://portal.example.org", "program_name": "Test Program"}
    context |= notification.context
    return {
        part: render_to_string(f"emails/concern-raised-{part}", context)
        for part in ("subject.txt", "body.txt", "body.html")
    }


# --- The confirmation ---------------------------------------------------------------------


def test_the_confirmation_names_the_contacts_being_emailed_and_says_to_call_911(
    client_a, match_a, choices, office_a
):
    page = read_page(post_session(client_a, match_a, choices))
    assert "You reported a child safety concern" in page.text
    assert EMERGENCY in page.text
    assert (
        "We are emailing Dana Whitfield and Front office at Lincoln Elementary and program "
        "staff about it." in page.text
    )
    assert "Dana Whitfield, Counselor" in page.text
    assert "(312) 555-0141" in page.text
    assert "contact-a@example.org" in page.text
    assert "(312) 555-0100" in page.text
    assert "Any immediate safety concerns must be reported to your school site contact." in (
        page.text
    )
    # The emails may still be waiting in the outbox: the page does not claim they arrived.
    assert "notified" not in page.text


def test_a_school_without_a_contact_says_who_is_emailed_and_to_call_the_program(
    client, match_b, choices, site_contact_b
):
    SiteContact.objects.filter(site=match_b.site).delete()
    client.force_login(match_b.mentor.user)
    page = read_page(post_session(client, match_b, choices))
    assert EMERGENCY in page.text
    assert "We are emailing program staff about it." in page.text
    assert "Your school has no site contact on file yet." in page.text


def test_an_entry_without_a_concern_has_no_such_confirmation(client_a, match_a, choices):
    page = read_page(
        post_session(client_a, match_a, choices, safety_concern="", safety_concern_details="")
    )
    assert "Your session is saved" in page.text
    assert EMERGENCY not in page.text


def test_a_concern_added_from_the_question_about_the_notes_gets_the_confirmation(client_a, match_a):
    session = log_session(match_a, chicago(2026, 11, 17, 15, 30), notes="She had a bruise.")
    response = client_a.post(
        f"/sessions/{session.pk}/add/", {"concern_details": "A bruise on her arm."}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/sessions/{session.pk}/?reported=1"
    page = read_page(response)
    assert EMERGENCY in page.text
    assert "We are emailing Dana Whitfield at Lincoln Elementary" in page.text
    assert SafetyConcern.objects.filter(session=session).exists()


def test_looking_at_the_entry_later_shows_the_contact_without_the_confirmation(
    client_a, match_a, choices
):
    post_session(client_a, match_a, choices)
    session = SessionLog.objects.get()
    page = read_page(client_a.get(f"/sessions/{session.pk}/"))
    assert "Dana Whitfield, Counselor" in page.text
    assert EMERGENCY not in page.text


def test_another_mentor_never_sees_the_confirmation(client, mentor_b, match_a, choices):
    client.force_login(match_a.mentor.user)
    post_session(client, match_a, choices)
    session = SessionLog.objects.get()
    client.force_login(mentor_b)
    assert client.get(f"/sessions/{session.pk}/?saved=1").status_code == 404
    assert client.get(f"/sessions/{session.pk}/?reported=1").status_code == 404


# --- The contact's email ------------------------------------------------------------------


def test_the_contacts_email_gives_the_session_day_and_how_soon_to_acknowledge(
    client_a, match_a, choices
):
    post_session(client_a, match_a, choices)
    email = site_email(SafetyConcern.objects.get())
    for part in ("body.txt", "body.html"):
        assert "It is about the mentoring session of Tuesday 17 November 2026." in email[part]
        assert "If nobody acknowledges it by then, it is raised again" in email[part]
    assert (
        "acknowledge it within 24 hours, by Thursday 19 November 2026, 10:00 AM:"
        in (email["body.txt"])
    )
    assert (
        "within <strong>24 hours</strong>, by Thursday 19 November 2026, 10:00 AM"
        in (email["body.html"])
    )


def test_how_soon_follows_the_programs_setting(client_a, match_a, choices, program):
    program.concern_acknowledge_hours = 4
    program.save()
    post_session(client_a, match_a, choices)
    body = site_email(SafetyConcern.objects.get())["body.txt"]
    assert "within 4 hours, by Wednesday 18 November 2026, 2:00 PM:" in body


def test_the_email_names_no_child_and_quotes_no_notes(client_a, match_a, choices, office_a):
    post_session(client_a, match_a, choices)
    concern = SafetyConcern.objects.get()
    for to in ("contact-a@example.org", "office-a@example.org"):
        for part, text in site_email(concern, to).items():
            for secret in ("Jane", "uncle", "chapter", "3:30"):
                assert secret not in text, (to, part, secret)


def test_a_concern_raised_by_staff_without_a_session_gives_no_session_day(
    match_a, staff_user, site_contact_a
):
    from portal.safeguarding.services import concern_raise

    concern = concern_raise(match=match_a, description=DESCRIPTION, raised_by=staff_user, now=NOW)
    body = site_email(concern)["body.txt"]
    assert "Program staff recorded a child safety concern" in body
    assert "mentoring session of" not in body
    assert "within 24 hours, by Thursday 19 November 2026, 10:00 AM:" in body
