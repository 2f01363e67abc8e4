"""The mentor as staff see them, in Chromium: staff open a mentor's page and see every
match, the hours by month and the open follow-ups; axe finds nothing on a phone or a
desktop, and the page is no wider than the screen (screenshots with
PORTAL_BROWSER_SHOTS=/tmp/shots)."""

import datetime as dt
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from portal.checkins import services as checkin_services
from portal.followups import services as followup_services
from portal.mentoring.models import Choice, ChoiceList, Mentee, ProgramSettings
from portal.mentoring.models import Match as MatchModel
from portal.staff import services as staff_services
from tests.browser.helpers import DESKTOP, PHONE, describe, page_width, shot
from tests.conftest import chicago, log_session, make_match, make_user

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


def _signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def _mentor_with_history(staff):
    """A mentor with an open match at Lincoln Elementary and one closed a while ago, a
    few months of sessions, a check-in and a question waiting for them."""
    from portal.mentoring.models import SchoolSite

    site = SchoolSite.objects.create(name="Lincoln Elementary", address="1 Main St")
    today = timezone.localdate(timezone.now(), ProgramSettings.load().tz)
    start = today - dt.timedelta(days=400)
    match = make_match("jamie@example.org", site, "Jane", start)
    mentee = Mentee.objects.create(first_name="Luis", last_initial="M", site=site, grade="5")
    closed = MatchModel.objects.create(
        mentor=match.mentor, mentee=mentee, site=site, start_date=start
    )
    first = None
    for n in range(8):
        when = chicago(today.year, today.month, 1, 15, 0) - dt.timedelta(days=20 * n + 10)
        entry = log_session(match if n < 4 else closed, when, quarter_hours=4 + n % 3)
        first = first or entry
    staff_services.match_close(
        match=closed,
        user=staff,
        end_date=today - dt.timedelta(days=60),
        reason=Choice.objects.get(list=ChoiceList.CLOSURE_REASON, label="Family request"),
        closed_by_whom="family",
    )
    checkin_services.checkin_record(
        match=match,
        user=staff,
        with_whom="mentor",
        how="call",
        on_date=today - dt.timedelta(days=12),
        strength=4,
    )
    followup_services.followup_ask(
        session=first, user=staff, question="Can you tell me more about the washing machine?"
    )
    return match.mentor


def _screen_sized_shots(page, name: str) -> None:
    """The long page in screen-sized parts too (PORTAL_BROWSER_SHOTS), to read at full size."""
    folder = os.environ.get("PORTAL_BROWSER_SHOTS")
    if not folder:
        return
    size = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    for part, top in enumerate(range(0, height, size["height"])):
        tall = min(size["height"], height - top)
        clip = {"x": 0, "y": top, "width": size["width"], "height": tall}
        path = Path(folder) / f"{name}-part{part + 1}.png"
        page.screenshot(path=str(path), full_page=True, clip=clip)


@VIEWPORTS
def test_staff_see_a_mentors_matches_hours_and_follow_ups(page, live_server, db, viewport):
    page.set_viewport_size(viewport)
    staff = make_user("robin@example.org", "staff", "Robin Ellis")
    mentor = _mentor_with_history(staff)
    _signed_in(page, live_server, staff)

    page.goto(f"{live_server.url}/staff/mentors/{mentor.pk}/")

    expect(page.get_by_role("heading", name="Mentor Jane", exact=True)).to_be_visible()
    matches = page.locator(".card--match")
    expect(matches).to_have_count(2)
    expect(matches.first.get_by_role("link", name="Jane D. at Lincoln Elementary")).to_be_visible()
    expect(matches.nth(1)).to_contain_text("Family request")
    hours = page.get_by_role("table", name="Sessions and hours by month")
    expect(hours.locator("tfoot")).to_contain_text("All time")
    expect(page.get_by_role("link", name="About the session of")).to_be_visible()
    expect(page.get_by_role("heading", name="Readiness")).to_be_visible()

    shot(page, "mentorpage")
    _screen_sized_shots(page, f"mentorpage-{'phone' if viewport == PHONE else 'desktop'}")
    assert page_width(page) <= viewport["width"]
    violations = Axe().run(page).response["violations"]
    assert not violations, describe(violations)
