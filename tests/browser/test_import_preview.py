"""The import preview in Chromium: a file uploaded again shows which rows are skipped."""

import pytest
from playwright.sync_api import expect

from portal.mentoring.models import Mentee
from tests.browser.helpers import DESKTOP, PHONE, describe, serious_violations, shot, sign_in

FILE = (
    "first_name,last_initial,school,grade\n"
    "Zoe,Q,Lincoln Elementary,5\n"
    "Yan,R,Lincoln Elementary,K\n"
    "Zoe,Q,Lincoln Elementary,5\n"
)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_preview_shows_rows_already_in_the_portal(
    page, live_server, staff_user, school_a, viewport
):
    Mentee.objects.create(first_name="Yan", last_initial="R", site=school_a, grade="K")
    page.set_viewport_size(viewport)
    sign_in(page, live_server, staff_user.email)
    page.goto(f"{live_server.url}/staff/import/mentees/")
    page.get_by_label("CSV file").set_input_files(
        {"name": "mentees.csv", "mimeType": "text/csv", "buffer": FILE.encode()}
    )
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", name="Ready to save 1 mentee")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("New will be added")
    expect(rows.nth(1)).to_contain_text("Already in the portal: will be skipped")
    expect(rows.nth(2)).to_contain_text("Same as row 2: will be skipped")
    shot(page, "import-preview-skipped")
    violations = serious_violations(page)
    assert not violations, describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_role("button", name="Save 1 mentee").click()
    expect(page.get_by_text("Added 1 mentee. Skipped 2 rows")).to_be_visible()
    assert Mentee.objects.filter(site=school_a).count() == 2
