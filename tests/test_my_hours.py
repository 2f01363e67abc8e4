"""What RULES 2 and 5 promise the mentor (issue 11, item 8): "Download my hours" on My
sessions (CSV and Excel, by month and in total, own live sessions only, audited), and email
preferences while signed in (the weekly reminder on or off)."""

import csv
import io

import openpyxl
import pytest

from portal.audit.models import AuditEvent
from portal.mentoring.models import Mentor, SessionLog
from tests.conftest import chicago, clock_stopped_at, log_session
from tests.page import read_page

NOW = chicago(2026, 11, 18, 10, 0)
DOWNLOAD = "/sessions/my-hours/"
PREFERENCES = "/mentor/email/"


_now = clock_stopped_at(NOW)


@pytest.fixture
def logged(match_a, match_b, mentor_a):
    """mentor_a: September 1.00 h; October 0.50 h + an absence (31 October 23:30 in Chicago
    is November in UTC, still October here); November 1.75 h; a deleted 2.00 h entry.
    mentor_b: 4.00 h in November."""
    log_session(match_a, chicago(2026, 9, 28, 15, 0), quarter_hours=4)
    log_session(match_a, chicago(2026, 10, 31, 23, 30), quarter_hours=2)
    log_session(
        match_a,
        chicago(2026, 10, 5, 15, 0),
        quarter_hours=0,
        attendance="mentee_absent",
        notes="Jane was not at school.",
    )
    log_session(match_a, chicago(2026, 11, 9, 15, 0), quarter_hours=7)
    deleted = log_session(match_a, chicago(2026, 11, 10, 15, 0), quarter_hours=8)
    SessionLog.objects.filter(pk=deleted.pk).update(deleted_at=NOW, deleted_by=mentor_a)
    log_session(match_b, chicago(2026, 11, 11, 15, 0), quarter_hours=16)


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def excel_rows(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


# --- Download my hours --------------------------------------------------------------------


def test_my_sessions_links_to_download_my_hours_in_csv_and_excel(client_a):
    page = read_page(client_a.get("/sessions/"))
    assert page.link_to("Download my hours") == DOWNLOAD
    assert page.link_to("Excel file of my hours") == f"{DOWNLOAD}?file_format=xlsx"


def test_the_csv_has_each_month_oldest_first_and_the_total(client_a, logged):
    response = client_a.get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my-hours.csv"'
    assert response["Cache-Control"] == "no-store"
    assert csv_rows(response) == [
        ["Month", "Sessions", "Hours"],
        ["September 2026", "1", "1.00"],
        ["October 2026", "2", "0.50"],
        ["November 2026", "1", "1.75"],
        ["Total", "4", "3.25"],
    ]


def test_the_excel_file_has_the_same_rows_as_numbers(client_a, logged):
    response = client_a.get(f"{DOWNLOAD}?file_format=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="my-hours.xlsx"'
    rows = excel_rows(response)
    assert rows[0] == ["Month", "Sessions", "Hours"]
    assert rows[1:] == [
        ["September 2026", 1, 1],
        ["October 2026", 2, 0.5],
        ["November 2026", 1, 1.75],
        ["Total", 4, 3.25],
    ]


def test_the_second_mentor_downloads_only_their_own_hours(client, mentor_b, logged):
    client.force_login(mentor_b)
    assert csv_rows(client.get(DOWNLOAD)) == [
        ["Month", "Sessions", "Hours"],
        ["November 2026", "1", "4.00"],
        ["Total", "1", "4.00"],
    ]


def test_a_mentor_with_nothing_logged_gets_a_zero_total(client_a):
    assert csv_rows(client_a.get(DOWNLOAD)) == [
        ["Month", "Sessions", "Hours"],
        ["Total", "0", "0.00"],
    ]


def test_every_download_is_audited(client_a, mentor_a, logged):
    b"".join(client_a.get(DOWNLOAD).streaming_content)
    b"".join(client_a.get(f"{DOWNLOAD}?file_format=xlsx").streaming_content)
    events = AuditEvent.objects.filter(action="export.my_hours").order_by("pk")
    assert [event.new_values["format"] for event in events] == ["csv", "xlsx"]
    assert {event.actor for event in events} == {mentor_a}
    assert {event.object_id for event in events} == {mentor_a.mentor.pk}


def test_an_unknown_format_gets_the_csv(client_a, logged):
    response = client_a.get(f"{DOWNLOAD}?file_format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_staff_and_site_contacts_are_refused_and_strangers_sent_to_sign_in(
    client, staff_user, site_contact_a, logged
):
    response = client.get(DOWNLOAD)
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    for outsider in (staff_user, site_contact_a):
        client.force_login(outsider)
        assert client.get(DOWNLOAD).status_code == 403
    assert not AuditEvent.objects.filter(action="export.my_hours").exists()


# --- Email preferences --------------------------------------------------------------------


def test_home_links_to_the_email_preferences(client_a):
    assert read_page(client_a.get("/mentor/")).link_to("Email and text preferences") == PREFERENCES


def test_the_mentor_turns_the_weekly_reminder_off_and_on(client_a, mentor_a):
    page = read_page(client_a.get(PREFERENCES))
    assert "The weekly reminder is on" in page.text
    assert "mentor-a@example.org" in page.text

    off = client_a.post(PREFERENCES, {"weekly": "off"}, follow=True)
    assert off.redirect_chain[-1][0] == PREFERENCES
    assert "Done: no more weekly reminders. Deadline reminders still come." in (read_page(off).text)
    assert "The weekly reminder is off" in read_page(off).text
    assert Mentor.objects.get(user=mentor_a).weekly_reminders is False

    on = client_a.post(PREFERENCES, {"weekly": "on"}, follow=True)
    assert "The weekly reminder is back on." in read_page(on).text
    assert Mentor.objects.get(user=mentor_a).weekly_reminders is True
    actions = AuditEvent.objects.filter(action__startswith="mentor.weekly_reminders_")
    assert [event.action for event in actions.order_by("pk")] == [
        "mentor.weekly_reminders_off",
        "mentor.weekly_reminders_on",
    ]
    assert {event.actor for event in actions} == {mentor_a}


def test_one_mentors_choice_leaves_the_other_mentors_alone(client_a, mentor_b):
    client_a.post(PREFERENCES, {"weekly": "off"})
    assert Mentor.objects.get(user=mentor_b).weekly_reminders is True


def test_preferences_are_for_mentors_only(client, staff_user, site_contact_a):
    response = client.get(PREFERENCES)
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    for outsider in (staff_user, site_contact_a):
        client.force_login(outsider)
        assert client.get(PREFERENCES).status_code == 403
        assert client.post(PREFERENCES, {"weekly": "off"}).status_code == 403
