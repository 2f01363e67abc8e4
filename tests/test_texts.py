"""Text messages (issue 16, item 4): a mentor opts in with their mobile number and consent
(kept word for word, with the time), reminders and coordinators' questions are queued by
text only for mentors who opted in, quiet hours delay them, and STOP and START replies
reach the portal through Twilio's webhook, signature checked."""

import datetime as dt

import pytest
from twilio.request_validator import RequestValidator

from portal.accounts.models import Role, User
from portal.audit.services import events_for
from portal.followups import services as followups
from portal.health import startup
from portal.mentoring import reminders
from portal.mentoring.models import ProgramSettings
from portal.notifications.models import Channel, Notification
from portal.notifications.worker import deliver_due
from portal.texts import rules
from portal.texts.delivery import render_text
from portal.texts.models import StoppedBy, TextSubscription
from portal.texts.services import texts_opt_in
from tests.conftest import chicago, frozen_at, log_session, signed_in, two_hours_ago
from tests.page import read_page
from tests.paths import SIGN_IN
from tests.production_env import PRODUCTION_ENV
from tests.twilio_fake import AUTH_TOKEN

PREFERENCES = "/mentor/email/"
TEXTS = "/mentor/texts/"
INBOUND = "/texts/inbound/"
NUMBER = "+13125550123"
CONSENT = rules.consent_wording("Mentoring Program")


def opt_in(user, phone=NUMBER):
    return texts_opt_in(mentor=user.mentor, phone=phone, wording=CONSENT, actor=user)


def _staff():
    return User.objects.get_or_create(
        email="coordinator@example.org", defaults={"role": Role.STAFF, "full_name": "Cora"}
    )[0]


def texts() -> list[Notification]:
    return list(Notification.objects.filter(channel=Channel.TEXT).order_by("pk"))


# --- Opting in and out -------------------------------------------------------------------


def test_the_preferences_page_offers_texts_with_the_consent_in_full(mentor_a):
    page = read_page(signed_in(mentor_a).get(PREFERENCES))

    assert "Text messages" in page.text
    assert page.label_for("phone") == "Your mobile number"
    assert page.label_for("consent") == CONSENT
    assert "they never name your mentee" in page.text


def test_opting_in_keeps_the_number_in_e164_and_the_consent_word_for_word_with_its_time(
    mentor_a,
):
    moment = chicago(2026, 12, 3, 17, 5)
    with frozen_at(moment):
        response = signed_in(mentor_a).post(
            TEXTS, {"texts": "on", "phone": "(312) 555-0123", "consent": "on"}
        )

    assert response.status_code == 302 and response["Location"] == PREFERENCES
    subscription = TextSubscription.objects.get(mentor__user=mentor_a)
    assert (subscription.phone, subscription.active) == (NUMBER, True)
    assert subscription.consent_wording == CONSENT
    assert subscription.consented_at == moment
    event = events_for(subscription).get(action="texts.opted_in")
    assert event.actor == mentor_a
    assert event.new_values["consent_wording"] == CONSENT
    assert event.new_values["phone"] == NUMBER
    page = read_page(signed_in(mentor_a).get(PREFERENCES))
    assert (
        "Texts are on: reminders and your coordinator's questions also come by text to "
        "(312) 555-0123" in page.text
    )
    assert "never between 9:00 PM and 8:00 AM" in page.text


@pytest.mark.parametrize("typed", ["555-0123", "call me", "+1 112 555 0123", ""])
def test_a_number_that_cannot_be_a_mobile_is_refused_with_what_to_type(mentor_a, typed):
    response = signed_in(mentor_a).post(TEXTS, {"texts": "on", "phone": typed, "consent": "on"})

    assert response.status_code == 400
    page = read_page(response)
    assert "There is a problem" in page.text
    expected = "Enter your mobile number." if not typed else rules.BAD_NUMBER
    assert expected in page.text
    assert response.content.decode().count("<title>Error: ") == 1
    assert page.input("phone").get("value") in (typed or None,)  # what they typed stays
    assert not TextSubscription.objects.exists()


