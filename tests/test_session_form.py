"""The session form (RULES 4.1 to 4.10, 4.14 and 7), through the pages a mentor uses.

Time is frozen on Wednesday 18 November 2026, 10:00 in Chicago: October's sessions were
due on Monday 2 November, November's are due on Monday 7 December.
"""

import datetime as dt
import functools

import pytest

from portal.mentoring import rules
from portal.mentoring.models import (
    Attendance,
    Choice,
    LatePolicy,
    Match,
    MatchStatus,
    Mentee,
    ProgramSettings,
    RevisionAction,
    SessionLog,
)
from tests.conftest import PASSWORD, chicago, clock_stopped_at, frozen_at, log_session
from tests.page import read_page
from tests.paths import NEW_SESSION as NEW

NOW = chicago(2026, 11, 18, 10, 0)
NOTES = "We played a card game and talked about the weekend. Jane seemed more irritable."
RESOURCE_NEEDS = [
    "Food",
    "Shelter or housing",
    "Clothing",
    "Household",
    "Health",
    "School supplies",
    "Other",
]


_now = clock_stopped_at(NOW)


@pytest.fixture
def form_data(session_post):
    """What a mentor sends for a session they had on Monday 16 November, 3:30 PM."""
    return functools.partial(session_post, starts_at="2026-11-16T15:30", hours="1.50", notes=NOTES)


def detail_url(session: SessionLog) -> str:
    return f"/sessions/{session.pk}/"


# --- The empty form -----------------------------------------------------------------------


def test_the_form_has_the_labels_mentors_know(client_a):
    page = read_page(client_a.get(NEW))
    assert page.label_for("starts_at") == "Date & time"
    assert page.input("starts_at")["type"] == "datetime-local"
    assert page.label_for("hours") == "Hours"
    assert page.label_for("type_of_mentoring") == "Type of mentoring"
    assert page.label_for("interaction") == "Interaction"
    assert "Activity" in page.text  # shown as text: see the test on Activity below
    assert page.label_for("attendance") == "Attendance"
    assert page.label_for("notes") == "Notes"
    assert page.label_for("safety_concern") == "Child safety concern"
    needs = [tag["id"] for tag in page.inputs if tag.get("name") == "resource_needs"]
    assert [page.labels[id_] for id_ in needs] == RESOURCE_NEEDS


def test_the_hours_are_quarter_hours_with_two_decimals_up_to_the_maximum(client_a):
    options = read_page(client_a.get(NEW)).options("hours")
    assert (options[0].value, options[0].text) == ("", "Choose hours")
    values = [option.value for option in options[1:]]
    assert values[:5] == ["0.00", "0.25", "0.50", "0.75", "1.00"]
    assert values[-1] == "8.00"
    assert len(values) == 33


def test_no_hours_are_chosen_until_the_mentor_chooses(client_a):
    assert read_page(client_a.get(NEW)).selected_values("hours") == [""]


def test_the_short_lists_are_radio_buttons_under_their_question(client_a):
    page = read_page(client_a.get(NEW))
    for name, legend in (
        ("attendance", "Attendance"),
        ("type_of_mentoring", "Type of mentoring"),
        ("interaction", "Interaction"),
    ):
        assert page.input(name)["type"] == "radio"
        assert page.legends[name] == legend
        assert name not in page.selects
    assert [o.text for o in page.options("attendance")] == [
        "We met",
        "Mentee absent or no-show",
        "Mentor absent",
        "School closed or cancelled",
    ]


def test_the_resource_needs_are_behind_one_question(client_a):
    page = read_page(client_a.get(NEW))
    assert "Does the family need help with anything?" in page.text
    content = client_a.get(NEW).content.decode()
    # In a <details>: in the page, one tap away, and working without JavaScript.
    assert '<details class="needs" id="needs">' in content


def test_the_needs_question_is_open_when_a_need_is_ticked(client_a, form_data):
    content = client_a.post(NEW, form_data(hours="0.3", resource_needs=["food"])).content
    assert read_page(content).checked("resource_needs") == ["food"]
    assert 'id="needs" open' in content.decode()


