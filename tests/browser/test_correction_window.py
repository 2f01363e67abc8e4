"""A late entry corrected on a phone in the 30 minutes after saving (issue 16, item 2)."""

import datetime as dt

from playwright.sync_api import expect

from portal.mentoring.models import SessionLog
from tests.browser.helpers import PHONE, datetime_local, local_now, shot


def test_a_late_entry_is_corrected_just_after_saving_then_locked(mentor_page, live_server, match_a):
    page = mentor_page
    page.set_viewport_size(PHONE)
    # Seventy days ago: that month's deadline has passed, whatever today is.
    when = (local_now() - dt.timedelta(days=70)).replace(hour=15, minute=30)
    page.goto(f"{live_server.url}/sessions/new/")
    page.get_by_label("Date & time").fill(datetime_local(when))
    page.get_by_label("Hours", exact=True).select_option("1.00")
    page.get_by_label("Notes").fill("We played chess.")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", name="Your session is saved")).to_be_visible()
    expect(page.get_by_text("it is marked Late")).to_be_visible()
    expect(page.get_by_text("Its deadline has passed, but you can still correct")).to_be_visible()

    page.get_by_role("link", name="Change this entry").click()
    expect(page.get_by_label("Hours", exact=True)).to_have_value("1.00")
    page.get_by_label("Hours", exact=True).select_option("1.50")
    page.get_by_role("group", name="Attendance").get_by_label("We met").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    history = page.get_by_role("region", name="History of changes")
    expect(history).to_contain_text("Hours: 1.00 → 1.50")
    expect(history).not_to_contain_text("hours:")
    shot(page, "late-entry-corrected")
    session = SessionLog.objects.get()
    assert (session.quarter_hours, session.is_late) == (6, True)

    # Half an hour later the entry is locked for its mentor.
    SessionLog.objects.filter(pk=session.pk).update(
        entered_at=session.entered_at - dt.timedelta(minutes=31)
    )
    page.reload()
    expect(page.get_by_text("This entry is locked")).to_be_visible()
    expect(page.get_by_role("link", name="Change this entry")).to_have_count(0)
    page.goto(f"{live_server.url}/sessions/{session.pk}/edit/")
    expect(page.get_by_text("This entry can no longer be changed")).to_be_visible()
