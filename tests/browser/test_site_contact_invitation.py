"""A school site contact gets in (issue 11.1), in Chromium at phone and desktop size:
staff add the contact on the school's page, the contact opens the link from the email,
chooses a password and sees the concern at their school; the school page then says they
can sign in."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from portal.notifications.worker import deliver_due
from portal.safeguarding.services import concern_raise
from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    describe,
    page_width,
    serious_violations,
    shot,
    sign_in,
)

NEW_PASSWORD = "lantern-meadow-copper-58"
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


def link_from_the_email(live_server, email: str) -> str:
    """Send the outbox, then read the link in the contact's invitation as they would."""
    deliver_due(worker_id="browser-test")
    [invitation] = [m for m in mail.outbox if m.to == [email] and "/enroll/" in m.body]
    path = re.search(r"https?://[^/\s]+(/enroll/[^\s]+/)", invitation.body).group(1)
    return live_server.url + path


def assert_fits_and_is_accessible(page, viewport, name: str) -> None:
    shot(page, name)
    assert page_width(page) <= viewport["width"], f"{name} scrolls sideways"
    violations = serious_violations(page)
    assert violations == [], describe(violations)


@VIEWPORTS
def test_staff_add_a_contact_who_opens_the_email_link_and_sees_their_schools_concern(
    page, live_server, staff_user, match_a, viewport
):
    page.set_viewport_size(viewport)
    concern_raise(
        match=match_a, description="She said nobody was home for two days.", raised_by=staff_user
    )
    site = match_a.site

    # Staff add the person on the school's page.
    sign_in(page, live_server, staff_user.email)
    page.goto(f"{live_server.url}/staff/schools/{site.pk}/")
    page.get_by_role("link", name="Add a person at this school").click()
    page.get_by_label("Name").fill("Kim Park")
    page.get_by_label("Role").fill("School nurse")
    page.get_by_label("Email (they sign in with it)").fill("kim.park@example.org")
    page.get_by_label("Phone").fill("(312) 555-0150")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("An invitation to choose a password is on its way")).to_be_visible()
    row = page.locator(".session-row", has_text="Kim Park")
    expect(row).to_contain_text("Invited, waiting")
    expect(row).to_contain_text("Never signed in")
    expect(row.get_by_role("button", name="Resend the invitation")).to_be_visible()
    assert_fits_and_is_accessible(page, viewport, "contact-invited-school-page")
    page.get_by_role("button", name="Sign out").click()

    # The contact opens the link from the email and chooses a password.
    page.goto(link_from_the_email(live_server, "kim.park@example.org"))
    expect(page.get_by_role("heading", name="Welcome, Kim")).to_be_visible()
    expect(page.locator(".lead")).to_contain_text(site.name)
    expect(page.get_by_text("mentor agreement")).to_have_count(0)
    assert_fits_and_is_accessible(page, viewport, "contact-accept")
    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save my password and sign in").click()

    page.wait_for_url(f"{live_server.url}/accounts/site/")
    expect(page.get_by_text("Your password is set and you are signed in")).to_be_visible()
    expect(page.get_by_text(f"You are the site contact for {site.name}")).to_be_visible()
    expect(page.get_by_text("1 open concern")).to_be_visible()
    assert_fits_and_is_accessible(page, viewport, "contact-home")
    page.get_by_role("link", name="See the concerns at your school").click()
    expect(page.locator(".session-row")).to_have_count(1)
    expect(page.locator(".session-row")).to_contain_text(site.name)
    page.locator(".session-row a").click()
    expect(page.get_by_text("She said nobody was home for two days.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # Back on the school page, staff see that the contact can sign in.
    sign_in(page, live_server, staff_user.email)
    page.goto(f"{live_server.url}/staff/schools/{site.pk}/")
    row = page.locator(".session-row", has_text="Kim Park")
    expect(row).to_contain_text("Can sign in")
    expect(row).to_contain_text("Last signed in")
    expect(row.get_by_role("button")).to_have_count(0)