def test_the_page_title_starts_with_error_when_there_are_errors(client_a, form_data):
    title = read_page(client_a.get(NEW)).text.splitlines()[0]
    assert title.startswith("Log a session")
    title = read_page(client_a.post(NEW, form_data(hours=None))).text.splitlines()[0]
    assert title.startswith("Error: Log a session")


def test_the_programs_defaults_are_already_chosen(client_a):
    page = read_page(client_a.get(NEW))
    assert page.selected("type_of_mentoring") == ["Mentoring Hours"]
    assert page.selected("interaction") == ["In-Person"]
    assert page.selected("attendance") == ["We met"]
    assert [o.text for o in page.options("type_of_mentoring")] == [
        "Mentoring Hours",
        "Group Activity",
        "Training",
    ]
    assert [o.text for o in page.options("interaction")] == ["In-Person", "Virtual", "Phone"]


def test_activity_is_shown_as_text_not_as_a_box(client_a):
    page = read_page(client_a.get(NEW))
    assert not [tag for tag in page.inputs if tag.get("name") == "activity"]
    assert "activity" not in page.textareas
    assert "Activity not used: left blank" in page.text


def test_the_form_shows_the_school_site_contact_and_what_to_do(client_a):
    text = read_page(client_a.get(NEW)).text
    assert "Any immediate safety concerns must be reported to your school site contact." in text
    assert "Dana Whitfield, Counselor" in text
    assert "(312) 555-0141" in text
    assert "contact-a@example.org" in text


def test_the_form_does_not_show_another_schools_contact(client_a, match_b):
    assert "Marcus Hill" not in client_a.get(NEW).content.decode()


def test_a_match_that_is_not_a_number_in_the_address_is_ignored(client_a):
    assert client_a.get(NEW + "?match=abc").status_code == 200


# --- Saving -------------------------------------------------------------------------------


def test_a_valid_session_is_saved_once_and_shown(client_a, form_data, mentor_a, choices):
    response = client_a.post(NEW, form_data())
    session = SessionLog.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(session) + "?saved=1"
    assert session.starts_at == chicago(2026, 11, 16, 15, 30)
    assert session.quarter_hours == 6
    assert session.type_of_mentoring == choices["mentoring"]
    assert session.interaction == choices["in_person"]
    assert session.notes == NOTES
    assert session.entered_by == mentor_a
    assert session.entered_at == NOW
    assert not session.is_late
    assert [r.action for r in session.revisions.all()] == [RevisionAction.CREATED]
    page = read_page(client_a.get(response["Location"]))
    assert "Your session is saved" in page.text
    assert "Monday 16 November 2026, 3:30 PM" in page.text


def test_a_session_15_minutes_ahead_is_accepted(client_a, form_data):
    response = client_a.post(NEW, form_data(starts_at="2026-11-18T10:15"))
    assert response.status_code == 302
    assert SessionLog.objects.get().starts_at == chicago(2026, 11, 18, 10, 15)


def test_notes_of_exactly_5000_characters_are_accepted(client_a, form_data):
    client_a.post(NEW, form_data(notes="x" * 5000))
    assert len(SessionLog.objects.get().notes) == 5000


def test_line_breaks_count_once_towards_the_5000_characters(client_a, form_data):
    # Browsers send each line break as two characters but count (and show) it as one.
    notes = ("x" * 99 + "\r\n") * 50
    response = client_a.post(NEW, form_data(notes=notes))
    assert response.status_code == 302
    assert SessionLog.objects.get().notes == notes.replace("\r\n", "\n")


def test_notes_are_kept_exactly_as_typed(client_a, form_data):
    typed = "  First line\n\n  indented & <b>not bold</b>  "
    client_a.post(NEW, form_data(notes=typed))
    assert SessionLog.objects.get().notes == typed


