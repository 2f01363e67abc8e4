"""The weekly digest setting in Chromium: a coordinator finds it from the sign-in security
page and turns it off; axe finds nothing serious, phone and desktop."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, PHONE, describe, serious_violations, sign_in

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


@VIEWPORTS
def test_a_coordinator_turns_the_weekly_digest_off(page, live_server, staff_user, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, live_server, staff_user.email)
    found = []

    def audit(name):
        page.wait_for_load_state()
        violations = serious_violations(page)
        if violations:
            found.append(f"{name} ({page.url}):\n{describe(violations)}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name

    page.goto(f"{live_server.url}/accounts/two-step/")
    page.get_by_role("link", name="My weekly digest").click()
    expect(page.get_by_role("heading", name="My weekly digest")).to_be_visible()
    audit("on")
    page.get_by_role("button", name="Turn off the weekly digest").click()
    expect(page.get_by_text("The weekly digest is off.").first).to_be_visible()
    audit("off")
    staff_user.refresh_from_db()
    assert staff_user.weekly_digest is False
    assert not found, "\n\n".join(found)
