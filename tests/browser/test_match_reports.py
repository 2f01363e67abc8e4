"""The match reports in Chromium: a coordinator opens them, narrows the period and the
match strength to one coordinator, and axe finds nothing serious, on a phone and a desktop."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.checkins.models import CheckIn
from portal.mentoring.models import Choice, ChoiceList, Match, MatchStatus
from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    describe,
    local_now,
    page_width,
    serious_violations,
    shot,
    sign_in,
)
from tests.conftest import make_match

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


@pytest.fixture
def matches(program, school_a, school_b, staff_user):
    """Two closed matches (one reached six months, one did not), two active ones (one
    without a coordinator), and rated check-ins this month and last."""
    today = local_now().date()
    days = dt.timedelta
    reason = Choice.objects.get(list=ChoiceList.CLOSURE_REASON, label="Family request")
    closed = [
        make_match("long@example.org", school_a, "Ava", today - days(400)),
        make_match("short@example.org", school_b, "Ben", today - days(200)),
    ]
    for match, ended in zip(closed, (days(100), days(120)), strict=True):
        Match.objects.filter(pk=match.pk).update(
            status=MatchStatus.CLOSED,
            end_date=today - ended,
            closure_choice=reason,
            closed_by_whom="family",
            coordinator=staff_user,
        )
    active = make_match("active@example.org", school_a, "Cal", today - days(90))
    Match.objects.filter(pk=active.pk).update(coordinator=staff_user)
    make_match("nobody@example.org", school_b, "Dee", today - days(30))
    for day, strength in ((today, 4), (today - days(35), 3)):
        CheckIn.objects.create(
            match=active,
            recorded_by=staff_user,
            recorded_at=timezone.now(),
            with_whom="mentor",
            how="call",
            on_date=max(day, active.start_date),
            strength=strength,
        )


@VIEWPORTS
def test_a_coordinator_reads_the_match_reports(page, live_server, staff_user, matches, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, live_server, staff_user.email)
    found = []

    def audit(name):
        page.wait_for_load_state()
        shot(page, f"reports-{name}")
        violations = serious_violations(page)
        if violations:
            found.append(f"{name} ({page.url}):\n{describe(violations)}")
        assert page_width(page) <= viewport["width"], name

    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("link", name="Match reports").click()
    expect(page.get_by_role("heading", name="Match reports", level=1)).to_be_visible()
    for heading in (
        "Match length and retention",
        "Check-in compliance",
        "Closure reasons",
        "Match strength by month",
    ):
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
    expect(page.get_by_text("Matches that started at any time: 4")).to_be_visible()
    length = page.get_by_role("table", name="Length of the matches that started at any time")
    expect(length.get_by_role("row", name="Closed matches that reached 6 months")).to_contain_text(
        "1 of 2 (50%)"
    )
    compliance = page.get_by_role("table", name="Check-in compliance by coordinator")
    expect(compliance.get_by_role("row", name="Unassigned")).to_be_visible()
    expect(page.get_by_role("table", name="Why the matches closed")).to_contain_text(
        "Family request"
    )
    strength = page.get_by_role("table", name="Average match strength by month, all coordinators")
    expect(strength.get_by_text("No check-ins").first).to_be_visible()
    audit("all-time")

    page.get_by_label("Match strength for").select_option(label="Matches without a coordinator")
    page.get_by_role("button", name="Show").click()
    expect(
        page.get_by_role(
            "table", name="Average match strength by month, matches without a coordinator"
        )
    ).to_be_visible()
    audit("unassigned")

    page.goto(f"{live_server.url}/staff/reports/matches/?start=2026-13&coordinator=x")
    expect(page.get_by_text("From month: Choose a month as YYYY-MM")).to_be_visible()
    expect(page.get_by_text("Coordinator: choose one from the list")).to_be_visible()
    audit("wrong-address")

    with page.expect_download() as download:
        page.get_by_role("link", name="Excel file of the closure reasons").click()
    assert download.value.suggested_filename == "closure-reasons-all-time.xlsx"
    assert not found, "axe found serious or critical violations on\n" + "\n\n".join(found)
