"""The coordinator's month and the mentor's month, in Chromium (issue 11, items 7 and 8).

The live server runs on today's date, so the tests set the program's deadline to day 28 of
the following month: from the 1st to the 28th of any month, last month is the one that is
due, and the sessions the tests log there are what the pages must count.
"""

import calendar
import csv
import datetime as dt

import openpyxl
import pytest
from playwright.sync_api import expect

from portal.mentoring import rules, services
from portal.mentoring.models import Choice, ChoiceList, Mentor, ProgramSettings
from portal.safeguarding import services as safeguarding
from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    describe,
    local_now,
    serious_violations,
    shot,
    sign_in,
)

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
EMERGENCY = "If a child is in immediate danger, call 911 now."


@pytest.fixture
def due_on_the_28th(db):
    """The program, with each month's sessions due on the 28th of the next month."""
    program = ProgramSettings.load()
    program.deadline_rule, program.deadline_day = "day_of_month", 28
    program.save()
    return program


def log(match, when: dt.datetime, quarters: int = 4):
    services.session_log_create(
        user=match.mentor.user,
        data=services.SessionInput(
            match=match,
            starts_at=when,
            quarter_hours=quarters,
            type_of_mentoring=Choice.objects.get(
                list=ChoiceList.TYPE_OF_MENTORING, label="Mentoring Hours"
            ),
            interaction=Choice.objects.get(list=ChoiceList.INTERACTION, label="In-Person"),
            attendance="met",
            notes="We played a card game.",
        ),
    )


def months(program):
    """(the month that is due, the calendar month), each as (year, month)."""
    now = local_now()
    return (
        rules.due_month(now, program.deadline_policy).as_tuple(),
        rules.Month.of(now, program.tz).as_tuple(),
    )


def in_month(year: int, month: int, day: int, tz) -> dt.datetime:
    return dt.datetime(year, month, day, 15, 0, tzinfo=tz)


def due_line(program, year: int, month: int, sessions: int) -> str:
    due = rules.Month(year, month).due_date(program.deadline_policy)
    plural = "" if sessions == 1 else "s"
    return (
        f"{calendar.month_name[month]}: {sessions} session{plural} logged – "
        f"due {due:%A} {due.day} {due:%B}"
    )


@pytest.fixture
def logged(due_on_the_28th, match_a, match_b):
    """Two sessions for mentor A in the month that is due (1.00 h and 1.50 h), one in the
    month before it (0.75 h); mentor B's 4.00 h, which never counts for A."""
    program = due_on_the_28th
    (year, month), _ = months(program)
    tz = program.tz
    # In the due month, on days already past even when it is the calendar month.
    log(match_a, in_month(year, month, 1, tz) - dt.timedelta(hours=20), 3)  # the month before
    log(match_a, in_month(year, month, 1, tz) + dt.timedelta(hours=1), 4)
    log(match_a, in_month(year, month, 1, tz) + dt.timedelta(hours=2), 6)
    log(match_b, in_month(year, month, 1, tz) + dt.timedelta(hours=1), 16)
    return year, month


@VIEWPORTS
def test_the_mentor_sees_the_due_months_count_next_to_its_deadline(
    page, live_server, due_on_the_28th, mentor_a, logged, viewport
):
    page.set_viewport_size(viewport)
    program = due_on_the_28th
    (year, month), current = months(program)
    sign_in(page, live_server, mentor_a.email)
    deadline_card = page.get_by_role("region", name="Next deadline")
    expect(deadline_card).to_contain_text(due_line(program, year, month, 2))
    # RULES 4.7: the home page still counts the calendar month.
    this_month = page.get_by_role("region", name="This month")
    expect(this_month).to_contain_text(f"hours logged in {dt.date(*current, 1):%B %Y}")
    shot(page, "month-home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My sessions").click()
    due_months = page.get_by_role("list", name="Months and their deadlines")
    expect(due_months.locator("li").first).to_contain_text(due_line(program, year, month, 2))
    if (year, month) != current:
        # From the 1st until last month's deadline: the calendar month too.
        expect(due_months.locator("li")).to_have_count(2)
        expect(due_months.locator("li").nth(1)).to_contain_text(
            f"{calendar.month_name[current[1]]}: 0 sessions logged"
        )
    shot(page, "month-my-sessions")
    assert not serious_violations(page), describe(serious_violations(page))


