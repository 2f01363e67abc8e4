"""Nothing lost offline (issue 16, item 5), in Chromium at 390x844 with the network turned
off and on: Save with no connection keeps the entry on the phone, encrypted for its mentor,
and says so; back online it is sent once; sign-out deletes it; another mentor on the same
browser cannot read it; an entry the portal refuses comes back with the portal's errors.

Screenshots go to PORTAL_BROWSER_SHOTS (or /tmp/shots) as offline-*.png, to look at.
"""

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from django.test import Client
from playwright.sync_api import expect

from portal.mentoring.models import SessionLog
from tests.browser.helpers import PHONE, describe, local_now, serious_violations, sign_in

NOTE = "Jane told me about her new baby brother."
NOT_SENT = "Saved on this phone, not sent yet"
NEXT = "It will be sent when you are back online. Keep this page or come back to it."
SENT = "Sent: the entry saved on this phone is now in the portal."
KEPT = "Object.keys(localStorage).filter(k => k.startsWith('mentor-portal-offline:'))"
EVERYTHING = "JSON.stringify(Object.assign({}, localStorage))"


def save_shot(page, name: str) -> None:
    folder = Path(os.environ.get("PORTAL_BROWSER_SHOTS") or Path(tempfile.gettempdir()) / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"offline-{name}.png"), full_page=True)


