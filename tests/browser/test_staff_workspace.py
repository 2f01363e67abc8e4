"""The staff workspace in Chromium: sign in, dashboard, filter, correct, export; axe."""

import pytest
from playwright.sync_api import expect

from portal.audit.models import AuditEvent
from portal.mentoring.models import SessionLog
from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    describe,
    seed_sessions,
    serious_violations,
    shot,
    sign_in,
)

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


def test_staff_filter_correct_and_export(page, live_server, staff_user, match_a, match_b):
    month = seed_sessions(match_a)
    seed_sessions(match_b)
    sign_in(page, live_server, staff_user.email)
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    assert page.url.endswith("/staff/")

    page.get_by_role("navigation", name="Staff workspace").get_by_role(
        "link", name="Sessions"
    ).click()
    page.get_by_label("Month").fill(month)
    page.get_by_label("Mentor name or email").fill("mentor-a@")
    page.get_by_label("Attendance").select_option(label="We met")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jane D.")
    shot(page, "staff-sessions-filtered")

    rows.first.get_by_role("link").click()
    page.get_by_role("link", name="Correct this entry").click()
    page.get_by_label("Hours").select_option("2.00")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_label("Hours")).to_have_value("2.00")  # nothing typed is lost
    page.get_by_label("Why are you correcting this entry?").fill("Mentor says two hours.")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("Entry corrected")).to_be_visible()
    expect(page.get_by_text("Mentor says two hours.")).to_be_visible()
    session = SessionLog.objects.get(match=match_a, attendance="met")
    assert session.quarter_hours == 8

    page.goto(f"{live_server.url}/staff/sessions/?month={month}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == f"sessions-{month}.csv"
    with open(download.path(), encoding="utf-8") as handle:
        body = handle.read()
    assert body.startswith("Session ID,Date,Time,School site,Mentor")
    assert body.count("\n") == 5  # the header and four entries
    assert "Jane D." not in body and "We read a book" not in body  # mentee and notes
    assert AuditEvent.objects.filter(action="export.deidentified").exists()


@VIEWPORTS
def test_dashboard_and_reports_have_no_serious_violations(
    page, live_server, staff_user, match_a, viewport
):
    month = seed_sessions(match_a)
    page.set_viewport_size(viewport)
    sign_in(page, live_server, staff_user.email)
    found = []
    for name, path in [
        ("dashboard", "/staff/"),
        ("sessions", f"/staff/sessions/?month={month}"),
        ("compliance", f"/staff/compliance/?month={month}&emails=1"),
        ("hours", "/staff/hours/"),
        ("export", "/staff/export/"),
        ("imports", "/staff/import/mentors/"),
        ("matches", "/staff/matches/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state()
        shot(page, f"staff-{name}")
        violations = serious_violations(page)
        if violations:
            found.append(f"{name} ({page.url}):\n{describe(violations)}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
    assert not found, "axe found serious or critical violations on\n" + "\n\n".join(found)
