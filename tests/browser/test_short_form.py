"""The shorter session form on a phone (issue 16, item 1), measured in Chromium at 390x844.

A "we met" entry with a short note fits in two screens (the whole page at most 2 x 844 px
tall, Save inside it) and takes at most 6 taps after "Log a session". The test counts what
it does as a mentor's thumb would: a tap on a control is one, choosing from a list is two
(open it, pick), typing into a box is the one tap that puts the cursor there.

Screenshots go to PORTAL_BROWSER_SHOTS (or /tmp/shots) as form-*.png, to look at.
"""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.mentoring.models import SessionLog
from tests.browser.helpers import DESKTOP, PHONE, describe, serious_violations

SCREEN = PHONE["height"]
NOTE = "We read a comic together. Jane was chatty."


def save_shot(page, name: str) -> None:
    folder = Path(os.environ.get("PORTAL_BROWSER_SHOTS") or Path(tempfile.gettempdir()) / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"form-{name}.png"), full_page=True)


class Thumb:
    """Does what a mentor does on the phone, and counts the taps."""

    def __init__(self, page):
        self.page = page
        self.taps = 0

    def tap(self, locator) -> None:
        locator.click()
        self.taps += 1

    def choose(self, select, value: str) -> None:
        select.select_option(value)
        self.taps += 2  # open the list, pick the answer

    def type_into(self, box, text: str) -> None:
        box.click()
        self.taps += 1
        box.press_sequentially(text)


def page_height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def test_a_we_met_entry_fits_in_two_screens_and_takes_at_most_6_taps(
    mentor_page, live_server, match_a
):
    page = mentor_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/mentor/")
    thumb = Thumb(page)
    thumb.tap(page.get_by_role("link", name="Log a session"))
    expect(page.get_by_role("heading", name="Log a session", level=1)).to_be_visible()
    thumb.taps = 0  # counted from here: after "Log a session"
    save_shot(page, "empty")

    height = page_height(page)
    save = page.get_by_role("button", name="Save session")
    box = save.bounding_box()
    assert height <= 2 * SCREEN, f"the form is {height} px tall: more than two screens"
    assert box["y"] + box["height"] <= 2 * SCREEN, f"Save ends at {box['y'] + box['height']} px"

    # The date & time is now, and the program's defaults are chosen: "We met", Mentoring
    # Hours, In-Person. Hours are not: the mentor chooses them.
    expect(page.get_by_label("Hours", exact=True)).to_have_value("")
    expect(page.get_by_role("group", name="Attendance").get_by_label("We met")).to_be_checked()
    thumb.choose(page.get_by_label("Hours", exact=True), "1.00")
    thumb.type_into(page.get_by_label("Notes"), NOTE)
    assert page_height(page) <= 2 * SCREEN
    save_shot(page, "filled")
    thumb.tap(save)

    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    assert thumb.taps <= 6, f"{thumb.taps} taps"
    session = SessionLog.objects.get()
    assert (session.quarter_hours, session.notes, session.attendance) == (4, NOTE, "met")


def test_the_form_fits_in_two_screens_in_spanish_too(mentor_page, live_server, match_a):
    """Spanish words are longer: the tiles and the buttons must still fit a phone."""
    match_a.mentor.user.language = "es"
    match_a.mentor.user.save(update_fields=["language"])
    page = mentor_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/mentor/")
    page.get_by_role("link", name="Registrar una sesión").click()
    expect(page.get_by_role("heading", name="Registrar una sesión", level=1)).to_be_visible()
    save_shot(page, "empty-es")
    height = page_height(page)
    save = page.get_by_role("button", name="Guardar sesión").bounding_box()
    cancel = page.get_by_role("link", name="Cancelar").bounding_box()
    assert height <= 2 * SCREEN, f"the Spanish form is {height} px tall: more than two screens"
    assert save["y"] == cancel["y"], "Save and Cancel wrap onto two rows"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_short_lists_are_big_radio_buttons(mentor_page, live_server, match_a):
    page = mentor_page
    page.goto(f"{live_server.url}/sessions/new/")
    for group, answers in (
        ("Attendance", ["We met", "Mentee absent or no-show", "Mentor absent"]),
        ("Type of mentoring", ["Mentoring Hours", "Group Activity", "Training"]),
        ("Interaction", ["In-Person", "Virtual", "Phone"]),
    ):
        fieldset = page.get_by_role("group", name=group)
        for answer in answers:
            radio = fieldset.get_by_role("radio", name=answer)
            expect(radio).to_be_visible()
            # The whole tile is the target: at least 44 px tall, wider than the button.
            tile = radio.locator("xpath=..").bounding_box()
            assert tile["height"] >= 44, (group, answer, tile)
            assert tile["width"] >= 88, (group, answer, tile)
    # Activity is text, not a box to tab into.
    expect(page.locator("#field-activity")).to_contain_text("Activity")
    expect(page.get_by_role("textbox", name="Activity")).to_have_count(0)


def test_hours_go_back_to_a_choice_when_attendance_goes_back_to_we_met(
    mentor_page, live_server, match_a
):
    page = mentor_page
    page.goto(f"{live_server.url}/sessions/new/")
    hours = page.get_by_label("Hours", exact=True)
    attendance = page.get_by_role("group", name="Attendance")
    hours.select_option("1.50")
    attendance.get_by_label("Mentee absent or no-show").check()
    expect(hours).to_have_value("0.00")
    attendance.get_by_label("We met").check()
    expect(hours).to_have_value("")
    hours.select_option("0.75")
    attendance.get_by_label("Mentor absent").check()
    expect(hours).to_have_value("0.00")


