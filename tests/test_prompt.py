"""The gentle prompt (issue 3): when the notes mention something that sounds like a need or a
concern, the confirmation page asks whether to add it. It never ticks anything itself, and
answering it works even after the month's deadline."""

import datetime as dt
import functools

import pytest
from django.utils import timezone

from portal.mentoring import rules
from portal.mentoring.models import ProgramSettings, RevisionAction, SessionLog
from portal.mentoring.services import mentor_may_change
from portal.notifications.models import Notification
from portal.safeguarding.models import ConcernStatus, ResourceNeed, SafetyConcern
from tests.conftest import frozen_at, log_session, two_hours_ago
from tests.page import read_page
from tests.paths import NEW_SESSION

QUESTION = "One question about your notes"


def suggest(notes: str, ticked: set[str] | None = None, words: str = rules.DEFAULT_PROMPT_WORDS):
    """The boxes suggested for ``notes``, as {target: phrase}."""
    found = rules.suggest_boxes(notes, words=words, ticked=ticked or set())
    return {s.target: s.phrase for s in found}


# --- Which words prompt which box ---------------------------------------------------------


def test_hungry_suggests_food():
    assert suggest("She said she was hungry") == {"food": "hungry"}


def test_bruised_suggests_a_concern():
    assert suggest("He had a bruised arm.") == {"concern": "bruised"}


def test_a_broken_washing_machine_suggests_household():
    assert suggest("Their washing machine broke last week.") == {"household": "washing machine"}


def test_the_words_match_whatever_their_case_and_spacing():
    assert suggest("NO   FOOD at home since Friday") == {"food": "NO   FOOD"}


@pytest.mark.parametrize(
    "notes", ["We drew on white paper.", "Lots of chitchat about football.", "A white hat."]
)
def test_hit_inside_another_word_does_not_count(notes):
    assert suggest(notes) == {}


def test_hit_as_a_word_does_count():
    assert suggest("A boy hit him at recess.") == {"concern": "hit"}


def test_boxes_already_ticked_are_not_suggested():
    notes = "She was hungry and had a bruise on her arm."

    assert suggest(notes, ticked={"food"}) == {"concern": "bruise"}
    assert suggest(notes, ticked={"food", "concern"}) == {}


def test_one_suggestion_per_box():
    found = rules.suggest_boxes(
        "Hungry, no food in the house, starving.", words=rules.DEFAULT_PROMPT_WORDS, ticked=set()
    )
    assert [s.target for s in found] == ["food"]


def test_notes_with_nothing_worrying_suggest_nothing():
    assert suggest("We played chess and read a story about dragons.") == {}


def test_the_word_list_comes_from_the_program_settings(program):
    program.prompt_words = "lonely = other\nno lunch = food\nthis line is ignored"
    program.save()
    words = ProgramSettings.load().prompt_words

    assert suggest("He felt lonely and had no lunch.", words=words) == {
        "other": "lonely",
        "food": "no lunch",
    }
    assert suggest("She was hungry.", words=words) == {}


# --- On the confirmation page -------------------------------------------------------------


@pytest.fixture
def form_data(session_post):
    """What mentor_a sends for a session two hours ago."""
    return functools.partial(session_post, notes="We did homework. She said she was hungry.")


def test_saving_notes_that_mention_hunger_asks_one_question(client_a, form_data):
    response = client_a.post(NEW_SESSION, form_data(), follow=True)

    page = read_page(response)
    assert "Your session is saved" in page.text
    assert QUESTION in page.text
    assert 'Your notes mention "hungry". Does the family need help with food?' in page.text
    session = SessionLog.objects.get()
    assert page.input("need", value="food")
    assert f"/sessions/{session.pk}/add/" in response.content.decode()


def test_the_prompt_never_ticks_anything_by_itself(client_a, form_data):
    response = client_a.post(NEW_SESSION, form_data(), follow=True)
    assert QUESTION in read_page(response).text

    session = SessionLog.objects.get()
    assert session.resource_needs == []
    assert not session.safety_concern
    assert not ResourceNeed.objects.exists()
    assert not SafetyConcern.objects.exists()
    assert session.revisions.count() == 1


def test_notes_with_no_prompt_word_ask_nothing(client_a, form_data):
    response = client_a.post(
        NEW_SESSION, form_data(notes="We played chess and read about dragons."), follow=True
    )

    page = read_page(response).text
    assert "Your session is saved" in page
    assert QUESTION not in page


def test_no_question_about_a_box_already_ticked(client_a, form_data):
    response = client_a.post(NEW_SESSION, form_data(resource_needs=["food"]), follow=True)

    assert QUESTION not in read_page(response).text


def test_a_concern_word_asks_for_a_description(client_a, form_data):
    response = client_a.post(
        NEW_SESSION, form_data(notes="He had a bruise on his cheek."), follow=True
    )

    page = read_page(response)
    assert 'Your notes mention "bruise". Is this a child safety concern?' in page.text
    assert "concern_details" in page.textareas


def test_the_question_is_asked_after_an_edit_too(client_a, form_data):
    client_a.post(NEW_SESSION, form_data(notes="We did homework."))
    session = SessionLog.objects.get()
    data = form_data(notes="We did homework. Their washing machine broke.")
    del data["submission_token"]

    response = client_a.post(f"/sessions/{session.pk}/edit/", data, follow=True)

    assert QUESTION in read_page(response).text
    assert 'Your notes mention "washing machine"' in read_page(response).text


def test_the_question_is_not_asked_when_the_entry_is_simply_opened(client_a, form_data):
    client_a.post(NEW_SESSION, form_data())
    session = SessionLog.objects.get()

    assert QUESTION not in read_page(client_a.get(f"/sessions/{session.pk}/")).text


