"""A mentor turns text messages on and off on a phone (issue 16, item 4): the errors of a
bad number and a missing consent, then texts on, then off; axe-clean at each step."""

import re

from playwright.sync_api import expect

from portal.texts.models import TextSubscription
from tests.browser.helpers import PHONE, describe, page_width, serious_violations


def test_a_mentor_turns_texts_on_and_off_on_a_phone(mentor_page, live_server, match_a):
    page = mentor_page
    page.set_viewport_size(PHONE)
    found = []

    def audit(name):
        page.wait_for_load_state()
        if violations := serious_violations(page):
            found.append(f"{name}: {describe(violations)}")
        assert page_width(page) <= PHONE["width"], f"{name} scrolls sideways"

    page.goto(f"{live_server.url}/mentor/email/")
    expect(page.get_by_role("heading", name="Text messages")).to_be_visible()
    audit("offer")

    page.get_by_label("Your mobile number").fill("555-0123")
    page.get_by_role("button", name="Turn text messages on").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".error-summary li")).to_have_count(2)  # the number, the consent
    expect(page.get_by_label("Your mobile number")).to_have_value("555-0123")
    audit("errors")

    page.get_by_label("Your mobile number").fill("312 555 0123")
    page.get_by_label("I agree to get text messages").check()
    page.get_by_role("button", name="Turn text messages on").click()
    expect(page.get_by_text("Texts are on.")).to_be_visible()
    audit("on")
    assert TextSubscription.objects.get().phone == "+13125550123"

    page.get_by_role("button", name="Turn text messages off").click()
    expect(page.get_by_text("no more text messages")).to_be_visible()
    assert not TextSubscription.objects.get().active
    assert not found, "\n".join(found)
