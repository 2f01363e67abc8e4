"""A mentor logging sessions in a real browser, on a phone-sized screen (RULES 4, 6, 7)."""

import datetime as dt
import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    SAFETY_SENTENCE,
    datetime_local,
    local_now,
    page_width,
    row_when,
    shot,
    sign_in,
)
from tests.conftest import PASSWORD

NOTES = "We played cards and talked about the weekend. Jane seemed tired but cheerful."


def open_form(page, live_server):
    page.goto(f"{live_server.url}/sessions/new/")
    expect(page.get_by_role("heading", name="Log a session", level=1)).to_be_visible()


def test_a_mentor_signs_in_logs_a_session_and_finds_it_in_my_sessions(page, live_server, mentor_a):
    when = (local_now() - dt.timedelta(hours=2)).replace(minute=30, second=0, microsecond=0)

    sign_in(page, live_server, mentor_a.email)
    expect(page).to_have_url(f"{live_server.url}/mentor/")
    shot(page, "home")
    page.get_by_role("link", name="Log a session").click()
    expect(page).to_have_url(f"{live_server.url}/sessions/new/")
    expect(page.get_by_text("Session with Jane D. at Lincoln Elementary")).to_be_visible()
    # The program's defaults are already chosen, and Activity is text, not a box.
    expect(
        page.get_by_role("group", name="Type of mentoring").get_by_label("Mentoring Hours")
    ).to_be_checked()
    expect(page.get_by_role("group", name="Interaction").get_by_label("In-Person")).to_be_checked()
    expect(page.locator("#field-activity")).to_contain_text("Activity")
    expect(page.get_by_role("textbox", name="Activity")).to_have_count(0)
    shot(page, "form")

    page.get_by_label("Date & time").fill(datetime_local(when))
    page.get_by_label("Hours", exact=True).select_option("1.00")
    page.get_by_label("Notes").fill(NOTES)
    page.get_by_role("button", name="Save session").click()

    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    expect(page.locator(".details")).to_contain_text(NOTES)
    shot(page, "saved")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My sessions").click()
    expect(page.get_by_role("heading", name="My sessions", level=1)).to_be_visible()
    month = when.strftime("%B %Y")
    if month not in page.locator(".month-nav__current").inner_text():
        # Two hours ago was last month (just after midnight on the 1st).
        page.get_by_role("link", name="Previous month").click()
    expect(page.locator(".month-nav__current")).to_have_text(month)
    rows = page.locator(".session-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(row_when(when))
    expect(rows.first).to_contain_text("Jane D.")
    expect(rows.first).to_contain_text("1.00 h")
    expect(rows.first).to_contain_text("We met")
    shot(page, "list")


def test_we_met_with_zero_hours_is_refused_with_a_link_to_hours_and_the_notes_kept(
    mentor_page, live_server
):
    page = mentor_page
    open_form(page, live_server)
    page.get_by_label("Hours", exact=True).select_option("0.00")
    page.get_by_label("Notes").fill(NOTES)
    page.get_by_role("button", name="Save session").click()

    summary = page.locator("[data-error-summary]")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=re.compile("choose how long you met"))
    expect(link).to_have_attribute("href", "#id_hours")
    expect(page.get_by_label("Notes")).to_have_value(NOTES)
    shot(page, "form-errors")

    link.click()
    expect(page.get_by_label("Hours", exact=True)).to_be_focused()
    expect(page.get_by_label("Hours", exact=True)).to_be_in_viewport()


def test_a_future_date_is_refused_and_the_notes_typed_are_still_there(mentor_page, live_server):
    page = mentor_page
    tomorrow = local_now() + dt.timedelta(days=1)
    open_form(page, live_server)
    page.get_by_label("Date & time").fill(datetime_local(tomorrow))
    page.get_by_label("Hours", exact=True).select_option("0.50")
    page.get_by_label("Notes").fill(NOTES)
    page.get_by_role("button", name="Save session").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.locator('a[href="#id_starts_at"]')).to_have_count(1)
    expect(page.get_by_label("Notes")).to_have_value(NOTES)
    expect(page.get_by_label("Hours", exact=True)).to_have_value("0.50")
    expect(page.get_by_label("Date & time")).to_have_value(datetime_local(tomorrow))


def test_a_safety_concern_shows_the_site_contact_on_the_form_and_the_confirmation(
    mentor_page, live_server
):
    page = mentor_page
    open_form(page, live_server)
    box = page.get_by_label("Child safety concern")
    details = page.get_by_label("What is the concern?")
    expect(details).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.check()
    expect(details).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    concern = page.locator("#concern")
    for text in ("Dana Whitfield", "(312) 555-0141", "contact-a@example.org", SAFETY_SENTENCE):
        expect(concern).to_contain_text(text)
    expect(concern.get_by_role("link", name="(312) 555-0141")).to_have_attribute(
        "href", "tel:(312) 555-0141"
    )
    shot(page, "form-concern")

    details.fill("A bruise on her arm she did not want to talk about.")
    page.get_by_label("Hours", exact=True).select_option("1.00")
    page.get_by_label("Notes").fill(NOTES)
    page.get_by_role("button", name="Save session").click()

    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    panel = page.get_by_role("region", name="You reported a child safety concern")
    for text in ("Dana Whitfield", "(312) 555-0141", "contact-a@example.org", SAFETY_SENTENCE):
        expect(panel).to_contain_text(text)
    shot(page, "saved-concern")