def test_the_needs_open_from_their_question_and_are_saved(mentor_page, live_server, match_a):
    page = mentor_page
    page.goto(f"{live_server.url}/sessions/new/")
    food = page.get_by_label("Food")
    expect(food).to_be_hidden()
    page.get_by_text("Does the family need help with anything?").click()
    expect(food).to_be_visible()
    food.check()
    page.get_by_label("Clothing").check()
    page.get_by_label("Hours", exact=True).select_option("1.00")
    page.get_by_label("Notes").fill(NOTE)
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    assert SessionLog.objects.get().resource_needs == ["food", "clothing"]


def test_an_error_says_so_in_the_title_and_its_link_shows_the_label(
    mentor_page, live_server, match_a
):
    page = mentor_page
    page.goto(f"{live_server.url}/sessions/new/")
    page.get_by_label("Notes").fill(NOTE)
    page.get_by_role("button", name="Save session").click()
    expect(page).to_have_title(re.compile(r"^Error: Log a session"))
    summary = page.locator("[data-error-summary]")
    link = summary.get_by_role("link", name=re.compile("Choose how long you met"))
    save_shot(page, "errors")
    link.click()
    hours = page.get_by_label("Hours", exact=True)
    expect(hours).to_be_focused()
    label = page.locator("label[for=id_hours]")
    expect(label).to_be_in_viewport()
    top = label.bounding_box()["y"]
    assert 0 <= top < 100, f"the label is at {top} px, not at the top of the screen"
    save_shot(page, "error-link")


def test_an_error_on_a_radio_question_links_to_its_legend(mentor_page, live_server, match_a):
    page = mentor_page
    page.goto(f"{live_server.url}/sessions/new/")
    # No attendance chosen at all (a browser sends nothing when no radio is checked).
    page.evaluate(
        "document.querySelectorAll('input[name=attendance]').forEach(r => r.checked = false)"
    )
    page.get_by_label("Hours", exact=True).select_option("1.00")
    page.get_by_label("Notes").fill(NOTE)
    page.get_by_role("button", name="Save session").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator("[data-error-summary]")
    link = summary.get_by_role("link", name=re.compile("what happened"))
    expect(link).to_have_attribute("href", "#field-attendance")
    page.get_by_role("button", name="Save session").scroll_into_view_if_needed()
    link.scroll_into_view_if_needed()
    link.click()
    legend = page.locator("#field-attendance legend")
    expect(legend).to_be_in_viewport()
    expect(page.get_by_role("group", name="Attendance").get_by_role("radio").first).to_be_focused()


def test_the_form_works_without_javascript(browser, live_server, mentor_a, match_a):
    from django.test import Client

    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    client = Client()
    client.force_login(mentor_a)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/sessions/new/")
        page.get_by_role("group", name="Interaction").get_by_label("Virtual").check()
        page.get_by_text("Does the family need help with anything?").click()
        page.get_by_label("Health").check()
        page.get_by_label("Notes").fill(NOTE)
        page.get_by_role("button", name="Save session").click()  # no hours yet
        expect(page).to_have_title(re.compile(r"^Error: "))
        expect(page.get_by_label("Notes")).to_have_value(NOTE)
        expect(page.get_by_label("Health")).to_be_checked()
        virtual = page.get_by_role("group", name="Interaction").get_by_label("Virtual")
        expect(virtual).to_be_checked()
        page.get_by_label("Hours", exact=True).select_option("0.50")
        page.get_by_role("button", name="Save session").click()
        expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    finally:
        context.close()
    session = SessionLog.objects.get()
    assert (session.quarter_hours, session.interaction.label) == (2, "Virtual")
    assert session.resource_needs == ["health"]


def test_a_draft_brings_back_the_radio_answers_and_the_needs(mentor_page, live_server, match_a):
    page = mentor_page
    page.goto(f"{live_server.url}/sessions/new/")
    page.get_by_role("group", name="Interaction").get_by_label("Virtual").check()
    page.get_by_role("group", name="Type of mentoring").get_by_label("Training").check()
    page.get_by_text("Does the family need help with anything?").click()
    page.get_by_label("Food").check()
    page.get_by_label("Notes").fill(NOTE)

    page.reload()
    expect(page.get_by_label("Notes")).to_have_value(NOTE)
    expect(page.get_by_role("group", name="Interaction").get_by_label("Virtual")).to_be_checked()
    expect(
        page.get_by_role("group", name="Interaction").get_by_label("In-Person")
    ).not_to_be_checked()
    expect(
        page.get_by_role("group", name="Type of mentoring").get_by_label("Training")
    ).to_be_checked()
    expect(page.get_by_label("Food")).to_be_visible()
    expect(page.get_by_label("Food")).to_be_checked()
    expect(page.get_by_role("group", name="Attendance").get_by_label("We met")).to_be_checked()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_form_is_axe_clean_with_and_without_errors(mentor_page, live_server, match_a, viewport):
    page = mentor_page
    page.set_viewport_size(viewport)
    found = []

    def check(name):
        page.wait_for_load_state()
        save_shot(page, f"axe-{name}-{viewport['width']}")
        violations = serious_violations(page)
        if violations:
            found.append(f"{name}:\n{describe(violations)}")

    page.goto(f"{live_server.url}/sessions/new/")
    check("empty")
    page.get_by_text("Does the family need help with anything?").click()
    page.get_by_text("What to write in the notes").click()
    page.get_by_label("Child safety concern").check()
    check("all-open")
    page.get_by_role("button", name="Save session").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    check("errors")
    page.get_by_role("group", name="Attendance").get_by_label("Mentor absent").check()
    page.get_by_text("Does the family need help with anything?").click()
    page.get_by_label("Food").check()
    check("errors-absence")
    assert not found, "\n\n".join(found)