def test_without_the_consent_ticked_nothing_is_kept(mentor_a):
    response = signed_in(mentor_a).post(TEXTS, {"texts": "on", "phone": "312 555 0123"})

    assert response.status_code == 400
    assert "Tick the box to agree to get texts, or leave texts off." in read_page(response).text
    assert not TextSubscription.objects.exists()


def test_a_mentor_turns_texts_off_at_any_time_and_what_waits_is_not_sent(mentor_a):
    opt_in(mentor_a)
    session = log_session(mentor_a.mentor.matches.get(), two_hours_ago())
    followups.followup_ask(session=session, user=_staff(), question="How did it go?")
    assert len(texts()) == 1

    response = signed_in(mentor_a).post(TEXTS, {"texts": "off"})

    assert response.status_code == 302
    subscription = TextSubscription.objects.get(mentor__user=mentor_a)
    assert (subscription.active, subscription.stopped_by) == (False, StoppedBy.MENTOR)
    assert subscription.consent_wording == CONSENT  # what was agreed stays on record
    assert events_for(subscription).filter(action="texts.stopped_by_mentor").exists()
    (waiting,) = texts()
    assert waiting.state == "failed"
    assert "stopped before it went out" in waiting.last_error
    page = read_page(signed_in(mentor_a).get(PREFERENCES))
    assert "Turn text messages on" in page.text


def test_opting_in_again_records_the_new_consent(mentor_a):
    opt_in(mentor_a)
    signed_in(mentor_a).post(TEXTS, {"texts": "off"})
    signed_in(mentor_a).post(TEXTS, {"texts": "on", "phone": "312 555 0199", "consent": "on"})

    subscription = TextSubscription.objects.get(mentor__user=mentor_a)
    assert (subscription.phone, subscription.active, subscription.stopped_at) == (
        "+13125550199",
        True,
        None,
    )
    assert events_for(subscription).filter(action="texts.opted_in").count() == 2


def test_each_mentor_changes_only_their_own_texts(mentor_a, mentor_b):
    opt_in(mentor_a)

    signed_in(mentor_b).post(TEXTS, {"texts": "off"})
    signed_in(mentor_b).post(TEXTS, {"texts": "on", "phone": "312 555 0177", "consent": "on"})

    assert TextSubscription.objects.get(mentor__user=mentor_a).phone == NUMBER
    assert TextSubscription.objects.get(mentor__user=mentor_a).active
    assert TextSubscription.objects.get(mentor__user=mentor_b).phone == "+13125550177"


def test_outsiders_cannot_turn_a_mentors_texts_on_or_off(
    client, mentor_a, staff_user, site_contact_a
):
    opt_in(mentor_a)
    data = {"texts": "on", "phone": "312 555 0100", "consent": "on"}

    anonymous = client.post(TEXTS, data)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(SIGN_IN)
    assert client.get(PREFERENCES).status_code == 302
    for outsider in (staff_user, site_contact_a):
        assert signed_in(outsider).post(TEXTS, data).status_code == 403
        assert signed_in(outsider).post(TEXTS, {"texts": "off"}).status_code == 403
        assert signed_in(outsider).get(PREFERENCES).status_code == 403
    assert signed_in(mentor_a).get(TEXTS)["Location"] == PREFERENCES  # changes nothing
    subscription = TextSubscription.objects.get()
    assert (subscription.phone, subscription.active) == (NUMBER, True)


def test_with_texts_off_in_the_settings_none_are_offered_or_queued(settings, mentor_a):
    opt_in(mentor_a)
    settings.SMS_BACKEND = "off"

    page = read_page(signed_in(mentor_a).get(PREFERENCES))
    assert "Text messages" not in page.text
    session = log_session(mentor_a.mentor.matches.get(), two_hours_ago())
    followups.followup_ask(session=session, user=_staff(), question="How did it go?")
    assert texts() == []


# --- What is texted, and to whom ---------------------------------------------------------


