"""Support check-ins in Chromium: a coordinator records one from the overdue list and it
leaves the list; axe finds nothing serious on the form and the dashboard, phone and desktop."""

import pytest
from playwright.sync_api import expect

from portal.checkins.models import CheckIn
from portal.mentoring.models import Match
from tests.browser.helpers import DESKTOP, PHONE, describe, serious_violations, shot, sign_in

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


@pytest.fixture
def caseload(match_a, staff_user):
    """Jane's match (started a year ago, no check-in) in staff@example.org's caseload."""
    Match.objects.filter(pk=match_a.pk).update(coordinator=staff_user)
    return match_a


@VIEWPORTS
def test_a_coordinator_records_a_check_in_from_the_overdue_list(
    page, live_server, staff_user, caseload, viewport
):
    page.set_viewport_size(viewport)
    sign_in(page, live_server, staff_user.email)
    found = []

    def audit(name):
        page.wait_for_load_state()
        shot(page, f"checkins-{name}")
        violations = serious_violations(page)
        if violations:
            found.append(f"{name} ({page.url}):\n{describe(violations)}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name

    overdue = page.locator("section.dashboard-checkins")
    expect(overdue.get_by_role("heading")).to_have_text("Check-ins overdue: 2")
    expect(overdue).to_contain_text("Mentor check-in")
    audit("dashboard")

    overdue.locator("li", has_text="Mentor check-in").get_by_role(
        "link", name="Record check-in"
    ).click()
    expect(page.get_by_role("heading", name="Record a check-in")).to_be_visible()
    expect(page.get_by_label("Mentor", exact=True)).to_be_checked()
    audit("form")

    page.get_by_label("Phone call").check()
    page.get_by_role("button", name="Save check-in").click()
    expect(
        page.get_by_text("Choose how strong the match is, as the mentor told you.").first
    ).to_be_visible()
    audit("form-errors")

    page.get_by_label("4 - Strong").check()
    page.get_by_label("Notes (optional)").fill("Going well; reading together every week.")
    page.get_by_role("button", name="Save check-in").click()

    expect(
        page.get_by_role("heading", name="Check-ins overdue for your matches: 1")
    ).to_be_visible()
    expect(page.get_by_text("Parent or guardian check-in")).to_be_visible()
    expect(page.get_by_text("Mentor check-in")).to_have_count(0)
    audit("overdue-list")
    assert CheckIn.objects.get().strength == 4

    page.goto(f"{live_server.url}/staff/")
    expect(page.locator("section.dashboard-checkins").get_by_role("heading")).to_have_text(
        "Check-ins overdue: 1"
    )
    page.goto(f"{live_server.url}/staff/matches/{caseload.pk}/")
    expect(page.get_by_text("4 - Strong")).to_be_visible()
    audit("match")
    assert not found, "axe found serious or critical violations on\n" + "\n\n".join(found)
