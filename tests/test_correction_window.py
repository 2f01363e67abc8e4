"""Mistakes a mentor can undo (issue 16, item 2): for 30 minutes after saving, the mentor may
still correct or delete an entry, a late one too; each change is kept in the history, which
names fields and values in the form's words.

October's sessions were due on Monday 2 November 2026. The late entry here is October's
session of Tuesday 20 October, saved on Tuesday 10 November at 10:00 in Chicago.
"""

import datetime as dt

import pytest

from portal.mentoring import services
from portal.mentoring.models import Attendance, RevisionAction, SessionLog
from portal.mentoring.models.sessions import HISTORY_LABELS
from tests.conftest import chicago, edit_input, frozen_at, log_session
from tests.page import read_page

SAVED = chicago(2026, 11, 10, 10, 0)
SESSION = chicago(2026, 10, 20, 15, 30)


@pytest.fixture
def late_entry(match_a) -> SessionLog:
    entry = log_session(match_a, SESSION, entered_at=SAVED, quarter_hours=4)
    assert entry.is_late
    return entry


def edit_url(session: SessionLog) -> str:
    return f"/sessions/{session.pk}/edit/"


def detail_url(session: SessionLog) -> str:
    return f"/sessions/{session.pk}/"


def after(minutes: int, seconds: int = 0) -> dt.datetime:
    return SAVED + dt.timedelta(minutes=minutes, seconds=seconds)


def test_the_mentor_corrects_a_late_entry_a_minute_after_saving(
    client_a, session_post, late_entry, mentor_a
):
    with frozen_at(after(1)):
        page = read_page(client_a.get(detail_url(late_entry)))
        assert "you can still correct or delete this entry until 10:30 AM" in page.text
        assert client_a.get(edit_url(late_entry)).status_code == 200
        response = client_a.post(
            edit_url(late_entry),
            session_post(starts_at="2026-10-20T15:30", hours="1.50", notes="Chess, not cards."),
        )
    assert response.status_code == 302
    late_entry.refresh_from_db()
    assert (late_entry.quarter_hours, late_entry.notes) == (6, "Chess, not cards.")
    assert late_entry.is_late  # still late: it was entered after the deadline
    revision = late_entry.revisions.get(action=RevisionAction.UPDATED)
    assert (revision.changed_by, revision.changed_at) == (mentor_a, after(1))
    assert (revision.old_values["hours"], revision.new_values["hours"]) == ("1.00", "1.50")


def test_at_29_minutes_59_seconds_the_change_is_still_taken(client_a, session_post, late_entry):
    with frozen_at(after(29, 59)):
        response = client_a.post(
            edit_url(late_entry), session_post(starts_at="2026-10-20T15:30", hours="2.00")
        )
    assert response.status_code == 302
    late_entry.refresh_from_db()
    assert late_entry.quarter_hours == 8


def test_at_30_minutes_1_second_the_entry_is_locked(client_a, session_post, late_entry):
    with frozen_at(after(30, 1)):
        response = client_a.post(
            edit_url(late_entry), session_post(starts_at="2026-10-20T15:30", hours="2.00")
        )
        assert response.status_code == 302
        assert response["Location"] == detail_url(late_entry)
        page = read_page(client_a.get(detail_url(late_entry)))
        assert "This entry can no longer be changed" in page.text
        assert "This entry is locked" in page.text
        assert client_a.get(edit_url(late_entry)).status_code == 302
    late_entry.refresh_from_db()
    assert late_entry.quarter_hours == 4
    assert late_entry.revisions.count() == 1


def test_a_mistaken_late_entry_can_be_deleted_in_the_30_minutes(client_a, late_entry):
    with frozen_at(after(5)):
        response = client_a.post(f"/sessions/{late_entry.pk}/delete/", {"confirm": "on"})
    assert response.status_code == 302
    late_entry.refresh_from_db()
    assert late_entry.deleted_at == after(5)
    assert late_entry.revisions.filter(action=RevisionAction.DELETED).exists()