def test_a_coordinators_question_is_texted_with_its_link_never_the_question_or_the_child(
    mentor_a, mentor_b
):
    opt_in(mentor_a)
    session_a = log_session(mentor_a.mentor.matches.get(), two_hours_ago())
    session_b = log_session(mentor_b.mentor.matches.get(), two_hours_ago())
    with frozen_at(chicago(2026, 12, 3, 10, 0)):
        asked = followups.followup_ask(session=session_a, user=_staff(), question="Jane's food?")
        followups.followup_ask(session=session_b, user=_staff(), question="And yours?")

    (text,) = texts()
    assert (text.to, text.recipient_user, text.template) == (NUMBER, mentor_a, "followup-asked")
    assert (text.subject_type, text.subject_id) == ("followup", asked.pk)
    body = render_text(text.template, text.context, program_name="Mentoring Program")
    assert body.startswith("Mentoring Program: your coordinator asked you about your entry of ")
    assert f"http://127.0.0.1:8000/mentor/follow-ups/{asked.pk}/" in body
    assert body.endswith("Reply STOP to stop texts.")
    assert "Jane" not in body and "food" not in body
    assert session_a.match.mentee.first_name not in str(text.context)
    assert len(body) <= rules.TEXT_MAX
    # The email still goes, as before.
    assert (
        Notification.objects.filter(channel=Channel.EMAIL, template="followup-asked").count() == 2
    )


def test_reminders_are_texted_only_to_mentors_who_opted_in(mentor_a, mentor_b, program):
    opt_in(mentor_a)
    opt_in(mentor_b, phone="+13125550177")
    TextSubscription.objects.filter(mentor__user=mentor_b).update(
        active=False, stopped_at=chicago(2026, 10, 1, 9, 0), stopped_by=StoppedBy.REPLY
    )
    # Friday 30 October 2026, 8 AM: the weekly reminder, and the deadline one (2 November).
    friday = chicago(2026, 10, 30, 8, 0)
    reminders.reminders_send(now=friday)
    reminders.reminders_send(now=friday + dt.timedelta(minutes=15))  # again: nothing new

    emails = Notification.objects.filter(channel=Channel.EMAIL, template__startswith="reminder-")
    assert {row.to for row in emails} == {mentor_a.email, mentor_b.email}
    sent = texts()
    assert {row.to for row in sent} == {NUMBER}
    assert sorted(row.template for row in sent) == ["reminder-deadline", "reminder-weekly"]
    assert all(row.next_attempt_at == friday for row in sent)  # 8 AM: not quiet
    for row in sent:
        assert "weekly_off_path" not in row.context and "first_name" not in row.context
        assert not row.holds_secret
    deadline = next(row for row in sent if row.template == "reminder-deadline")
    body = render_text(deadline.template, deadline.context, program_name="Mentoring Program")
    assert body == (
        "Mentoring Program: your sessions for October 2026 are due Monday 2 November 2026. "
        "Log them: http://127.0.0.1:8000/sessions/new/ Reply STOP to stop texts."
    )


def test_a_reminder_due_in_quiet_hours_is_texted_when_they_end(mentor_a, program):
    ProgramSettings.objects.filter(pk=1).update(reminder_hour=6)
    opt_in(mentor_a)
    friday = chicago(2026, 10, 30, 6, 0)

    reminders.reminders_send(now=friday)

    assert {row.next_attempt_at for row in texts()} == {chicago(2026, 10, 30, 8, 0)}


# --- Replies: STOP and START through the webhook ------------------------------------------


@pytest.fixture
def webhook(settings):
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.SITE_URL = "https://mentors.example.org"
    return f"https://mentors.example.org{INBOUND}"


def reply(client, url, body, *, sender=NUMBER, signature=None):
    params = {"From": sender, "To": "+15555550100", "Body": body, "MessageSid": "SM1"}
    if signature is None:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    return client.post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_a_stop_reply_ends_texts_to_that_number_and_is_audited(client, webhook, mentor_a):
    subscription = opt_in(mentor_a)

    response = reply(client, webhook, "Stop")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    subscription.refresh_from_db()
    assert (subscription.active, subscription.stopped_by) == (False, StoppedBy.REPLY)
    event = events_for(subscription).get(action="texts.stopped_by_reply")
    assert event.actor is None
    # Nothing is queued to them any more.
    session = log_session(mentor_a.mentor.matches.get(), two_hours_ago())
    followups.followup_ask(session=session, user=_staff(), question="How did it go?")
    assert texts() == []
    assert "you replied STOP" in read_page(signed_in(mentor_a).get(PREFERENCES)).text


