"""A coordinator's caseload in Chromium: filter the matches, tick some, give them to a
coordinator, then close one match; the matches list and the closure page axe-clean on a
phone and on a desktop."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from portal.accounts.models import Role
from portal.mentoring import caseloads
from portal.mentoring.models import Match, MatchStatus, ProgramSettings
from tests.browser.helpers import DESKTOP, PHONE, describe, page_width, serious_violations, shot
from tests.conftest import make_match, make_user

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


def _signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def _axe(page, name: str, found: list[str]) -> None:
    page.wait_for_load_state()
    shot(page, f"caseload-{name}")
    violations = serious_violations(page)
    if violations:
        found.append(f"{name} ({page.url}):\n{describe(violations)}")


@VIEWPORTS
def test_a_coordinator_filters_selects_assigns_and_closes_a_match(
    page, live_server, program, school_a, school_b, viewport
):
    page.set_viewport_size(viewport)
    start = timezone.localdate(timezone.now(), ProgramSettings.load().tz) - dt.timedelta(days=200)
    robin = make_user("robin@example.org", Role.STAFF, "Robin Ellis")
    maria = make_user("maria@example.org", Role.STAFF, "Maria Lopez")
    at_a = [make_match(f"a{i}@example.org", school_a, f"Ava{i}", start) for i in range(4)]
    at_b = [make_match(f"b{i}@example.org", school_b, f"Ben{i}", start) for i in range(2)]
    caseloads.assign_coordinator(
        matches=Match.objects.filter(pk=at_b[0].pk), coordinator=robin, actor=robin
    )
    found: list[str] = []
    _signed_in(page, live_server, robin)

    # Robin's own caseload first.
    page.goto(f"{live_server.url}/staff/matches/")
    expect(page.get_by_role("heading", name="My matches")).to_be_visible()
    _axe(page, "my-matches", found)
    assert page_width(page) <= viewport["width"]

    # Every unassigned match at Lincoln Elementary.
    page.get_by_label("Coordinator", exact=True).select_option(label="Nobody yet (unassigned)")
    page.get_by_label("School site").select_option(label="Lincoln Elementary")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Matches without a coordinator")).to_be_visible()
    _axe(page, "unassigned", found)
    page.get_by_label("Choose the match of Mentor Ava0 with Ava0 D.").check()
    page.get_by_label("Choose the match of Mentor Ava2 with Ava2 D.").check()
    page.get_by_label("Give them to").select_option(label="Maria Lopez")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("2 matches assigned to Maria Lopez.")).to_be_visible()
    assert set(caseloads.matches_of(maria)) == {at_a[0], at_a[2]}

    # The rest of the filter, all at once.
    page.get_by_label("All 2 matching the filter (active ones)").check()
    page.get_by_label("Give them to").select_option(label="Robin Ellis")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("2 matches assigned to Robin Ellis.")).to_be_visible()
    assert caseloads.unassigned_matches().get() == at_b[1]

    # Close one of Robin's matches.
    page.goto(f"{live_server.url}/staff/matches/")
    page.get_by_role("link", name="Mentor Ava1").click()
    page.get_by_role("link", name="Close this match").click()
    page.get_by_role("button", name="Close the match").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    _axe(page, "close-errors", found)
    page.get_by_label("The mentee or their family").check()
    page.get_by_label("Why is it closing?").select_option(label="Mentee changed school")
    page.locator("#field-talk_with_mentor").get_by_label("Yes").check()
    page.locator("#field-talk_with_family").get_by_label("No").check()
    page.get_by_label("Notes (optional)").fill("Moved to Roosevelt in the spring.")
    _axe(page, "close", found)
    assert page_width(page) <= viewport["width"]
    page.get_by_role("button", name="Close the match").click()
    expect(page.get_by_text("The match is closed.")).to_be_visible()
    closed = Match.objects.get(pk=at_a[1].pk)
    assert closed.status == MatchStatus.CLOSED and closed.closure_choice.label == (
        "Mentee changed school"
    )
    _axe(page, "closed-match", found)
    assert not found, "axe found serious or critical violations on\n" + "\n\n".join(found)