def test_another_mentor_can_never_correct_it_even_in_the_30_minutes(
    client, mentor_b, session_post, late_entry
):
    client.force_login(mentor_b)
    with frozen_at(after(1)):
        assert client.get(edit_url(late_entry)).status_code == 404
        assert client.post(edit_url(late_entry), session_post(hours="2.00")).status_code == 404
        with pytest.raises(services.EntryLocked, match="This is not your entry."):
            services.session_log_update(
                session=late_entry,
                user=mentor_b,
                data=edit_input(late_entry, quarter_hours=8),
                now=after(1),
            )
        assert not services.mentor_may_change(late_entry, user=mentor_b, now=after(1))
    late_entry.refresh_from_db()
    assert late_entry.quarter_hours == 4


def test_a_reviewed_entry_stays_locked_in_the_30_minutes(client_a, late_entry, staff_user):
    SessionLog.objects.filter(pk=late_entry.pk).update(reviewed_at=SAVED, reviewed_by=staff_user)
    late_entry.refresh_from_db()
    assert not services.mentor_may_change(late_entry, now=after(1))


def test_an_on_time_entry_fixed_just_after_the_deadline_does_not_turn_late(
    client_a, session_post, match_a
):
    entry = log_session(match_a, SESSION, entered_at=chicago(2026, 11, 2, 23, 55))
    assert not entry.is_late
    with frozen_at(chicago(2026, 11, 3, 0, 5)):
        response = client_a.post(
            edit_url(entry), session_post(starts_at="2026-10-20T15:30", notes="Fixed a typo.")
        )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.notes == "Fixed a typo."
    assert not entry.is_late


# --- The history, in the form's words -----------------------------------------------------


def test_every_value_kept_in_the_history_has_a_label(late_entry):
    assert set(late_entry.snapshot()) == set(HISTORY_LABELS)


def test_the_history_shows_labels_and_values_never_code_names(client_a, session_post, late_entry):
    with frozen_at(after(2)):
        client_a.post(
            edit_url(late_entry),
            session_post(
                starts_at="2026-10-20T16:00",
                hours="1.50",
                safety_concern="on",
                safety_concern_details="A bruise on her arm.",
                resource_needs=["food", "health"],
            ),
        )
        client_a.post(
            edit_url(late_entry),
            session_post(
                starts_at="2026-10-20T16:00",
                attendance=Attendance.MENTOR_ABSENT,
                notes="I was ill.",
                safety_concern="on",
                safety_concern_details="A bruise on her arm.",
                resource_needs=["food", "health"],
            ),
        )
        text = read_page(client_a.get(detail_url(late_entry))).text
    assert "History of changes" in text
    for line in (
        "Hours: 1.00 → 1.50",
        "Date & time: Tuesday 20 October 2026, 3:30 PM → Tuesday 20 October 2026, 4:00 PM",
        "Child safety concern: No → Yes",
        "About the concern: (blank) → A bruise on her arm.",
        "Resource needs: None → Food, Health",
        "Attendance: We met → Mentor absent",
        "Hours: 1.50 → 0.00",
    ):
        assert line in text, line
    history = text[text.index("History of changes") :]
    for code in (
        "starts_at",
        "quarter_hours",
        "hours:",
        "safety_concern",
        "resource_needs",
        "mentor_absent",
        "met:",
        "True",
        "False",
        "[",
        "_",
    ):
        assert code not in history, code


def test_the_staff_view_of_the_history_uses_the_same_labels(
    staff_client, session_post, late_entry, client
):
    late_entry.revisions.create(
        action=RevisionAction.UPDATED,
        changed_by=late_entry.entered_by,
        old_values={"hours": "1.00", "attendance": "We met"},
        new_values={"hours": "1.50", "attendance": "We met"},
    )
    text = read_page(staff_client.get(f"/staff/sessions/{late_entry.pk}/")).text
    assert "Hours\n1.00\n1.50" in text
    assert "quarter_hours" not in text
