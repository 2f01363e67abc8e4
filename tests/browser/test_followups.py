"""Follow-ups in Chromium: staff ask on an entry, the mentor (on a phone) sees it on their
home page and answers it, staff resolve it; axe on the answer page and the staff session
page with follow-ups, at phone and desktop size."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from portal.followups import services
from portal.followups.models import FollowUp, FollowUpStatus
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

QUESTION = "Can you tell me more about the washing machine?"
ANSWER = "It broke last month. They wash clothes in the bathtub."
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


def signed_in_as(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_staff_ask_the_mentor_answers_on_a_phone_and_staff_resolve(
    page, live_server, staff_user, mentor_a, match_a
):
    seed_sessions(match_a)
    session = SessionLog.objects.filter(match=match_a, attendance="met").get()
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, staff_user.email)
    page.goto(f"{live_server.url}/staff/sessions/{session.pk}/")
    expect(page.get_by_role("heading", name="Ask the mentor about this entry")).to_be_visible()
    page.get_by_label("Your question").fill(QUESTION)
    page.get_by_role("button", name="Ask the mentor").click()
    expect(page.get_by_text("Your question is sent")).to_be_visible()
    expect(page.get_by_text("Waiting for the mentor")).to_be_visible()

    page.set_viewport_size(PHONE)
    signed_in_as(page, live_server, mentor_a)
    page.goto(f"{live_server.url}/mentor/")
    block = page.get_by_role("heading", name="Your coordinator asked about an entry")
    expect(block).to_be_in_viewport()  # above the fold on a phone
    shot(page, "followup-mentor-home")
    page.get_by_role("link", name="Answer").click()
    expect(page.get_by_text(QUESTION)).to_be_visible()
    shot(page, "followup-answer")
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Your answer is sent to your coordinator")).to_be_visible()
    expect(page.get_by_text("Your coordinator asked about an entry")).to_have_count(0)

    page.set_viewport_size(DESKTOP)
    signed_in_as(page, live_server, staff_user)
    page.goto(f"{live_server.url}/staff/follow-ups/")
    expect(page.get_by_role("heading", name="Answers to read (1)")).to_be_visible()
    shot(page, "followup-staff-list")
    page.get_by_role("link", name="Jane D., entry of").click()
    expect(page.get_by_text(ANSWER)).to_be_visible()
    page.get_by_role("button", name="Mark as resolved").click()
    expect(page.get_by_text("Follow-up resolved.")).to_be_visible()
    shot(page, "followup-staff-session")
    assert FollowUp.objects.get().status == FollowUpStatus.RESOLVED


@VIEWPORTS
def test_the_follow_up_pages_pass_axe(page, live_server, viewport, staff_user, mentor_a, match_a):
    seed_sessions(match_a)
    session = SessionLog.objects.filter(match=match_a, attendance="met").get()
    waiting = services.followup_ask(session=session, user=staff_user, question=QUESTION)
    answered = services.followup_ask(session=session, user=staff_user, question="And the dryer?")
    services.followup_answer(followup=answered, user=mentor_a, answer=ANSWER)
    page.set_viewport_size(viewport)
    pages = [
        (mentor_a, f"/mentor/follow-ups/{waiting.pk}/", "followup-axe-answer"),
        (mentor_a, f"/mentor/follow-ups/{answered.pk}/", "followup-axe-answered"),
        (mentor_a, "/mentor/", "followup-axe-home"),
        (staff_user, f"/staff/sessions/{session.pk}/", "followup-axe-session"),
        (staff_user, "/staff/follow-ups/", "followup-axe-list"),
    ]
    for user, path, name in pages:
        signed_in_as(page, live_server, user)
        page.goto(f"{live_server.url}{path}")
        if "sessions" in path:
            page.get_by_text("Close it without an answer").click()  # the folded form too
        shot(page, name)
        found = serious_violations(page)
        assert not found, f"{path}:\n{describe(found)}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} scrolls sideways: {width}"
