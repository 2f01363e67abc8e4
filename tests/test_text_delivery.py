"""Delivering text messages from the outbox through Twilio's API: the real twilio package
talks HTTP to a local fake of the API (tests/twilio_fake.py) that accepts, fails with a
500, refuses a number, or holds requests. Texts are claimed like emails: each goes out
once, with two workers at once, or after a worker is killed mid-send."""

import collections
import datetime as dt
import signal
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from portal.followups import services as followups
from portal.mentoring.models import ProgramSettings, SchoolSite
from portal.notifications.models import Notification
from portal.notifications.worker import deliver_due, lease
from portal.texts.delivery import TextSender
from portal.texts.models import StoppedBy, TextSubscription
from portal.texts.rules import consent_wording
from portal.texts.services import text_queue, texts_opt_in
from tests.conftest import chicago, frozen_at, log_session, make_match, signed_in, two_hours_ago
from tests.twilio_fake import FROM_NUMBER, twilio_environment
from tests.worker_processes import worker_database_env

pytest_plugins = ["tests.twilio_fixtures"]  # fake_twilio, twilio

NUMBER = "+13125550123"
NOON = chicago(2026, 12, 3, 12, 0)
SECOND = dt.timedelta(seconds=1)


def opt_in(user, phone=NUMBER):
    return texts_opt_in(
        mentor=user.mentor, phone=phone, wording=consent_wording("Mentoring Program"), actor=user
    )


def queue_texts(subscription, count=1, *, now=NOON, template="reminder-weekly"):
    with transaction.atomic():
        return [
            text_queue(
                subscription=subscription,
                template=template,
                context={"log_path": "/sessions/new/"},
                subject_type="reminder",
                subject_id=None,
                now=now,
            )
            for _ in range(count)
        ]


def reload(rows):
    return [Notification.objects.get(pk=row.pk) for row in rows]


def test_a_text_goes_through_twilios_api_once_with_its_absolute_link(twilio, mentor_a):
    (row,) = queue_texts(opt_in(mentor_a))

    report = deliver_due(worker_id="w1", now=NOON)

    assert (report.claimed, report.sent) == (1, 1)
    (message,) = twilio.messages
    assert (message.to, message.sender) == (NUMBER, FROM_NUMBER)
    assert message.body == (
        "Mentoring Program: nothing logged this week. Log a session: "
        "http://127.0.0.1:8000/sessions/new/ Reply STOP to stop texts."
    )
    (row,) = reload([row])
    assert (row.state, row.attempts, row.last_error, row.sent_at) == ("sent", 1, "", NOON)
    # Run again, and again: nothing more goes out.
    assert deliver_due(worker_id="w1", now=NOON + SECOND).claimed == 0
    assert deliver_due(worker_id="w2", now=NOON + 2 * lease()).claimed == 0
    assert len(twilio.messages) == 1


def test_emails_and_texts_due_together_go_out_in_one_run(twilio, mentor_a, staff_user):
    opt_in(mentor_a)
    session = log_session(mentor_a.mentor.matches.get(), two_hours_ago())
    with frozen_at(NOON):
        followups.followup_ask(session=session, user=staff_user, question="How did it go?")
        report = deliver_due(worker_id="w1")

    assert report.sent == 2
    assert len(mail.outbox) == 1 and len(twilio.messages) == 1


def test_a_500_from_twilio_is_retried_with_backoff_then_sent_once(twilio, mentor_a):
    (row,) = queue_texts(opt_in(mentor_a))
    twilio.fail_next(2, status=500)

    first = deliver_due(worker_id="w1", now=NOON)
    (row,) = reload([row])
    assert (first.retrying, row.state, row.attempts) == (1, "pending", 1)
    assert row.next_attempt_at == NOON + dt.timedelta(minutes=1)
    assert "Twilio error 500" in row.last_error

    assert deliver_due(worker_id="w1", now=NOON + SECOND).claimed == 0  # not due yet
    deliver_due(worker_id="w1", now=NOON + dt.timedelta(minutes=1))
    (row,) = reload([row])
    assert (row.attempts, row.next_attempt_at) == (2, NOON + dt.timedelta(minutes=3))

    assert deliver_due(worker_id="w1", now=NOON + dt.timedelta(minutes=3)).sent == 1
    assert len(twilio.messages) == 1
    assert twilio.requests == 3