def sign_in_quickly(page, live_server, user) -> None:
    """A signed-in session cookie for ``user`` (no form), replacing any other."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def fill_form(page, live_server, *, notes: str = NOTE, starts_at: str | None = None) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/sessions/new/")
    expect(page.get_by_role("heading", name="Log a session", level=1)).to_be_visible()
    if starts_at:
        page.get_by_label("Date & time").fill(starts_at)
    page.get_by_label("Hours", exact=True).select_option("1.00")
    page.get_by_label("Notes").fill(notes)


def save_offline(page) -> None:
    page.context.set_offline(True)
    page.get_by_role("button", name="Save session").click()
    status = page.get_by_role("status").filter(has_text=NOT_SENT)
    expect(status).to_be_visible()
    expect(status).to_contain_text(NEXT)


def entries(mentor) -> int:
    return SessionLog.objects.filter(match__mentor__user=mentor).count()


def test_an_entry_saved_offline_is_kept_encrypted_and_sent_once_back_online(
    mentor_page, live_server, mentor_a
):
    page = mentor_page
    fill_form(page, live_server)

    save_offline(page)

    assert entries(mentor_a) == 0
    [name] = page.evaluate(KEPT)
    kept = page.evaluate("name => localStorage.getItem(name)", name)
    assert NOTE not in page.evaluate(EVERYTHING)  # ciphertext only, the plain draft is gone
    assert set(json.loads(kept)) >= {"iv", "ct", "savedAt"}
    violations = serious_violations(page)
    assert not violations, describe(violations)
    save_shot(page, "saved-on-phone")

    page.context.set_offline(False)

    # On to the saved entry, as after any Save.
    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    expect(page.get_by_text(NOTE)).to_be_visible()
    assert page.evaluate(KEPT) == []
    assert entries(mentor_a) == 1
    entry = SessionLog.objects.get(match__mentor__user=mentor_a)
    assert entry.notes == NOTE
    save_shot(page, "sent")

    # Exactly once: the same entry sent again (a second tab, a copy left behind) is the
    # same entry, and leaves the phone.
    page.evaluate("([name, kept]) => localStorage.setItem(name, kept)", [name, kept])
    page.goto(f"{live_server.url}/mentor/")
    expect(page.get_by_role("status")).to_contain_text(SENT)
    save_shot(page, "sent-from-another-page")
    page.get_by_role("link", name="See the entry").click()
    expect(page.get_by_text(NOTE)).to_be_visible()
    page.context.set_offline(True)
    page.context.set_offline(False)
    page.reload()
    assert entries(mentor_a) == 1
    assert page.evaluate(KEPT) == []


def test_signing_out_deletes_the_entry_kept_on_this_phone(page, live_server, mentor_a):
    sign_in(page, live_server, mentor_a.email)
    fill_form(page, live_server)
    # The phone thinks it is online, but the post never reaches the portal.
    page.route(
        "**/sessions/new/",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("status")).to_contain_text(NOT_SENT)
    expect(page.get_by_role("status")).to_contain_text(NEXT)
    assert len(page.evaluate(KEPT)) == 1
    assert NOTE not in page.evaluate(EVERYTHING)

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_label("Email")).to_be_visible()
    assert page.evaluate(KEPT) == []
    assert NOTE not in page.evaluate(EVERYTHING)
    assert entries(mentor_a) == 0


def test_another_mentor_on_this_browser_cannot_read_it_and_its_mentor_gets_it_sent(
    mentor_page, live_server, mentor_a, mentor_b
):
    page = mentor_page
    fill_form(page, live_server)
    save_offline(page)
    # The sign-in ends without a sign-out (it expired, or was ended elsewhere).
    page.context.clear_cookies(name="sessionid")

    page.context.set_offline(False)

    expect(page.get_by_role("status")).to_contain_text("Your sign-in has ended.")
    expect(page.get_by_role("status")).to_contain_text(NOT_SENT)
    assert len(page.evaluate(KEPT)) == 1
    save_shot(page, "signed-out")

    # Mentor B on the same browser: another scope, another key.
    sign_in(page, live_server, mentor_b.email)
    page.goto(f"{live_server.url}/sessions/new/")
    expect(page.get_by_label("Notes")).to_have_value("")
    expect(page.get_by_role("status")).to_have_text("")
    [name] = page.evaluate(KEPT)
    scope_b = page.locator("meta[name='offline-entries']").get_attribute("content")
    assert scope_b not in name
    assert NOTE not in page.evaluate(EVERYTHING)
    assert entries(mentor_a) == entries(mentor_b) == 0
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Email")).to_be_visible()
    assert len(page.evaluate(KEPT)) == 1  # B's sign-out leaves A's entry, unread

    # Mentor A signs in again: it is sent, once.
    sign_in(page, live_server, mentor_a.email)
    expect(page.get_by_role("status")).to_contain_text(SENT)
    assert entries(mentor_a) == 1
    assert page.evaluate(KEPT) == []


def test_an_entry_the_portal_refuses_comes_back_with_its_errors_and_its_text(
    mentor_page, live_server, mentor_a, match_a
):
    page = mentor_page
    # Before the match started: the phone cannot tell, the portal refuses it.
    too_early = match_a.start_date - dt.timedelta(days=3)
    fill_form(page, live_server, starts_at=f"{too_early:%Y-%m-%d}T15:30")
    save_offline(page)

    page.context.set_offline(False)

    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value(NOTE)
    expect(page.get_by_role("status")).to_contain_text(
        "The entry saved on this phone was not accepted."
    )
    assert page.title().startswith("Error: ")
    assert entries(mentor_a) == 0
    assert len(page.evaluate(KEPT)) == 1  # kept until it is saved
    assert NOTE not in page.evaluate(EVERYTHING)
    violations = serious_violations(page)
    assert not violations, describe(violations)
    save_shot(page, "refused")

    # Another page says it is waiting, and opens it again.
    page.goto(f"{live_server.url}/mentor/")
    expect(page.get_by_role("status")).to_contain_text("Open it to see what to change")
    violations = serious_violations(page)
    assert not violations, describe(violations)
    save_shot(page, "waiting")
    with page.expect_navigation():
        page.get_by_role("button", name="Open it").click()
    expect(page.get_by_label("Notes")).to_have_value(NOTE)
    # Saved again unchanged: refused again, and still kept.
    with page.expect_navigation():
        page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Change what is marked below")
    assert len(page.evaluate(KEPT)) == 1
    assert entries(mentor_a) == 0

    now = local_now() - dt.timedelta(hours=1)
    page.get_by_label("Date & time").fill(f"{now:%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Save session").click()

    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    assert entries(mentor_a) == 1
    assert page.evaluate(KEPT) == []


def test_entries_left_for_30_days_leave_the_phone_whoever_they_belong_to(mentor_page, live_server):
    page = mentor_page
    page.goto(f"{live_server.url}/help/")
    day = 24 * 60 * 60 * 1000
    page.evaluate(
        """day => {
            const item = age => JSON.stringify({v: 1, savedAt: Date.now() - age, iv: "", ct: ""});
            localStorage.setItem("mentor-portal-offline:someone:old", item(31 * day));
            localStorage.setItem("mentor-portal-offline:someone:recent", item(29 * day));
        }""",
        day,
    )

    page.goto(f"{live_server.url}/accounts/sign-in/")

    assert page.evaluate(KEPT) == ["mentor-portal-offline:someone:recent"]