def test_a_custom_word_list_prompts_on_the_page(client_a, form_data, program):
    program.prompt_words = "lonely = other"
    program.save()

    response = client_a.post(
        NEW_SESSION, form_data(notes="He said he feels lonely. Hungry too."), follow=True
    )

    page = read_page(response).text
    assert 'Your notes mention "lonely". Does the family need help with other?' in page
    assert 'mention "hungry"' not in page.lower(), "the default words no longer apply"


# --- Answering the question ---------------------------------------------------------------


@pytest.fixture
def hungry_session(match_a) -> SessionLog:
    return log_session(
        match_a, two_hours_ago(), entered_at=timezone.now(), notes="She said she was hungry."
    )


def add_url(session: SessionLog) -> str:
    return f"/sessions/{session.pk}/add/"


def test_answering_yes_opens_a_food_need_and_records_a_revision(client_a, hungry_session):
    response = client_a.post(add_url(hungry_session), {"need": "food"})

    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{hungry_session.pk}/"
    hungry_session.refresh_from_db()
    assert hungry_session.resource_needs == ["food"]
    need = ResourceNeed.objects.get(session=hungry_session)
    assert (need.kind, need.status) == ("food", "open")
    revision = hungry_session.revisions.get(action=RevisionAction.UPDATED)
    assert revision.reason == "Added after saving"
    assert revision.changes() == [("resource_needs", [], ["Food"])]
    page = read_page(client_a.get(response["Location"])).text
    assert "Added to your entry. The program will follow up." in page


def test_answering_twice_opens_the_need_once(client_a, hungry_session):
    client_a.post(add_url(hungry_session), {"need": "food"})
    response = client_a.post(add_url(hungry_session), {"need": "food"}, follow=True)

    assert ResourceNeed.objects.filter(session=hungry_session).count() == 1
    assert "Describe the child safety concern, or choose a need." in read_page(response).text


def test_describing_a_concern_raises_it_with_its_notifications(
    client_a, hungry_session, staff_user, mentor_a
):
    response = client_a.post(
        add_url(hungry_session), {"concern_details": "She flinched when her dad was named."}
    )

    assert response.status_code == 302
    concern = SafetyConcern.objects.get(session=hungry_session)
    assert concern.status == ConcernStatus.NEW
    assert concern.raised_by == mentor_a
    assert concern.description == "She flinched when her dad was named."
    assert set(Notification.objects.values_list("to", flat=True)) == {
        "staff@example.org",
        "contact-a@example.org",
    }
    hungry_session.refresh_from_db()
    assert hungry_session.safety_concern
    page = read_page(client_a.get(response["Location"])).text
    assert "Any immediate safety concerns must be reported to your school site contact." in page


def test_an_empty_answer_adds_nothing_and_says_why(client_a, hungry_session):
    response = client_a.post(add_url(hungry_session), {"concern_details": "  "}, follow=True)

    assert "Describe the child safety concern, or choose a need." in read_page(response).text
    assert not SafetyConcern.objects.exists()
    assert hungry_session.revisions.count() == 1


def test_an_unknown_need_is_refused(client_a, hungry_session):
    client_a.post(add_url(hungry_session), {"need": "pony"})

    hungry_session.refresh_from_db()
    assert hungry_session.resource_needs == []
    assert not ResourceNeed.objects.exists()


def test_the_answer_is_taken_after_the_months_deadline(client_a, match_a, staff_user):
    program = ProgramSettings.load()
    starts_at = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=70)
    session = log_session(match_a, starts_at, notes="He was hungry and had a bruise.")
    after_deadline = rules.deadline_for_session(starts_at, program.deadline_policy).due_by
    after_deadline += dt.timedelta(hours=1)

    with frozen_at(after_deadline):
        assert not mentor_may_change(session), "the mentor can no longer edit this entry"
        need = client_a.post(add_url(session), {"need": "food"})
        concern = client_a.post(add_url(session), {"concern_details": "A bruise on his arm."})

    assert need.status_code == concern.status_code == 302
    session.refresh_from_db()
    assert session.resource_needs == ["food"]
    assert session.safety_concern
    assert ResourceNeed.objects.get(session=session).kind == "food"
    concern = SafetyConcern.objects.get(session=session)
    assert concern.description == "A bruise on his arm."
    assert Notification.objects.filter(subject_id=concern.pk, to="staff@example.org").exists()
    assert session.revisions.filter(reason="Added after saving").count() == 2


def state_of(session: SessionLog) -> tuple:
    session.refresh_from_db()
    return (
        session.snapshot(),
        session.revisions.count(),
        ResourceNeed.objects.count(),
        SafetyConcern.objects.count(),
        Notification.objects.count(),
    )


def test_another_mentor_gets_404_and_nothing_changes(client, mentor_b, hungry_session):
    client.force_login(mentor_b)
    before = state_of(hungry_session)

    assert client.post(add_url(hungry_session), {"need": "food"}).status_code == 404
    response = client.post(add_url(hungry_session), {"concern_details": "Made up."})
    assert response.status_code == 404

    assert state_of(hungry_session) == before


@pytest.mark.parametrize("role", ["site_contact_a", "staff_user"])
def test_other_roles_may_not_answer_for_the_mentor(client, request, role, hungry_session):
    client.force_login(request.getfixturevalue(role))
    before = state_of(hungry_session)

    assert client.post(add_url(hungry_session), {"need": "food"}).status_code == 403
    assert state_of(hungry_session) == before


def test_a_signed_out_visitor_is_sent_to_sign_in(client, hungry_session):
    before = state_of(hungry_session)

    response = client.post(add_url(hungry_session), {"need": "food"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")
    assert state_of(hungry_session) == before


def test_answering_needs_a_post(client_a, hungry_session):
    assert client_a.get(add_url(hungry_session)).status_code == 405