def test_an_absence_is_zero_hours_whatever_hours_were_sent(client_a, form_data):
    response = client_a.post(
        NEW,
        form_data(attendance="mentee_absent", hours="2.00", notes="Jane was absent today."),
    )
    assert response.status_code == 302
    session = SessionLog.objects.get()
    assert session.attendance == Attendance.MENTEE_ABSENT
    assert session.quarter_hours == 0


def test_resource_needs_and_a_concern_are_saved(client_a, form_data):
    client_a.post(
        NEW,
        form_data(
            safety_concern="on",
            safety_concern_details="A bruise on the arm.",
            resource_needs=["clothing", "food"],
            resource_needs_details="No winter coat.",
        ),
    )
    session = SessionLog.objects.get()
    assert session.safety_concern
    assert session.safety_concern_details == "A bruise on the arm."
    assert session.resource_needs == ["food", "clothing"]


def test_the_confirmation_of_a_concern_shows_the_site_contact(client_a, form_data):
    response = client_a.post(
        NEW,
        form_data(safety_concern="on", safety_concern_details="A bruise on the arm."),
        follow=True,
    )
    text = read_page(response).text
    assert "You reported a child safety concern" in text
    assert "Any immediate safety concerns must be reported to your school site contact." in text
    assert "(312) 555-0141" in text


# --- Refusals: nothing saved, a clear message, nothing typed lost ---------------------------


REFUSALS = {
    "hours_0_3": ({"hours": "0.3"}, "Hours go in quarter hours: 0.25, 0.50, 0.75, 1.00"),
    "negative_hours": ({"hours": "-1"}, "Hours cannot be less than zero."),
    "hours_abc": ({"hours": "abc"}, "Choose the hours from the list, like 0.50 or 1.00."),
    "hours_1e9": ({"hours": "1e9"}, "A session can be at most 8.00 hours."),
    "hours_nan": ({"hours": "NaN"}, "Choose the hours from the list, like 0.50 or 1.00."),
    "zero_hours_when_met": ({"hours": "0.00"}, 'You chose "We met", so choose how long you met'),
    "no_hours_when_met": ({"hours": None}, "Choose how long you met, from 0.25 to 8.00 hours."),
    "future": ({"starts_at": "2026-11-18T10:16"}, "The date and time cannot be in the future."),
    "no_date": ({"starts_at": ""}, "Enter the date and time of the session."),
    "not_a_date": ({"starts_at": "next tuesday"}, "Enter the date and time like"),
    "missing_notes": ({"notes": ""}, "Write a few words about the session in Notes."),
    "blank_notes": ({"notes": "   \n  "}, "Write a few words about the session in Notes."),
    "long_notes": ({"notes": "x" * 5001}, "Notes can be at most 5,000 characters. Yours has 5,001"),
    "tampered_activity": (
        {"activity": "Played chess"},
        "Leave Activity blank: the program does not use it.",
    ),
    "concern_without_description": (
        {"safety_concern": "on", "safety_concern_details": "  "},
        "Describe the child safety concern, so the program can act on it.",
    ),
    "unknown_attendance": ({"attendance": "sleeping"}, "Choose what happened from the list."),
    "unknown_resource_need": ({"resource_needs": ["pony"]}, "Choose resource needs from the list."),
}