def test_a_concern_ticked_without_a_description_is_refused_with_the_box_still_open(
    mentor_page, live_server
):
    page = mentor_page
    open_form(page, live_server)
    page.get_by_label("Child safety concern").check()
    page.get_by_label("Hours", exact=True).select_option("1.00")
    page.get_by_label("Notes").fill(NOTES)
    page.get_by_role("button", name="Save session").click()

    summary = page.locator("[data-error-summary]")
    expect(summary.locator('a[href="#id_safety_concern_details"]')).to_have_count(1)
    expect(page.get_by_label("Child safety concern")).to_be_checked()
    expect(page.get_by_label("What is the concern?")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value(NOTES)


def test_choosing_an_absence_sets_hours_to_zero(mentor_page, live_server):
    page = mentor_page
    open_form(page, live_server)
    hours = page.get_by_label("Hours", exact=True)
    hours.select_option("1.50")
    page.get_by_role("group", name="Attendance").get_by_label("Mentee absent or no-show").check()
    expect(hours).to_have_value("0.00")

    page.get_by_label("Notes").fill("Jane was not at school today.")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    expect(page.locator(".details")).to_contain_text("Mentee absent or no-show")


def test_notes_survive_a_reload_and_a_dropped_connection_until_the_session_is_saved(
    mentor_page, live_server
):
    page = mentor_page
    notes = page.get_by_label("Notes")
    open_form(page, live_server)
    notes.fill(NOTES)

    page.reload()
    expect(notes).to_have_value(NOTES)
    expect(page.get_by_text("We brought back what you were typing before.")).to_be_visible()

    # The connection drops as the mentor presses Save: the entry waits on the phone and is
    # sent when the connection returns (issue 16; tests/browser/test_offline_save.py).
    page.context.set_offline(True)
    page.get_by_label("Hours", exact=True).select_option("0.75")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_text("Saved on this phone, not sent yet")).to_be_visible()
    page.context.set_offline(False)
    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    expect(page.get_by_text(NOTES)).to_be_visible()
    # Once saved, the draft is gone: the next form starts empty.
    open_form(page, live_server)
    expect(notes).to_have_value("")
    expect(page.get_by_text("We brought back what you were typing before.")).to_be_hidden()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_pages_fit_the_screen_without_sideways_scrolling(page, live_server, mentor_a, viewport):
    page.set_viewport_size(viewport)
    width = viewport["width"]
    page.goto(f"{live_server.url}/accounts/sign-in/")
    assert page_width(page) <= width, "sign-in page scrolls sideways"
    sign_in(page, live_server, mentor_a.email)
    assert page_width(page) <= width, "home page scrolls sideways"
    open_form(page, live_server)
    assert page_width(page) <= width, "session form scrolls sideways"
    page.get_by_label("Child safety concern").check()
    page.get_by_label("Notes").fill("x" * 300)  # one long word
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert page_width(page) <= width, "session form with errors scrolls sideways"
    page.get_by_label("What is the concern?").fill("y" * 300)
    page.get_by_label("Hours", exact=True).select_option("1.00")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    assert page_width(page) <= width, "confirmation page scrolls sideways"
    page.goto(f"{live_server.url}/sessions/")
    expect(page.locator(".session-row")).to_have_count(1)
    assert page_width(page) <= width, "my sessions scrolls sideways"


def test_notes_survive_an_expired_sign_in(mentor_page, live_server, mentor_a):
    page = mentor_page
    open_form(page, live_server)
    page.get_by_label("Hours", exact=True).select_option("1.00")
    page.get_by_label("Notes").fill(NOTES)
    Session.objects.all().delete()  # the sign-in expires while the mentor is writing
    page.evaluate("localStorage.clear()")  # and this browser kept no draft either
    page.get_by_role("button", name="Save session").click()

    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))
    expect(page.get_by_text("what you typed is kept")).to_be_visible()
    page.get_by_label("Email").fill(mentor_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/sessions/new/")
    expect(page.get_by_label("Notes")).to_have_value(NOTES)
    expect(page.get_by_label("Hours", exact=True)).to_have_value("1.00")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()


def test_the_form_works_with_a_keyboard_alone(mentor_page, live_server):
    page = mentor_page
    page.goto(f"{live_server.url}/sessions/new/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.get_by_label("Notes").focus()
    page.keyboard.type("We drew pictures.")
    page.keyboard.press("Tab")  # leaves the notes for the next control
    box = page.get_by_label("Child safety concern")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    expect(page.get_by_label("What is the concern?")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_label("What is the concern?")).to_be_focused()
    page.keyboard.type("She had no coat on a cold day.")

    hours = page.get_by_label("Hours", exact=True)
    hours.focus()
    page.keyboard.press("ArrowDown")  # Choose hours -> 0.00
    page.keyboard.press("ArrowDown")  # 0.00 -> 0.25
    expect(hours).to_have_value("0.25")
    page.get_by_role("button", name="Save session").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()


def test_a_draft_is_never_shown_to_the_next_person_on_a_shared_device(
    page, live_server, mentor_a, mentor_b
):
    """Notes about a child stay with the mentor who typed them (RULES 2, 6)."""
    drafts = "Object.keys(localStorage).filter(k => k.startsWith('mentor-portal-draft:'))"
    sign_in(page, live_server, mentor_a.email)
    open_form(page, live_server)
    page.get_by_label("Notes").fill(NOTES)
    # Mentor A walks away without signing out; their sign-in ends; mentor B signs in.
    page.context.clear_cookies()
    sign_in(page, live_server, mentor_b.email)
    open_form(page, live_server)
    expect(page.get_by_text("Session with Marcus D.")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value("")
    expect(page.get_by_text("We brought back what you were typing before.")).to_be_hidden()

    # Signing out on purpose leaves no draft at all on the device.
    page.get_by_label("Notes").fill("Marcus showed me his science project.")
    assert len(page.evaluate(drafts)) == 2
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Email")).to_be_visible()
    assert page.evaluate(drafts) == []
