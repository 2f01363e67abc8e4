"""Drafts kept in the browser do not pile up (issue 11, item 9): each carries the time it
was saved, a draft older than 7 days is dropped, and signing out clears every draft."""

from playwright.sync_api import expect

from tests.browser.helpers import sign_in

DAY_MS = 24 * 60 * 60 * 1000
DRAFTS = "Object.keys(localStorage).filter(k => k.startsWith('mentor-portal-draft:')).sort()"


def open_form(page, live_server):
    page.goto(f"{live_server.url}/sessions/new/")
    expect(page.get_by_role("heading", name="Log a session", level=1)).to_be_visible()


def store_draft(page, key: str, notes: str, days_old: float | None) -> None:
    """A draft as the form saves it, ``days_old`` days ago (None: saved with no time)."""
    page.evaluate(
        """([key, notes, age]) => localStorage.setItem(key, JSON.stringify(
            age === null ? {data: {notes}} : {savedAt: Date.now() - age, data: {notes}}))""",
        [key, notes, None if days_old is None else days_old * DAY_MS],
    )


def test_a_draft_carries_the_time_it_was_saved(page, live_server, mentor_a):
    sign_in(page, live_server, mentor_a.email)
    open_form(page, live_server)
    key = "mentor-portal-draft:" + page.locator("form.session-form").get_attribute("data-draft-key")

    page.get_by_label("Notes").fill("We made a paper plane.")

    saved = page.evaluate("key => JSON.parse(localStorage.getItem(key))", key)
    assert saved["data"]["notes"] == "We made a paper plane."
    assert abs(saved["savedAt"] - page.evaluate("Date.now()")) < 60_000


def test_a_draft_older_than_seven_days_is_dropped_and_a_newer_one_comes_back(
    page, live_server, mentor_a
):
    sign_in(page, live_server, mentor_a.email)
    open_form(page, live_server)
    key = "mentor-portal-draft:" + page.locator("form.session-form").get_attribute("data-draft-key")
    other = f"mentor-portal-draft:{mentor_a.pk}:session-999"

    store_draft(page, key, "Written eight days ago.", days_old=8)
    store_draft(page, other, "Written three weeks ago.", days_old=21)
    open_form(page, live_server)

    expect(page.get_by_label("Notes")).to_have_value("")
    assert page.evaluate(DRAFTS) == []  # every page load drops old drafts, of any form

    store_draft(page, key, "Written six days ago.", days_old=6)
    store_draft(page, other, "Saved before drafts had a time.", days_old=None)
    open_form(page, live_server)

    expect(page.get_by_label("Notes")).to_have_value("Written six days ago.")
    assert page.evaluate(DRAFTS) == [key]


def test_signing_out_clears_every_draft_on_the_device(page, live_server, mentor_a):
    sign_in(page, live_server, mentor_a.email)
    open_form(page, live_server)
    page.get_by_label("Notes").fill("Jane told me about her weekend.")
    store_draft(page, f"mentor-portal-draft:{mentor_a.pk}:session-999", "An edit.", days_old=1)
    assert len(page.evaluate(DRAFTS)) == 2

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_label("Email")).to_be_visible()
    assert page.evaluate(DRAFTS) == []
