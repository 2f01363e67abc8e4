"""A concern follows its session to another school, and a withdrawn concern stays for staff
(issue 11, item 2), in Chromium."""

import datetime as dt

from django.test import Client
from playwright.sync_api import expect

from portal.mentoring.models import Match, Mentee
from portal.notifications.models import Notification
from portal.safeguarding.models import SafetyConcern
from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    datetime_local,
    describe,
    local_now,
    serious_violations,
    shot,
    sign_in,
)

CONCERN = "Jane had a bruise on her arm and said she was scared to go home."


def other_match_of(match_a, school_b) -> Match:
    """Mentor A's second match, with Marcus at school B."""
    mentee = Mentee.objects.create(first_name="Marcus", last_initial="T", site=school_b, grade="5")
    return Match.objects.create(
        mentor=match_a.mentor, mentee=mentee, site=school_b, start_date=match_a.start_date
    )


def signed_in_as(page, live_server, user) -> None:
    """Swap the page's sign-in for ``user`` (session cookie, no form)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def both_sizes(page, name: str) -> None:
    """Screenshots at phone and desktop size; the page passes axe at both."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        shot(page, name)
        violations = serious_violations(page)
        assert not violations, describe(violations)
    page.set_viewport_size(PHONE)


def test_a_session_moved_to_the_other_school_takes_its_concern_there(
    page, live_server, match_a, school_b, site_contact_a, site_contact_b, staff_user
):
    other = other_match_of(match_a, school_b)
    when = (local_now() - dt.timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)

    # The mentor logs the session on the wrong child, with a concern.
    sign_in(page, live_server, match_a.mentor.user.email)
    page.get_by_role("link", name="Log a session").click()
    page.get_by_label("Who was the session with?").select_option(
        label="Jane D. at Lincoln Elementary"
    )
    page.get_by_label("Date & time").fill(datetime_local(when))
    page.get_by_label("Hours", exact=True).select_option("1.00")
    page.get_by_label("Notes").fill("We read together. Marcus was quiet.")
    page.get_by_label("Child safety concern").check()
    page.get_by_label("What is the concern?").fill(CONCERN)
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    concern = SafetyConcern.objects.get()
    assert concern.site == match_a.site

    # ...then corrects it to the child it was with, at the other school.
    page.get_by_role("link", name="Change this entry").click()
    page.get_by_label("Who was the session with?").select_option(
        label="Marcus T. at Roosevelt Middle"
    )
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()

    concern.refresh_from_db()
    assert concern.match == other
    assert concern.site == school_b
    moved = Notification.objects.filter(template="concern-moved", subject_id=concern.pk)
    assert set(moved.values_list("to", flat=True)) == {"contact-b@example.org", staff_user.email}

    # School A's contact can no longer open it, nor find it in their list.
    signed_in_as(page, live_server, site_contact_a)
    response = page.goto(f"{live_server.url}/concerns/{concern.pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/concerns/?show=all")
    expect(page.get_by_text("No concerns at your school.")).to_be_visible()

    # School B's contact finds it, about Marcus, marked as moved to their school.
    signed_in_as(page, live_server, site_contact_b)
    page.goto(f"{live_server.url}/concerns/")
    page.get_by_role("link", name="Reported").first.click()
    details = page.locator(".details")
    expect(details).to_contain_text(CONCERN)
    expect(details).to_contain_text("Marcus T.")
    expect(details).to_contain_text("To Roosevelt Middle on")
    expect(details).not_to_contain_text("Jane D.")
    expect(page.get_by_role("button", name="Acknowledge")).to_be_visible()
    both_sizes(page, "concern-moved")


def test_a_concern_the_mentor_unticks_stays_for_staff_marked_withdrawn(
    page, live_server, match_a, site_contact_a, staff_user
):
    when = (local_now() - dt.timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    sign_in(page, live_server, match_a.mentor.user.email)
    page.get_by_role("link", name="Log a session").click()
    page.get_by_label("Date & time").fill(datetime_local(when))
    page.get_by_label("Hours", exact=True).select_option("1.00")
    page.get_by_label("Notes").fill("We read together.")
    page.get_by_label("Child safety concern").check()
    page.get_by_label("What is the concern?").fill(CONCERN)
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()

    page.get_by_role("link", name="Change this entry").click()
    page.get_by_label("Child safety concern").uncheck()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("The concern you reported stays with program staff")).to_be_visible()

    concern = SafetyConcern.objects.get()
    assert concern.withdrawn_by == match_a.mentor.user

    # Staff see it in the list and on the concern, with what to decide.
    signed_in_as(page, live_server, staff_user)
    page.goto(f"{live_server.url}/concerns/")
    row = page.locator(".session-row").first
    expect(row).to_contain_text("Withdrawn by the mentor")
    row.get_by_role("link").click()
    expect(page.locator(".concern-withdrawn")).to_contain_text(
        "The mentor withdrew this concern on"
    )
    expect(page.locator(".concern-withdrawn")).to_contain_text("decide whether to close it")
    expect(page.locator(".details")).to_contain_text(CONCERN)
    both_sizes(page, "concern-withdrawn")

    # And on the session's staff page.
    page.goto(f"{live_server.url}/staff/sessions/{concern.session_id}/")
    expect(page.locator(".concern-withdrawn")).to_contain_text(
        "The mentor withdrew this concern on"
    )
    both_sizes(page, "session-concern-withdrawn")

    # The school's contact sees it was withdrawn, and that staff decide.
    signed_in_as(page, live_server, site_contact_a)
    page.goto(f"{live_server.url}/concerns/{concern.pk}/")
    expect(page.locator(".concern-withdrawn")).to_contain_text(
        "program staff will decide whether to close it"
    )
