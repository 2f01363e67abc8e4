"""A child safety concern from the mentor's form to the school's acknowledgement (RULES 4.8)."""

import datetime as dt

from playwright.sync_api import expect

from portal.notifications.models import Notification
from portal.safeguarding.models import ConcernStatus, SafetyConcern
from tests.browser.helpers import SAFETY_SENTENCE, datetime_local, local_now, sign_in

CONCERN = "Jane had a bruise on her arm and said she was scared to go home."


def test_a_concern_reaches_the_school_site_contact_who_acknowledges_it(
    page, live_server, mentor_a, site_contact_a, site_contact_b
):
    when = (local_now() - dt.timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)

    # The mentor ticks the box and sees who to tell right now.
    sign_in(page, live_server, mentor_a.email)
    page.get_by_role("link", name="Log a session").click()
    page.get_by_label("Date & time").fill(datetime_local(when))
    page.get_by_label("Hours", exact=True).select_option("1.00")
    page.get_by_label("Notes").fill("We read together. Jane was quiet.")
    page.get_by_label("Child safety concern").check()
    expect(page.get_by_label("What is the concern?")).to_be_visible()
    contact_card = page.locator(".contact-card").first
    expect(contact_card).to_contain_text(SAFETY_SENTENCE)
    expect(contact_card).to_contain_text("Dana Whitfield")
    expect(contact_card).to_contain_text("(312) 555-0141")
    page.get_by_label("What is the concern?").fill(CONCERN)
    page.get_by_role("button", name="Save session").click()

    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    expect(page.get_by_role("heading", name="You reported a child safety concern")).to_be_visible()
    expect(page.locator(".panel--warning")).to_contain_text(SAFETY_SENTENCE)
    expect(page.locator(".panel--warning")).to_contain_text("contact-a@example.org")

    concern = SafetyConcern.objects.get()
    emailed = set(Notification.objects.values_list("to", flat=True))
    assert "contact-a@example.org" in emailed
    assert "contact-b@example.org" not in emailed

    # The site contact of that school signs in, finds it and acknowledges it.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, site_contact_a.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Concerns").click()
    page.get_by_role("link", name="Reported").first.click()
    expect(page.locator(".details")).to_contain_text(CONCERN)
    expect(page.locator(".details")).not_to_contain_text("We read together")  # notes stay private
    page.get_by_label("What have you done or will you do? (optional)").fill(
        "Called the family; the counselor will meet Jane tomorrow."
    )
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("the concern is acknowledged")).to_be_visible()

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ACKNOWLEDGED
    assert concern.acknowledged_by == site_contact_a


def test_the_site_contact_of_another_school_cannot_open_it(
    page, live_server, match_a, site_contact_b
):
    from portal.safeguarding.services import concern_raise

    concern = concern_raise(match=match_a, description=CONCERN, raised_by=match_a.mentor.user)
    sign_in(page, live_server, site_contact_b.email)
    response = page.goto(f"{live_server.url}/concerns/{concern.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