def test_the_mentor_downloads_their_hours_in_csv_and_excel(
    page, live_server, mentor_a, logged, tmp_path
):
    year, month = logged
    before = rules.Month(year, month).previous().as_tuple()
    label = dt.date(year, month, 1).strftime("%B %Y")
    before_label = dt.date(*before, 1).strftime("%B %Y")
    sign_in(page, live_server, mentor_a.email)
    page.goto(f"{live_server.url}/sessions/")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my hours", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "my-hours.csv"
    with open(download.path(), encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["Month", "Sessions", "Hours"],
        [before_label, "1", "0.75"],
        [label, "2", "2.50"],
        ["Total", "3", "3.25"],
    ]

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel file of my hours").click()
    download = download_info.value
    assert download.suggested_filename == "my-hours.xlsx"
    saved = tmp_path / "my-hours.xlsx"
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["Month", "Sessions", "Hours"],
        [before_label, 1, 0.75],
        [label, 2, 2.5],
        ["Total", 3, 3.25],
    ]


@VIEWPORTS
def test_the_mentor_turns_the_weekly_reminder_off_and_on(page, live_server, mentor_a, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, live_server, mentor_a.email)
    page.get_by_role("link", name="Email and text preferences").click()
    expect(page.get_by_role("heading", name="Email and text preferences", level=1)).to_be_visible()
    expect(page.get_by_text("The weekly reminder is on")).to_be_visible()
    shot(page, "email-preferences")
    assert not serious_violations(page), describe(serious_violations(page))

    page.get_by_role("button", name="Turn off the weekly reminder").click()
    expect(page.get_by_text("Done: no more weekly reminders.")).to_be_visible()
    expect(page.get_by_text("The weekly reminder is off")).to_be_visible()
    assert Mentor.objects.get(user=mentor_a).weekly_reminders is False
    shot(page, "email-preferences-off")

    page.get_by_role("button", name="Turn the weekly reminder back on").click()
    expect(page.get_by_text("The weekly reminder is back on.")).to_be_visible()
    assert Mentor.objects.get(user=mentor_a).weekly_reminders is True


@VIEWPORTS
def test_the_coordinator_starts_from_open_concerns_and_the_due_month(
    page, live_server, due_on_the_28th, staff_user, match_a, logged, viewport
):
    page.set_viewport_size(viewport)
    (year, month), current = months(due_on_the_28th)
    now = local_now()
    old = safeguarding.concern_raise(
        match=match_a,
        description="Scared to go home.",
        raised_by=staff_user,
        now=now - dt.timedelta(days=3),
    )
    safeguarding.concerns_escalate(now=now)
    sign_in(page, live_server, staff_user.email)
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()

    concerns = page.get_by_role("region", name="Open safety concerns: 1")
    row = concerns.get_by_role("link", name="Raised 3 days ago")
    expect(row).to_have_attribute("href", f"/concerns/{old.pk}/")
    expect(row).to_contain_text("Raised again")
    label = dt.date(year, month, 1).strftime("%B %Y")
    expect(page.get_by_role("heading", name=label, exact=True)).to_be_visible()
    expect(page.get_by_text(f"{label} is the month now due")).to_be_visible()
    sessions = page.get_by_role("region", name="Sessions", exact=True)
    expect(sessions.locator(".big-figure")).to_have_text("3")  # two of A's, one of B's
    shot(page, "month-staff-dashboard")
    assert not serious_violations(page), describe(serious_violations(page))

    if (year, month) != current:
        current_label = dt.date(*current, 1).strftime("%B %Y")
        page.get_by_role("link", name=f"Show {current_label}, this month").click()
        expect(page.get_by_role("heading", name=current_label, exact=True)).to_be_visible()
        expect(sessions.locator(".big-figure")).to_have_text("0")
        page.get_by_role("link", name=f"Show {label}, the month now due").click()
        expect(page.get_by_role("heading", name=label, exact=True)).to_be_visible()


def test_after_a_concern_the_mentor_is_told_who_is_emailed_and_to_call_911(
    page, live_server, mentor_a, match_a
):
    when = (local_now() - dt.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    sign_in(page, live_server, mentor_a.email)
    page.get_by_role("link", name="Log a session").click()
    page.get_by_label("Date & time").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Hours", exact=True).select_option("1.00")
    page.get_by_label("Notes").fill("We read together. Jane was quiet.")
    page.get_by_label("Child safety concern").check()
    page.get_by_label("What is the concern?").fill("She said she is scared to go home.")
    page.get_by_role("button", name="Save session").click()

    panel = page.get_by_role("region", name="You reported a child safety concern")
    expect(panel).to_contain_text(EMERGENCY)
    expect(panel).to_contain_text("We are emailing Dana Whitfield at Lincoln Elementary")
    expect(panel.get_by_role("link", name="(312) 555-0141")).to_have_attribute(
        "href", "tel:(312) 555-0141"
    )
    expect(panel.get_by_role("link", name="contact-a@example.org")).to_be_visible()
    shot(page, "concern-confirmation")