@pytest.mark.parametrize(("overrides", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_it_refuses_with_a_message_and_keeps_what_was_typed(
    client_a, form_data, overrides, message
):
    data = form_data(**overrides)
    response = client_a.post(NEW, data)
    assert response.status_code == 200
    assert not SessionLog.objects.exists()
    page = read_page(response)
    assert "There is a problem" in page.text
    assert message in page.text
    assert page.textareas["notes"] == data["notes"].replace("\r\n", "\n")
    assert page.input("starts_at").get("value", "") == data["starts_at"]
    assert page.selected_values("attendance") == (
        [data["attendance"]] if data["attendance"] in Attendance.values else []
    )
    if data.get("hours") in rules.hours_options(32):
        assert page.selected_values("hours") == [data["hours"]]


def test_the_error_summary_links_to_the_field(client_a, form_data):
    page = read_page(client_a.post(NEW, form_data(hours="0.3")))
    assert page.link_to("Hours go in quarter hours: 0.25, 0.50, 0.75, 1.00 and so on.") == (
        "#id_hours"
    )


def test_it_refuses_a_session_before_the_match_started(client_a, form_data, match_a):
    day_before = match_a.start_date - dt.timedelta(days=1)
    response = client_a.post(NEW, form_data(starts_at=f"{day_before:%Y-%m-%d}T15:00"))
    assert not SessionLog.objects.exists()
    assert (
        f"This match started on {rules.format_day(match_a.start_date)}. "
        "Enter a date on or after that day." in read_page(response).text
    )


def test_it_accepts_a_session_on_the_day_the_match_started(client_a, form_data, match_a):
    response = client_a.post(NEW, form_data(starts_at=f"{match_a.start_date:%Y-%m-%d}T09:00"))
    assert response.status_code == 302


def test_it_refuses_a_type_of_mentoring_from_the_other_list(client_a, form_data, choices):
    response = client_a.post(NEW, form_data(type_of_mentoring=choices["virtual"].pk))
    assert not SessionLog.objects.exists()
    assert "Choose a type of mentoring from the list." in read_page(response).text


def test_it_refuses_an_interaction_from_the_other_list(client_a, form_data, choices):
    response = client_a.post(NEW, form_data(interaction=choices["group"].pk))
    assert not SessionLog.objects.exists()
    assert "Choose an interaction from the list." in read_page(response).text


def test_it_refuses_a_retired_choice_on_a_new_entry(client_a, form_data, choices):
    Choice.objects.filter(pk=choices["group"].pk).update(is_retired=True)
    page = read_page(client_a.get(NEW))
    assert "Group Activity" not in [o.text for o in page.options("type_of_mentoring")]
    response = client_a.post(NEW, form_data(type_of_mentoring=choices["group"].pk))
    assert not SessionLog.objects.exists()
    assert "Choose a type of mentoring from the list." in read_page(response).text


def test_it_refuses_a_match_of_another_mentor(client_a, form_data, match_b):
    response = client_a.post(NEW, form_data(match=match_b.pk))
    assert response.status_code == 200
    assert not SessionLog.objects.exists()
    assert "Choose who the session was with from the list." in read_page(response).text


def test_notes_sent_back_with_an_error_are_escaped(client_a, form_data):
    notes = "<script>alert(1)</script> & more"
    content = client_a.post(NEW, form_data(notes=notes, hours="0.3")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in content
    assert "<script>alert(1)</script>" not in content


def test_notes_are_shown_as_text_never_as_markup(client_a, form_data):
    client_a.post(NEW, form_data(notes='<script>alert(1)</script> <img src=x onerror="x()">'))
    session = SessionLog.objects.get()
    content = client_a.get(detail_url(session)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)</script>" not in content
    assert "<img src=x" not in content


# --- One entry per session ----------------------------------------------------------------


def test_it_refuses_a_second_entry_for_the_same_match_and_time_and_links_to_the_first(
    client_a, form_data, match_a
):
    first = log_session(match_a, chicago(2026, 11, 16, 15, 30))
    response = client_a.post(NEW, form_data())
    assert response.status_code == 200
    assert SessionLog.objects.count() == 1
    page = read_page(response)
    assert "You already logged this session." in page.text
    assert page.link_to("See the entry you logged") == detail_url(first)


def test_another_time_on_the_same_day_is_another_session(client_a, form_data, match_a):
    log_session(match_a, chicago(2026, 11, 16, 15, 30))
    assert client_a.post(NEW, form_data(starts_at="2026-11-16T16:30")).status_code == 302
    assert SessionLog.objects.count() == 2


def test_the_same_form_sent_twice_creates_one_entry(client_a, form_data):
    data = form_data()
    first = client_a.post(NEW, data)
    second = client_a.post(NEW, data)
    assert SessionLog.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_form_sent_again_for_another_session_saves_that_session_too(client_a, form_data):
    # The browser's Back button brings the saved form back, with the same hidden token.
    data = form_data()
    client_a.post(NEW, data)
    response = client_a.post(NEW, {**data, "starts_at": "2026-11-17T15:30"})
    second = SessionLog.objects.get(starts_at=chicago(2026, 11, 17, 15, 30))
    assert response["Location"] == detail_url(second) + "?saved=1"
    assert SessionLog.objects.count() == 2


# --- The deadline -------------------------------------------------------------------------


def test_an_entry_after_the_deadline_is_saved_and_marked_late(client_a, form_data):
    response = client_a.post(NEW, form_data(starts_at="2026-10-20T15:30"), follow=True)
    session = SessionLog.objects.get()
    assert session.is_late
    assert "it is marked Late" in read_page(response).text


def test_an_entry_for_last_month_before_its_deadline_is_on_time(client_a, form_data):
    with frozen_at(chicago(2026, 11, 2, 23, 59)):
        client_a.post(NEW, form_data(starts_at="2026-10-20T15:30"))
    assert not SessionLog.objects.get().is_late


def test_when_the_program_refuses_late_entries_it_says_to_contact_the_coordinator(
    client_a, form_data, program
):
    program.late_policy = LatePolicy.REFUSE
    program.save()
    response = client_a.post(NEW, form_data(starts_at="2026-10-20T15:30"))
    assert response.status_code == 200
    assert not SessionLog.objects.exists()
    page = read_page(response)
    assert "There is a problem" in page.text
    assert (
        "The deadline for October 2026 sessions was Monday 2 November 2026. "
        "Please contact your coordinator." in page.text
    )
    assert page.textareas["notes"] == NOTES


# --- Changing and deleting ----------------------------------------------------------------


@pytest.fixture
def entry(match_a) -> SessionLog:
    """A session of this month, logged the same day: the mentor may still change it."""
    return log_session(match_a, chicago(2026, 11, 16, 15, 30), quarter_hours=4)


@pytest.fixture
def october_entry(match_a) -> SessionLog:
    """A session of October, logged on time; its deadline (2 November) has passed."""
    return log_session(match_a, chicago(2026, 10, 20, 15, 30), quarter_hours=4)


def edit_url(session):
    return f"/sessions/{session.pk}/edit/"


def delete_url(session):
    return f"/sessions/{session.pk}/delete/"


def test_the_edit_form_shows_the_entry(client_a, entry):
    page = read_page(client_a.get(edit_url(entry)))
    assert page.input("starts_at")["value"] == "2026-11-16T15:30"
    assert page.selected_values("hours") == ["1.00"]
    assert page.textareas["notes"] == entry.notes


def test_a_change_before_the_deadline_keeps_the_old_and_new_values(
    client_a, form_data, entry, mentor_a
):
    response = client_a.post(edit_url(entry), form_data(hours="1.50", notes="Chess today."))
    assert response.status_code == 302
    assert response["Location"].startswith(detail_url(entry))
    entry.refresh_from_db()
    assert entry.quarter_hours == 6
    assert entry.notes == "Chess today."
    revision = entry.revisions.get(action=RevisionAction.UPDATED)
    assert revision.changed_by == mentor_a
    assert revision.changed_at == NOW
    assert revision.old_values["hours"] == "1.00"
    assert revision.new_values["hours"] == "1.50"
    assert revision.old_values["notes"] == "We played a card game and talked about the weekend."
    assert revision.new_values["notes"] == "Chess today."
    assert "History of changes" in read_page(client_a.get(detail_url(entry))).text


def test_a_change_is_checked_like_a_new_entry(client_a, form_data, entry):
    response = client_a.post(edit_url(entry), form_data(hours="0.3", notes="Chess today."))
    assert "Hours go in quarter hours" in read_page(response).text
    entry.refresh_from_db()
    assert entry.quarter_hours == 4
    assert entry.revisions.count() == 1


def test_a_change_cannot_make_a_duplicate(client_a, form_data, entry, match_a):
    other = log_session(match_a, chicago(2026, 11, 17, 15, 30))
    response = client_a.post(edit_url(other), form_data())
    assert read_page(response).link_to("See the entry you logged") == detail_url(entry)
    other.refresh_from_db()
    assert other.starts_at == chicago(2026, 11, 17, 15, 30)


def test_the_mentor_may_change_an_entry_until_the_end_of_the_due_date(client_a, october_entry):
    with frozen_at(chicago(2026, 11, 2, 23, 59)):
        assert client_a.get(edit_url(october_entry)).status_code == 200
        assert client_a.get(delete_url(october_entry)).status_code == 200


def test_after_the_deadline_the_mentor_cannot_change_the_entry(client_a, form_data, october_entry):
    for response in (
        client_a.get(edit_url(october_entry)),
        client_a.post(edit_url(october_entry), form_data(starts_at="2026-10-20T15:30")),
    ):
        assert response.status_code == 302
        assert response["Location"] == detail_url(october_entry)
    page = read_page(client_a.get(detail_url(october_entry)))
    assert "This entry can no longer be changed" in page.text
    assert "contact your coordinator" in page.text
    assert "its deadline (2 November 2026) has passed" in page.text
    october_entry.refresh_from_db()
    assert october_entry.quarter_hours == 4
    assert october_entry.revisions.count() == 1


def test_after_the_deadline_the_mentor_cannot_delete_the_entry(client_a, october_entry):
    with frozen_at(chicago(2026, 11, 3, 0, 0)):
        response = client_a.post(delete_url(october_entry), {"confirm": "on"}, follow=True)
    assert "This entry can no longer be deleted" in read_page(response).text
    october_entry.refresh_from_db()
    assert october_entry.deleted_at is None


def test_a_reviewed_entry_is_locked_for_its_mentor(client_a, form_data, entry, staff_user):
    SessionLog.objects.filter(pk=entry.pk).update(reviewed_at=NOW, reviewed_by=staff_user)
    client_a.post(edit_url(entry), form_data(hours="1.50"))
    response = client_a.post(delete_url(entry), {"confirm": "on"}, follow=True)
    assert "staff have reviewed it" in read_page(response).text
    entry.refresh_from_db()
    assert (entry.quarter_hours, entry.deleted_at) == (4, None)


def test_a_retired_choice_stays_on_the_entry_that_uses_it(client_a, form_data, match_a, choices):
    session = log_session(match_a, chicago(2026, 11, 16, 15, 30))
    SessionLog.objects.filter(pk=session.pk).update(type_of_mentoring=choices["group"])
    Choice.objects.filter(pk=choices["group"].pk).update(is_retired=True)
    assert read_page(client_a.get(edit_url(session))).selected("type_of_mentoring") == [
        "Group Activity"
    ]
    response = client_a.post(
        edit_url(session), form_data(type_of_mentoring=choices["group"].pk, notes="Changed.")
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.type_of_mentoring, session.notes) == (choices["group"], "Changed.")


@pytest.fixture
def closed_match(mentor_a, school_a) -> Match:
    """An earlier match of the same mentor, which ended on Tuesday 10 November 2026."""
    mentee = Mentee.objects.create(first_name="Ana", last_initial="R", site=school_a, grade="3")
    return Match.objects.create(
        mentor=mentor_a.mentor,
        mentee=mentee,
        site=school_a,
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2026, 11, 10),
        status=MatchStatus.CLOSED,
    )


def test_it_refuses_a_date_after_the_match_ended(client_a, form_data, closed_match):
    session = log_session(closed_match, chicago(2026, 11, 9, 15, 30))
    response = client_a.post(
        edit_url(session), form_data(match=closed_match.pk, starts_at="2026-11-12T15:30")
    )
    assert response.status_code == 200
    assert (
        "This match ended on Tuesday 10 November 2026. Enter a date on or before that day."
        in read_page(response).text
    )
    session.refresh_from_db()
    assert session.starts_at == chicago(2026, 11, 9, 15, 30)


def test_the_new_session_form_refuses_a_date_after_the_match_ends(client_a, form_data, match_a):
    Match.objects.filter(pk=match_a.pk).update(end_date=dt.date(2026, 11, 10))
    response = client_a.post(NEW, form_data(starts_at="2026-11-16T15:30"))
    assert not SessionLog.objects.exists()
    assert "This match ended on Tuesday 10 November 2026." in read_page(response).text


def test_delete_asks_for_confirmation(client_a, entry):
    # A browser always sends the CSRF token, even when the box is not ticked.
    response = client_a.post(delete_url(entry), {"csrfmiddlewaretoken": "from-the-form"})
    assert "Tick the box to confirm you want to delete this entry." in read_page(response).text
    entry.refresh_from_db()
    assert entry.deleted_at is None


def test_delete_keeps_the_row_and_its_history_and_hides_the_entry(client_a, entry, mentor_a):
    response = client_a.post(delete_url(entry), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/sessions/"
    entry.refresh_from_db()
    assert entry.deleted_at == NOW
    assert entry.deleted_by == mentor_a
    deleted = entry.revisions.get(action=RevisionAction.DELETED)
    assert deleted.old_values["notes"] == entry.notes
    assert client_a.get(detail_url(entry)).status_code == 404
    assert detail_url(entry) not in read_page(client_a.get("/sessions/?month=2026-11")).hrefs()
    assert detail_url(entry) not in read_page(client_a.get("/mentor/")).hrefs()


def test_a_deleted_entry_no_longer_blocks_its_time(client_a, form_data, entry):
    client_a.post(delete_url(entry), {"confirm": "on"})
    assert client_a.post(NEW, form_data()).status_code == 302
    assert SessionLog.objects.live().count() == 1


# --- Nothing typed is lost ----------------------------------------------------------------


def test_notes_typed_when_the_sign_in_expired_come_back_after_signing_in(
    client, form_data, mentor_a
):
    data = form_data(notes="Typed before the sign-in expired.", hours="0.75")
    response = client.post(NEW, data)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/sessions/new/"
    assert not SessionLog.objects.exists()
    signed_in = client.post(
        "/accounts/sign-in/?next=/sessions/new/",
        {"username": mentor_a.email, "password": PASSWORD, "next": NEW},
    )
    assert signed_in["Location"] == NEW
    page = read_page(client.get(NEW))
    assert page.textareas["notes"] == "Typed before the sign-in expired."
    assert page.selected_values("hours") == ["0.75"]
    assert "We brought back what you were typing. Check it, then save." in page.text
    # Brought back once: the next visit starts afresh.
    assert read_page(client.get(NEW)).textareas["notes"] == ""


def test_changes_typed_when_the_sign_in_expired_come_back_to_the_edit_form(
    client, form_data, entry, mentor_a
):
    client.post(edit_url(entry), form_data(notes="Changed while signed out."))
    entry.refresh_from_db()
    assert entry.notes != "Changed while signed out."
    client.force_login(mentor_a)
    assert read_page(client.get(edit_url(entry))).textareas["notes"] == "Changed while signed out."


def test_notes_kept_from_an_expired_sign_in_are_not_shown_to_another_mentor(
    client, form_data, mentor_b
):
    # A shared computer: the next person to sign in must not read notes about a child.
    client.post(NEW, form_data(notes="Jane told me about her home."))
    client.force_login(mentor_b)
    content = client.get(NEW).content.decode()
    assert "Jane told me" not in content
    assert "Check it, then save." not in content


def test_a_program_with_a_lower_maximum_offers_fewer_hours(client_a, form_data):
    ProgramSettings.objects.filter(pk=1).update(max_hours="2.00")
    page = read_page(client_a.get(NEW))
    assert page.options("hours")[-1].value == "2.00"
    response = client_a.post(NEW, form_data(hours="2.25"))
    assert "A session can be at most 2.00 hours." in read_page(response).text