def test_twilio_unreachable_is_retried(settings, twilio, mentor_a):
    (row,) = queue_texts(opt_in(mentor_a))
    twilio.stop()

    report = deliver_due(worker_id="w1", now=NOON)

    (row,) = reload([row])
    assert (report.retrying, row.state) == (1, "pending")
    assert "ConnectionError" in row.last_error


def test_an_invalid_number_fails_for_good_and_staff_see_it_in_the_outbox(
    twilio, mentor_a, staff_user
):
    (row,) = queue_texts(opt_in(mentor_a))
    twilio.fail_next(1, status=400, code=21211)

    report = deliver_due(worker_id="w1", now=NOON)

    (row,) = reload([row])
    assert (report.failed, row.state, row.attempts) == (1, "failed", 1)
    assert "error 21211" in row.last_error
    assert deliver_due(worker_id="w1", now=NOON + dt.timedelta(hours=2)).claimed == 0
    listing = signed_in(staff_user).get("/admin/notifications/notification/?channel__exact=text")
    page = listing.content.decode()
    assert listing.status_code == 200
    assert NUMBER in page and "error 21211" in page and "Failed for good" in page


def test_a_number_that_stopped_texts_at_twilio_is_stopped_here_too(twilio, mentor_a):
    subscription = opt_in(mentor_a)
    rows = queue_texts(subscription, 2)
    twilio.fail_next(1, status=400, code=21610)

    deliver_due(worker_id="w1", now=NOON)

    assert [row.state for row in reload(rows)] == ["failed", "failed"]
    subscription.refresh_from_db()
    assert (subscription.active, subscription.stopped_by) == (False, StoppedBy.PROVIDER)
    assert twilio.requests == 1


def test_a_text_due_in_quiet_hours_waits_for_their_end_and_the_wait_is_no_attempt(twilio, mentor_a):
    subscription = opt_in(mentor_a)
    late = chicago(2026, 12, 3, 22, 30)
    (row,) = queue_texts(subscription, now=late)
    (row,) = reload([row])
    assert row.next_attempt_at == chicago(2026, 12, 4, 8, 0)
    assert deliver_due(worker_id="w1", now=late).claimed == 0

    # A text queued before quiet hours and still waiting when they begin (the worker was
    # down, a retry): claimed, then handed back until the morning.
    (early,) = queue_texts(subscription, now=chicago(2026, 12, 3, 20, 59))
    report = deliver_due(worker_id="w1", now=late)
    (early,) = reload([early])
    assert (report.deferred, early.state, early.attempts) == (1, "pending", 0)
    assert early.next_attempt_at == chicago(2026, 12, 4, 8, 0)
    assert twilio.messages == []

    assert deliver_due(worker_id="w1", now=chicago(2026, 12, 4, 8, 0)).sent == 2
    assert len(twilio.messages) == 2


def test_a_retry_that_would_fall_in_quiet_hours_waits_for_their_end(twilio, mentor_a):
    (row,) = queue_texts(opt_in(mentor_a), now=chicago(2026, 12, 3, 20, 59, 30))
    twilio.fail_next(1, status=503)

    deliver_due(worker_id="w1", now=chicago(2026, 12, 3, 20, 59, 30))

    (row,) = reload([row])
    assert (row.state, row.next_attempt_at) == ("pending", chicago(2026, 12, 4, 8, 0))


def test_quiet_hours_are_a_setting(settings, twilio, mentor_a):
    settings.TEXT_QUIET_HOURS = ""
    (row,) = queue_texts(opt_in(mentor_a), now=chicago(2026, 12, 3, 23, 0))

    assert deliver_due(worker_id="w1", now=chicago(2026, 12, 3, 23, 0)).sent == 1


def test_no_text_goes_to_a_mentor_whose_texts_stopped_after_it_was_queued(twilio, mentor_a):
    subscription = opt_in(mentor_a)
    (row,) = queue_texts(subscription)
    # Turned off around the outbox (as if the STOP arrived while the row was claimed).
    TextSubscription.objects.filter(pk=subscription.pk).update(
        active=False, stopped_at=NOON, stopped_by=StoppedBy.REPLY
    )

    report = deliver_due(worker_id="w1", now=NOON)

    (row,) = reload([row])
    assert (report.failed, row.state) == (1, "failed")
    assert "texts were off" in row.last_error
    assert twilio.requests == 0


