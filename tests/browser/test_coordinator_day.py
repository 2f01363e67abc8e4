"""A coordinator's day in Chromium, start to end: they take an unassigned match into
their caseload, record the check-in the dashboard says is overdue, ask the mentor about
an entry; the mentor answers on a phone; the coordinator resolves it."""

from django.test import Client
from playwright.sync_api import expect

from portal.checkins.models import CheckIn
from portal.followups.models import FollowUp, FollowUpStatus
from portal.mentoring.models import Match, SessionLog
from tests.browser.helpers import DESKTOP, PHONE, seed_sessions, sign_in

QUESTION = "Can you tell me more about the washing machine?"
ANSWER = "It broke last month; the family is asking the school for help."


def _as(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_assign_check_in_ask_answer_resolve(page, live_server, staff_user, mentor_a, match_a):
    seed_sessions(match_a)
    assert Match.objects.get(pk=match_a.pk).coordinator is None
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, staff_user.email)

    # Assign: the unassigned match becomes the coordinator's own.
    page.goto(f"{live_server.url}/staff/matches/{match_a.pk}/")
    page.get_by_label("Coordinator of this match").select_option(label=staff_user.full_name)
    page.get_by_role("button", name="Save the coordinator").click()
    assert Match.objects.get(pk=match_a.pk).coordinator == staff_user

    # Check-in: the dashboard lists it as overdue; recording it takes it off the list.
    page.goto(f"{live_server.url}/staff/")
    overdue = page.locator("section.dashboard-checkins")
    expect(overdue).to_contain_text("Mentor check-in")
    overdue.locator("li", has_text="Mentor check-in").get_by_role(
        "link", name="Record check-in"
    ).click()
    page.get_by_label("Phone call").check()
    page.get_by_label("4 - Strong").check()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Mentor check-in")).to_have_count(0)
    assert CheckIn.objects.get(match=match_a).with_whom == "mentor"

    # Follow-up: ask about one entry.
    session = SessionLog.objects.filter(match=match_a, attendance="met").first()
    page.goto(f"{live_server.url}/staff/sessions/{session.pk}/")
    page.get_by_label("Your question").fill(QUESTION)
    page.get_by_role("button", name="Ask the mentor").click()
    expect(page.get_by_text("Waiting for the mentor")).to_be_visible()

    # The mentor answers from their home page on a phone.
    page.set_viewport_size(PHONE)
    _as(page, live_server, mentor_a)
    page.goto(f"{live_server.url}/mentor/")
    expect(
        page.get_by_role("heading", name="Your coordinator asked about an entry")
    ).to_be_visible()
    page.get_by_role("link", name="Answer").click()
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Your answer is sent to your coordinator")).to_be_visible()

    # The coordinator reads the answer and resolves it.
    page.set_viewport_size(DESKTOP)
    _as(page, live_server, staff_user)
    page.goto(f"{live_server.url}/staff/follow-ups/")
    expect(page.get_by_role("heading", name="Answers to read (1)")).to_be_visible()
    page.get_by_role("link", name="Jane D., entry of").click()
    expect(page.get_by_text(ANSWER)).to_be_visible()
    page.get_by_role("button", name="Mark as resolved").click()
    expect(page.get_by_text("Follow-up resolved.")).to_be_visible()
    assert FollowUp.objects.get().status == FollowUpStatus.RESOLVED
