"""Follow-ups on a session entry (issue 14, item 3; SPEC 8): staff ask the entry's mentor a
question, the mentor is emailed and answers in the portal, staff resolve it. Each step is
audited; the mentor sees only their own; a site contact sees none of it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.audit.services import events_for
from portal.followups import selectors, services
from portal.followups.models import FollowUp, FollowUpStatus
from portal.lifecycle import services as lifecycle
from portal.lifecycle.forgetting import ERASED_PLACEHOLDER, RETENTION_PLACEHOLDER
from portal.mentoring import services as session_services
from portal.mentoring.models import Match, Mentee, ProgramSettings, SessionLog
from portal.notifications.emails import render_email
from portal.notifications.models import Notification
from tests.conftest import edit_input, log_session, make_user, signed_in, two_hours_ago

QUESTION = "Can you tell me more about the washing machine?"
ANSWER = "It broke last month; the family is washing clothes in the bathtub."
NOTES = "I met with Jane today. Their washing machine broke."


@pytest.fixture
def session(match_a):
    return log_session(match_a, two_hours_ago(), notes=NOTES)


@pytest.fixture
def followup(session, staff_user) -> FollowUp:
    return services.followup_ask(session=session, user=staff_user, question=QUESTION)


def answer_url(followup: FollowUp) -> str:
    return f"/mentor/follow-ups/{followup.pk}/"


def session_url(session: SessionLog) -> str:
    return f"/staff/sessions/{session.pk}/"


# --- Asking ------------------------------------------------------------------------------


def test_staff_ask_from_the_session_page_and_the_mentor_is_emailed_once(
    session, staff_user, mentor_a
):
    client = signed_in(staff_user)
    page = client.get(session_url(session)).content.decode()
    assert "Ask the mentor about this entry" in page
    response = client.post(f"/staff/sessions/{session.pk}/follow-ups/", {"question": QUESTION})
    assert response.status_code == 302
    # A second click of the same button asks nothing twice.
    client.post(f"/staff/sessions/{session.pk}/follow-ups/", {"question": QUESTION})
    followup = FollowUp.objects.get()
    assert (followup.status, followup.question, followup.asked_by) == (
        FollowUpStatus.OPEN,
        QUESTION,
        staff_user,
    )
    emails = Notification.objects.filter(template="followup-asked")
    assert [(e.to, e.subject_id) for e in emails] == [(mentor_a.email, followup.pk)]
    page = client.get(session_url(session)).content.decode()
    assert QUESTION in page and "Waiting for the mentor" in page


def test_the_asked_email_says_the_date_and_links_without_notes_question_or_name(followup):
    email = Notification.objects.get(template="followup-asked")
    subject, text, html = render_email(email.template, email.context)
    local = timezone.localtime(followup.session.starts_at, ProgramSettings.load().tz)
    assert local.strftime("%B") in subject and str(local.day) in subject
    assert "coordinator asked" in subject.lower()
    assert (
        f"/mentor/follow-ups/{followup.pk}/" in text
        and f"/mentor/follow-ups/{followup.pk}/" in html
    )
    for body in (subject, text, html):
        assert "Jane" not in body
        assert "washing" not in body
    assert set(email.context) == {"first_name", "entry_date", "answer_path"}


def test_an_empty_or_too_long_question_is_refused_on_the_page(session, staff_user):
    client = signed_in(staff_user)
    response = client.post(f"/staff/sessions/{session.pk}/follow-ups/", {"question": "  "})
    assert response.status_code == 400
    assert "Write your question to the mentor." in response.content.decode()
    response = client.post(f"/staff/sessions/{session.pk}/follow-ups/", {"question": "x" * 2001})
    assert response.status_code == 400
    assert "at most 2,000 characters" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_only_staff_ask(session, mentor_a):
    with pytest.raises(PermissionDenied):
        services.followup_ask(session=session, user=mentor_a, question=QUESTION)


# --- The mentor's side -------------------------------------------------------------------


def test_the_mentor_sees_the_question_on_home_and_answers_it(followup, mentor_a, staff_user):
    client = signed_in(mentor_a)
    home = client.get("/mentor/").content.decode()
    assert "Your coordinator asked about an entry" in home
    assert answer_url(followup) in home
    # Above the session button: the first thing on the page.
    assert home.index("Your coordinator asked") < home.index("Log a session</a>")
    page = client.get(answer_url(followup)).content.decode()
    assert QUESTION in page and NOTES in page and "Send my answer" in page
    response = client.post(answer_url(followup), {"answer": ANSWER})
    assert response.status_code == 302 and response["Location"] == "/mentor/"
    followup.refresh_from_db()
    assert (followup.status, followup.answer, followup.answered_by) == (
        FollowUpStatus.ANSWERED,
        ANSWER,
        mentor_a,
    )
    assert "Your coordinator asked" not in client.get("/mentor/").content.decode()
    told = Notification.objects.get(template="followup-answered")
    assert told.to == staff_user.email
    subject, text, _html = render_email(told.template, told.context)
    assert "answered" in subject and "bathtub" not in text and "washing" not in text


def test_a_double_submit_of_the_answer_saves_once(followup, mentor_a):
    client = signed_in(mentor_a)
    client.post(answer_url(followup), {"answer": ANSWER})
    second = client.post(answer_url(followup), {"answer": ANSWER})
    assert second.status_code == 302
    assert AuditEvent.objects.filter(action="followup.answered").count() == 1
    assert Notification.objects.filter(template="followup-answered").count() == 1


def test_an_answered_follow_up_cannot_be_answered_again(followup, mentor_a):
    services.followup_answer(followup=followup, user=mentor_a, answer=ANSWER)
    client = signed_in(mentor_a)
    response = client.post(answer_url(followup), {"answer": "Something else"}, follow=True)
    assert services.ALREADY_ANSWERED in response.content.decode()
    followup.refresh_from_db()
    assert followup.answer == ANSWER
    page = client.get(answer_url(followup)).content.decode()
    assert "Send my answer" not in page and ANSWER in page


def test_a_resolved_follow_up_cannot_be_answered(followup, mentor_a, staff_user):
    services.followup_resolve(followup=followup, user=staff_user, note="Talked on the phone.")
    response = signed_in(mentor_a).post(answer_url(followup), {"answer": ANSWER}, follow=True)
    assert services.ALREADY_RESOLVED in response.content.decode()
    followup.refresh_from_db()
    assert followup.answer == "" and followup.status == FollowUpStatus.RESOLVED


def test_an_empty_answer_is_refused_with_a_message(followup, mentor_a):
    response = signed_in(mentor_a).post(answer_url(followup), {"answer": " "})
    assert response.status_code == 400
    assert "Write your answer." in response.content.decode()
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.OPEN


def test_only_the_entrys_mentor_answers(followup, mentor_b):
    with pytest.raises(PermissionDenied):
        services.followup_answer(followup=followup, user=mentor_b, answer=ANSWER)


# --- Resolving ---------------------------------------------------------------------------


def test_staff_see_the_answer_and_resolve_it(followup, mentor_a, staff_user):
    services.followup_answer(followup=followup, user=mentor_a, answer=ANSWER)
    client = signed_in(staff_user)
    page = client.get(session_url(followup.session)).content.decode()
    assert ANSWER in page and "Mark as resolved" in page
    listing = client.get("/staff/follow-ups/?who=all").content.decode()
    assert "Answers to read (1)" in listing and ANSWER[:40] in listing
    response = client.post(f"/staff/follow-ups/{followup.pk}/resolve/", {})
    assert response.status_code == 302
    followup.refresh_from_db()
    assert (followup.status, followup.resolved_by) == (FollowUpStatus.RESOLVED, staff_user)
    again = client.post(f"/staff/follow-ups/{followup.pk}/resolve/", {}, follow=True)
    assert services.ALREADY_CLOSED_FOR_STAFF in again.content.decode()
    assert AuditEvent.objects.filter(action="followup.resolved").count() == 1


def test_an_open_follow_up_is_closed_only_with_a_note(followup, staff_user):
    client = signed_in(staff_user)
    response = client.post(f"/staff/follow-ups/{followup.pk}/resolve/", {})
    assert response.status_code == 400
    assert "say why it can be closed" in response.content.decode()
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.OPEN
    client.post(
        f"/staff/follow-ups/{followup.pk}/resolve/",
        {"resolution_note": "Talked on the phone."},
    )
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.RESOLVED
    assert followup.resolution_note == "Talked on the phone."


def test_each_step_is_audited(followup, mentor_a, staff_user):
    services.followup_answer(followup=followup, user=mentor_a, answer=ANSWER)
    services.followup_resolve(followup=followup, user=staff_user)
    steps = [(e.action, e.actor) for e in events_for(followup).order_by("pk")]
    assert steps == [
        ("followup.asked", staff_user),
        ("followup.answered", mentor_a),
        ("followup.resolved", staff_user),
    ]


def test_the_database_refuses_a_resolved_follow_up_without_who(followup):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.filter(pk=followup.pk).update(status=FollowUpStatus.RESOLVED)


# --- Who sees what -----------------------------------------------------------------------


def test_outsiders_never_see_a_follow_up(
    client, followup, mentor_b, site_contact_a, site_contact_b, staff_user
):
    urls = [answer_url(followup)]
    assert signed_in(mentor_b).get(answer_url(followup)).status_code == 404
    assert signed_in(mentor_b).post(answer_url(followup), {"answer": "x"}).status_code == 404
    assert QUESTION not in signed_in(mentor_b).get("/mentor/").content.decode()
    assert list(selectors.open_for_mentor(mentor_b)) == []
    staff_urls = [
        session_url(followup.session),
        "/staff/follow-ups/?who=all",
        f"/staff/follow-ups/{followup.pk}/resolve/",
        f"/staff/sessions/{followup.session_id}/follow-ups/",
    ]
    for person in (site_contact_a, site_contact_b, mentor_b):
        for url in urls + staff_urls:
            answer = signed_in(person).get(url)
            assert answer.status_code in (403, 404), (person, url)
            assert QUESTION not in answer.content.decode()
    for url in urls + staff_urls:
        assert client.get(url).status_code == 302  # to the sign-in page
    # Nothing changed on the way.
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.OPEN


def test_staff_are_not_the_mentor_of_the_answer_page(followup, staff_user):
    assert signed_in(staff_user).get(answer_url(followup)).status_code == 403


# --- A follow-up moves with its session --------------------------------------------------


def test_a_follow_up_moves_with_its_session_to_the_new_coordinator(
    followup, match_a, school_a, mentor_a, staff_user
):
    other_staff = make_user("coordinator2@example.org", "staff", "Casey Park")
    lily = Mentee.objects.create(first_name="Lily", last_initial="R", site=school_a, grade="3")
    other = Match.objects.create(
        mentor=match_a.mentor,
        mentee=lily,
        site=school_a,
        start_date=match_a.start_date,
        coordinator=other_staff,
    )
    Match.objects.filter(pk=match_a.pk).update(coordinator=staff_user)
    assert list(selectors.unanswered(coordinator=staff_user)) == [followup]
    session = SessionLog.objects.get(pk=followup.session_id)
    session_services.session_log_update(
        session=session,
        user=staff_user,
        data=edit_input(session, match=other),
        reason="Wrong child",
    )
    assert list(selectors.unanswered(coordinator=staff_user)) == []
    assert list(selectors.unanswered(coordinator=other_staff)) == [followup]
    # Its mentor still answers it, on a page that now names the other child.
    page = signed_in(mentor_a).get(answer_url(followup)).content.decode()
    assert "Lily" in page and QUESTION in page
    assert list(selectors.open_for_mentor(mentor_a)) == [followup]


def test_the_selectors_for_the_weekly_digest(followup, session, staff_user, mentor_a):
    second = services.followup_ask(session=session, user=staff_user, question="And the dryer?")
    services.followup_answer(followup=second, user=mentor_a, answer="Fine.")
    assert list(selectors.unanswered()) == [followup]
    assert list(selectors.answered_to_resolve()) == [second]
    assert list(selectors.for_session(session)) == [followup, second]
    assert list(selectors.unanswered(coordinator=staff_user)) == []  # no caseload yet


# --- Erasure and the retention purge -----------------------------------------------------


def test_the_erasure_and_the_purge_blank_follow_ups(
    followup, mentor_a, admin_user, program, match_a
):
    services.followup_answer(followup=followup, user=mentor_a, answer=ANSWER)
    Match.objects.filter(pk=match_a.pk).update(start_date=dt.date(2020, 1, 1))
    match_a.refresh_from_db()
    old = log_session(match_a, timezone.now() - dt.timedelta(days=4 * 365), notes="Old notes.")
    old_followup = services.followup_ask(session=old, user=admin_user, question=QUESTION)
    program.session_notes_retention_years = 3
    program.save()
    assert lifecycle.sessions_purge_expired() == 1
    old_followup.refresh_from_db()
    assert old_followup.question == RETENTION_PLACEHOLDER
    assert QUESTION not in str(events_for(old_followup).values_list("new_values", flat=True))
    lifecycle.mentee_erase(mentee=match_a.mentee, user=admin_user, reason="School's request")
    followup.refresh_from_db()
    assert (followup.question, followup.answer) == (ERASED_PLACEHOLDER, ERASED_PLACEHOLDER)
    values = str(list(events_for(followup).values_list("new_values", flat=True)))
    assert QUESTION not in values and ANSWER not in values


def test_a_question_with_control_characters_is_cleaned(session, staff_user):
    followup = services.followup_ask(
        session=session, user=staff_user, question="Tell me\x0bmore\x00 please"
    )
    assert followup.question == "Tell me\nmore please"
    with pytest.raises(ValidationError):
        services.followup_ask(session=session, user=staff_user, question="x" * 2001)


# --- Query counts ------------------------------------------------------------------------


def grow(session: SessionLog, staff, n: int, *, answered: bool) -> None:
    """n more entries of the session's match, each with a follow-up."""
    sessions = []
    base = session.starts_at - dt.timedelta(days=1)
    for i in range(n):
        clone = SessionLog.objects.get(pk=session.pk)
        clone.pk = None
        clone.starts_at = base - dt.timedelta(hours=i + 1 + FollowUp.objects.count())
        sessions.append(clone)
    sessions = SessionLog.objects.bulk_create(sessions)
    now = timezone.now()
    FollowUp.objects.bulk_create(
        FollowUp(
            session=s,
            asked_by=staff,
            question=QUESTION,
            **(
                {
                    "status": FollowUpStatus.ANSWERED,
                    "answer": ANSWER,
                    "answered_by": session.match.mentor.user,
                    "answered_at": now,
                }
                if answered
                else {}
            ),
        )
        for s in sessions
    )


def queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_mentor_home_and_the_staff_list_stay_flat_from_50_to_500(
    session, staff_user, mentor_a, match_a
):
    Match.objects.filter(pk=match_a.pk).update(coordinator=staff_user)
    mentor, staff = signed_in(mentor_a), signed_in(staff_user)
    grow(session, staff_user, 25, answered=False)
    grow(session, staff_user, 25, answered=True)
    at_50 = [queries(mentor, "/mentor/"), queries(staff, "/staff/follow-ups/")]
    at_50.append(queries(staff, session_url(session)))
    grow(session, staff_user, 225, answered=False)
    grow(session, staff_user, 225, answered=True)
    at_500 = [queries(mentor, "/mentor/"), queries(staff, "/staff/follow-ups/")]
    at_500.append(queries(staff, session_url(session)))
    assert at_500 == at_50
    assert "Answers to read (250)" in staff.get("/staff/follow-ups/").content.decode()


def test_the_staff_list_shows_a_coordinators_own_matches_and_all_without_a_caseload(
    followup, match_b, staff_user, admin_user
):
    other = services.followup_ask(
        session=log_session(match_b, two_hours_ago()), user=admin_user, question="And Marcus?"
    )
    Match.objects.filter(pk=followup.session.match_id).update(coordinator=staff_user)
    mine = signed_in(staff_user).get("/staff/follow-ups/").content.decode()
    assert QUESTION in mine and other.question not in mine
    everyone = signed_in(staff_user).get("/staff/follow-ups/?who=all").content.decode()
    assert QUESTION in everyone and other.question in everyone
    no_caseload = signed_in(admin_user).get("/staff/follow-ups/").content.decode()
    assert QUESTION in no_caseload and other.question in no_caseload
    assert "no matches of your own yet" in no_caseload