def test_a_second_worker_racing_the_first_sends_each_text_once(twilio, mentor_a, monkeypatch):
    rows = queue_texts(opt_in(mentor_a), 2)
    build = TextSender.build
    raced = []

    def slow_build(self, notification):
        # Rendering takes longer than the lease: meanwhile another worker claims the same
        # rows again and sends them.
        if not raced:
            raced.append(True)
            assert deliver_due(worker_id="w2", now=NOON + lease() + SECOND).sent == 2
        return build(self, notification)

    monkeypatch.setattr(TextSender, "build", slow_build)
    report = deliver_due(worker_id="w1", now=NOON)

    assert (report.claimed, report.sent, report.lost) == (2, 0, 2)
    assert [(row.state, row.claimed_by) for row in reload(rows)] == [("sent", "w2")] * 2
    assert len(twilio.messages) == 2


# --- Worker processes ---------------------------------------------------------------------


def worker_env(fake, **extra) -> dict[str, str]:
    # Whatever the time of day the suite runs: no quiet hours.
    return worker_database_env(**{**twilio_environment(fake), **extra, "TEXT_QUIET_HOURS": ""})


def start_worker(fake, *args, lease_seconds: int = 60):
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "send_notifications", *args],
        env=worker_env(fake, NOTIFICATION_LEASE_SECONDS=str(lease_seconds)),
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process, timeout=30) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out


def many_mentors(count: int):
    site = SchoolSite.objects.create(name="Hayes High")
    subscriptions = []
    for i in range(count):
        match = make_match(f"texter{i}@example.org", site, f"Kid{i}", dt.date(2026, 1, 5))
        subscriptions.append(opt_in(match.mentor.user, phone=f"+1312555{i:04d}"))
    return subscriptions


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_at_once_send_each_text_exactly_once(settings, fake_twilio):
    settings.TEXT_QUIET_HOURS = ""  # whatever the time of day the suite runs
    ProgramSettings.load()
    rows = [row for sub in many_mentors(12) for row in queue_texts(sub, now=timezone.now())]
    # Hold the first requests until both workers are mid-batch together.
    fake_twilio.hold()
    workers = [start_worker(fake_twilio, "--batch", "3") for _ in range(2)]
    assert fake_twilio.wait_for(lambda fake: fake.requests >= 2)
    fake_twilio.release()
    for worker in workers:
        finish(worker)

    rows = reload(rows)
    assert {row.state for row in rows} == {"sent"}
    assert len({row.claimed_by for row in rows}) == 2
    received = collections.Counter(message.to for message in fake_twilio.messages)
    assert received == {row.to: 1 for row in rows}


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_leaves_its_texts_to_the_next_worker_within_its_lease(
    settings, fake_twilio
):
    settings.TEXT_QUIET_HOURS = ""
    ProgramSettings.load()
    rows = [row for sub in many_mentors(4) for row in queue_texts(sub, now=timezone.now())]
    lease_seconds = 3
    fake_twilio.hold()
    worker = start_worker(fake_twilio, lease_seconds=lease_seconds)
    assert fake_twilio.wait_for(lambda fake: fake.requests >= 1)

    worker.send_signal(signal.SIGKILL)  # mid-send: Twilio has not taken the message
    worker.wait(timeout=10)
    fake_twilio.release(drop=True)
    assert {row.state for row in reload(rows)} == {"sending"}

    successor = start_worker(
        fake_twilio, "--loop", "--interval", "0.2", lease_seconds=lease_seconds
    )
    assert fake_twilio.wait_for(lambda fake: len(fake.messages) == 4, timeout=30)
    successor.send_signal(signal.SIGTERM)
    finish(successor)

    rows = reload(rows)
    assert {row.state for row in rows} == {"sent"}
    assert {row.attempts for row in rows} == {2}
    received = collections.Counter(message.to for message in fake_twilio.messages)
    assert received == {row.to: 1 for row in rows}