def test_a_start_reply_resumes_texts_stopped_by_a_reply(client, webhook, mentor_a):
    subscription = opt_in(mentor_a)
    reply(client, webhook, "STOP")

    response = reply(client, webhook, "start")

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert (subscription.active, subscription.stopped_at) == (True, None)
    assert events_for(subscription).filter(action="texts.started_by_reply").exists()


def test_a_start_reply_does_not_undo_a_mentor_turning_texts_off_on_their_page(
    client, webhook, mentor_a
):
    opt_in(mentor_a)
    signed_in(mentor_a).post(TEXTS, {"texts": "off"})

    reply(client, webhook, "START")

    assert not TextSubscription.objects.get().active


def test_a_bad_signature_is_refused_and_changes_nothing(client, webhook, mentor_a):
    opt_in(mentor_a)
    forged = RequestValidator("not-the-token").compute_signature(
        webhook, {"From": NUMBER, "To": "+15555550100", "Body": "STOP", "MessageSid": "SM1"}
    )

    assert reply(client, webhook, "STOP", signature=forged).status_code == 403
    assert reply(client, webhook, "STOP", signature="").status_code == 403
    # A good signature for another address (someone replaying to another portal).
    assert reply(client, "https://elsewhere.example.org/texts/inbound/", "STOP").status_code == 403
    assert client.get(INBOUND).status_code == 405
    assert TextSubscription.objects.get().active
    assert not events_for(TextSubscription.objects.get()).exclude(action="texts.opted_in").exists()


def test_without_a_twilio_token_every_reply_is_refused(client, webhook, settings, mentor_a):
    opt_in(mentor_a)
    settings.TWILIO_AUTH_TOKEN = ""

    assert reply(client, webhook, "STOP").status_code == 403
    assert TextSubscription.objects.get().active


def test_other_replies_change_nothing_and_are_not_kept(client, webhook, mentor_a):
    opt_in(mentor_a)

    assert reply(client, webhook, "Please call me instead").status_code == 200

    assert TextSubscription.objects.get().active
    assert not events_for(TextSubscription.objects.get()).exclude(action="texts.opted_in").exists()


# --- Settings -----------------------------------------------------------------------------


def test_a_production_server_refuses_the_console_backend_and_a_half_set_twilio():
    assert startup.problems(PRODUCTION_ENV) == []  # no SMS_BACKEND: texts are off
    assert startup.problems({**PRODUCTION_ENV, "SMS_BACKEND": "off"}) == []
    (console,) = startup.problems({**PRODUCTION_ENV, "SMS_BACKEND": "console"})
    assert console.startswith("SMS_BACKEND is console")
    (half,) = startup.problems(
        {**PRODUCTION_ENV, "SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "AC1"}
    )
    assert "TWILIO_AUTH_TOKEN, TWILIO_FROM is not set" in half
    (unknown,) = startup.problems({**PRODUCTION_ENV, "SMS_BACKEND": "carrier-pigeon"})
    assert unknown.startswith("SMS_BACKEND is 'carrier-pigeon'")
    complete = {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": "AC1",
        "TWILIO_AUTH_TOKEN": "token",
        "TWILIO_FROM": "+13125550100",
    }
    assert startup.problems({**PRODUCTION_ENV, **complete}) == []


def test_the_console_backend_prints_the_text(settings, mentor_a, capsys):
    settings.SMS_BACKEND = "console"
    settings.TEXT_QUIET_HOURS = ""
    opt_in(mentor_a)
    session = log_session(mentor_a.mentor.matches.get(), two_hours_ago())
    followups.followup_ask(session=session, user=_staff(), question="How did it go?")

    assert deliver_due(worker_id="w1").sent == 2  # the email and the text
    printed = capsys.readouterr().out
    assert f"-- Text message to {NUMBER}" in printed
    assert "your coordinator asked you about your entry of" in printed
