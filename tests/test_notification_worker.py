"""Delivering the outbox through a real SMTP server (tests/smtp_server.py) that accepts,
refuses, hangs up, is slow or is not there at all."""

import collections
import datetime as dt
import logging
import signal
import subprocess
import sys
import threading
import time
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from portal.notifications.models import Notification, NotificationPriority, priority_of
from portal.notifications.services import notification_queue
from portal.notifications.worker import (
    DEFAULT_BATCH,
    DeliveryReport,
    Unfinished,
    deliver_due,
    lease,
)
from tests.conftest import terminate_other_connections
from tests.worker_processes import worker_database_env

MINUTE = dt.timedelta(minutes=1)
SECOND = dt.timedelta(seconds=1)

pytest_plugins = ["tests.smtp_fixtures"]  # email_templates, smtp, smtp_server


def queue(count=1, *, to="robin{i}@example.org", template="test-greeting", **context):
    with transaction.atomic():
        return [
            notification_queue(to=to.format(i=i), template=template, context=context)
            for i in range(count)
        ]


def reload(rows):
    return [Notification.objects.get(pk=row.pk) for row in rows]


def message_id(row) -> str:
    return f"<{row.uuid}@mentor-portal>"


# --- Delivering -----------------------------------------------------------------------


def test_an_accepted_email_is_sent_once_with_its_message_id_subject_and_both_bodies(
    db, smtp, email_templates
):
    rows = queue(3, name="Jane")

    report = deliver_due(worker_id="w1")

    assert (report.claimed, report.sent) == (3, 3)
    for row in reload(rows):
        assert (row.state, row.attempts, row.last_error) == ("sent", 1, "")
        assert row.sent_at is not None
    assert sorted(smtp.message_ids()) == sorted(message_id(row) for row in rows)
    for received, row in zip(smtp.received, rows, strict=True):
        assert received.rcpt_to == [row.to]
        assert received.subject == "Hello Jane from Mentoring Program"
        assert received.text.startswith("Dear Jane,")
        assert '<a href="http://127.0.0.1:8000/sessions/">' in received.html

    assert deliver_due(worker_id="w1").claimed == 0
    assert len(smtp.received) == 3


def test_when_smtp_is_down_nothing_is_lost_and_it_goes_out_once_when_it_is_back(
    db, smtp, email_templates
):
    smtp.stop()  # nothing listens on the port any more
    rows = queue(2, name="Jane")
    t0 = timezone.now()

    report = deliver_due(worker_id="w1", now=t0)

    assert (report.claimed, report.retrying) == (2, 2)
    for row in reload(rows):
        assert (row.state, row.attempts) == ("pending", 1)
        assert "ConnectionRefusedError" in row.last_error
        assert row.next_attempt_at == t0 + MINUTE

    assert deliver_due(worker_id="w1", now=t0 + 59 * dt.timedelta(seconds=1)).claimed == 0
    assert {row.attempts for row in reload(rows)} == {1}

    smtp.start()  # back, on the same port
    report = deliver_due(worker_id="w1", now=t0 + MINUTE)

    assert report.sent == 2
    assert [(row.state, row.attempts) for row in reload(rows)] == [("sent", 2), ("sent", 2)]
    assert sorted(smtp.message_ids()) == sorted(message_id(row) for row in rows)
    assert deliver_due(worker_id="w1", now=t0 + 60 * MINUTE).claimed == 0
    assert len(smtp.received) == 2


def test_a_temporary_refusal_is_retried_with_a_growing_backoff_then_fails_for_good(
    db, smtp, email_templates
):
    smtp.mode = "temporary"  # 451 at MAIL
    [row] = queue(name="Jane")
    now = timezone.now()
    waits = []

    for attempt in range(1, 11):
        deliver_due(worker_id="w1", now=now)
        row.refresh_from_db()
        assert row.attempts == attempt
        assert "451" in row.last_error
        if row.state == "pending":
            waits.append((row.next_attempt_at - now) / MINUTE)
            now = row.next_attempt_at

    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert row.state == "failed"
    assert smtp.mail_commands == 10
    assert deliver_due(worker_id="w1", now=now + 24 * 60 * MINUTE).claimed == 0
    assert smtp.received == []


def test_the_number_of_attempts_is_a_setting(db, smtp, email_templates, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    smtp.stop()
    [row] = queue(name="Jane")
    now = timezone.now()

    deliver_due(worker_id="w1", now=now)
    deliver_due(worker_id="w1", now=now + MINUTE)

    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 2)


@pytest.mark.parametrize("stage, code", [("data", "451"), ("mail", "421")])
def test_a_451_at_data_or_a_421_hang_up_is_temporary(db, smtp, email_templates, stage, code):
    smtp.mode, smtp.temporary_at, smtp.temporary_code = "temporary", stage, code
    [row] = queue(name="Jane")
    now = timezone.now()

    deliver_due(worker_id="w1", now=now)

    row.refresh_from_db()
    assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 1, now + MINUTE)
    assert code in row.last_error


def test_a_permanent_refusal_fails_at_once_after_one_attempt(db, smtp, email_templates):
    smtp.mode = "permanent"  # 550 at RCPT
    [row] = queue(name="Jane")
    now = timezone.now()

    report = deliver_due(worker_id="w1", now=now)

    row.refresh_from_db()
    assert report.failed == 1
    assert (row.state, row.attempts) == ("failed", 1)
    assert "550" in row.last_error
    assert deliver_due(worker_id="w1", now=now + 24 * 60 * MINUTE).claimed == 0


def test_one_bad_row_does_not_stop_the_batch(db, smtp, email_templates):
    smtp.refused_recipients = {"gone@example.org"}
    [first] = queue(to="first@example.org", name="Jane")
    [missing] = queue(to="missing@example.org", template="no-such-email")
    [injected] = queue(to="robin@example.org\r\nBcc: attacker@example.net", name="Jane")
    [gone] = queue(to="gone@example.org", name="Jane")
    [last] = queue(to="last@example.org", name="Jane")

    report = deliver_due(worker_id="w1")

    assert (report.sent, report.failed) == (2, 3)
    first, missing, injected, gone, last = reload([first, missing, injected, gone, last])
    assert (first.state, last.state) == ("sent", "sent")
    assert (missing.state, missing.attempts) == ("failed", 1)
    assert "template missing" in missing.last_error
    assert (injected.state, injected.attempts) == ("failed", 1)
    assert "line break" in injected.last_error
    assert (gone.state, gone.attempts) == ("failed", 1)
    assert "550" in gone.last_error
    assert [message.rcpt_to for message in smtp.received] == [
        ["first@example.org"],
        ["last@example.org"],
    ]


def test_a_server_that_hangs_up_does_not_stop_the_rest_of_the_batch(db, smtp, email_templates):
    smtp.mode, smtp.temporary_code, smtp.temporary_count = "temporary", "421", 1
    rows = queue(3, name="Jane")

    report = deliver_due(worker_id="w1")

    assert (report.retrying, report.sent) == (1, 2)
    assert [row.state for row in reload(rows)] == ["pending", "sent", "sent"]
    assert len(smtp.received) == 2


def test_a_row_left_sending_by_a_dead_worker_is_taken_again_within_a_minute(
    db, smtp, email_templates
):
    [row] = queue(name="Jane")
    t0 = timezone.now()
    Notification.objects.filter(pk=row.pk).update(
        state="sending", claimed_by="dead-worker", claimed_at=t0, attempts=1
    )

    assert deliver_due(worker_id="w2", now=t0 + 59 * SECOND).claimed == 0
    assert deliver_due(worker_id="w2", now=t0 + 61 * SECOND).sent == 1

    row.refresh_from_db()
    assert (row.state, row.claimed_by, row.attempts) == ("sent", "w2", 2)
    assert smtp.message_ids() == [message_id(row)]


def test_the_lease_is_a_setting(db, smtp, email_templates, settings):
    settings.NOTIFICATION_LEASE_SECONDS = 5 * 60
    [row] = queue(name="Jane")
    t0 = timezone.now()
    Notification.objects.filter(pk=row.pk).update(
        state="sending", claimed_by="dead-worker", claimed_at=t0, attempts=1
    )

    assert deliver_due(worker_id="w2", now=t0 + 4 * MINUTE).claimed == 0
    assert deliver_due(worker_id="w2", now=t0 + 6 * MINUTE).sent == 1


def test_a_worker_claims_a_few_emails_at_a_time(db, smtp, email_templates):
    rows = queue(DEFAULT_BATCH + 7, name="Jane")

    report = deliver_due(worker_id="w1")

    assert 1 <= DEFAULT_BATCH <= 5
    assert (report.claimed, report.sent) == (DEFAULT_BATCH, DEFAULT_BATCH)
    states = collections.Counter(row.state for row in reload(rows))
    assert states == {"sent": DEFAULT_BATCH, "pending": 7}


def test_concern_emails_go_out_before_everything_else_that_is_due(db, smtp, email_templates):
    earlier = queue(3, name="Jane")
    for row in earlier:  # waiting for longer than the concern
        Notification.objects.filter(pk=row.pk).update(
            next_attempt_at=F("next_attempt_at") - 30 * MINUTE
        )
    [concern] = queue(to="contact@example.org", template="concern-raised", **CONCERN)

    deliver_due(worker_id="w1", batch=1)

    assert smtp.message_ids() == [message_id(concern)]
    deliver_due(worker_id="w1")
    assert smtp.message_ids()[1:] == [message_id(row) for row in earlier]


def test_the_priority_comes_from_the_template():
    assert priority_of("concern-raised") == NotificationPriority.CONCERN
    assert priority_of("concern-escalated") == NotificationPriority.CONCERN
    assert priority_of("password-reset") == NotificationPriority.PERSON_WAITING
    assert priority_of("invitation") == NotificationPriority.PERSON_WAITING
    assert priority_of("reminder-weekly") == NotificationPriority.ROUTINE
    assert (
        NotificationPriority.CONCERN
        < NotificationPriority.PERSON_WAITING
        < NotificationPriority.ROUTINE
    )


def test_a_second_worker_racing_the_first_sends_each_email_once(db, email_templates):
    rows = queue(2, name="Jane")
    t0 = timezone.now()

    class SlowToConnect(locmem.EmailBackend):
        def open(self):
            # Reaching the mail server takes longer than the lease: meanwhile another
            # worker claims the same rows again and sends them.
            assert deliver_due(worker_id="w2", now=t0 + lease() + SECOND).sent == 2
            return super().open()

    report = deliver_due(worker_id="w1", now=t0, connection=SlowToConnect())

    assert (report.claimed, report.sent, report.lost) == (2, 0, 2)
    assert [(row.state, row.claimed_by) for row in reload(rows)] == [("sent", "w2")] * 2
    sent = collections.Counter(message["Message-ID"] for message in mail_outbox())
    assert sent == {message_id(row): 1 for row in rows}


def mail_outbox():
    from django.core import mail

    return [message.message() for message in mail.outbox]


class DatabaseLost:
    """An execute wrapper: the database answers until ``lost_at(sql, params)`` says yes,
    then that query and every later one fail as if the server had gone away, until
    ``back()``. With ``once``, only that query fails."""

    def __init__(self, lost_at, *, once=False):
        self.lost_at = lost_at
        self.once = once
        self.lost = False

    def __call__(self, execute, sql, params, many, context):
        if self.lost or self.lost_at(sql, params):
            self.lost = not self.once
            self.lost_at = (lambda sql, params: False) if self.once else self.lost_at
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


def records_sent(sql, params) -> bool:
    return sql.startswith("UPDATE") and "sent" in [str(p) for p in params or ()]


def nth_record_of_sent(n: int):
    seen = []

    def lost_at(sql, params):
        if records_sent(sql, params):
            seen.append(sql)
        return len(seen) == n and records_sent(sql, params)

    return lost_at


def after_the_first_record_of_sent():
    seen = []

    def lost_at(sql, params):
        if seen:
            return True
        if records_sent(sql, params):
            seen.append(sql)
        return False

    return lost_at


@pytest.mark.django_db(transaction=True)  # a lost database ends any transaction
def test_emails_claimed_by_a_worker_that_lost_the_database_are_due_within_a_minute(
    smtp, email_templates
):
    rows = queue(3, name="Jane")
    t0 = timezone.now()
    database = DatabaseLost(after_the_first_record_of_sent())

    with connection.execute_wrapper(database), pytest.raises(OperationalError):
        deliver_due(worker_id="w1", now=t0)

    first, *others = reload(rows)
    assert first.state == "sent"
    assert [row.state for row in others] == ["sending", "sending"]
    assert smtp.message_ids() == [message_id(first)]
    assert deliver_due(worker_id="w2", now=t0 + 59 * SECOND).claimed == 0
    assert deliver_due(worker_id="w2", now=t0 + 61 * SECOND).sent == 2
    received = collections.Counter(smtp.message_ids())
    assert received == {message_id(row): 1 for row in rows}


@pytest.mark.django_db(transaction=True)
def test_an_email_accepted_while_the_database_was_lost_is_recorded_and_never_sent_again(
    smtp, email_templates
):
    rows = queue(3, name="Jane")
    t0 = timezone.now()
    unfinished = Unfinished()
    lost = DatabaseLost(nth_record_of_sent(2), once=True)
    with connection.execute_wrapper(lost), pytest.raises(OperationalError):
        deliver_due(worker_id="w1", now=t0, unfinished=unfinished)

    assert [row.pk for row in unfinished.sent] == [rows[1].pk]  # the server accepted it
    assert [row.pk for row in unfinished.untried] == [rows[2].pk]
    assert len(smtp.received) == 2
    # A second later the database is back: the worker records what was accepted, hands
    # back what it had not tried, and sends it, without waiting for the lease.
    report = deliver_due(worker_id="w1", now=t0 + SECOND, unfinished=unfinished)

    assert unfinished == Unfinished()
    assert (report.sent, report.released) == (2, 1)  # the second recorded, the third sent
    assert [row.state for row in reload(rows)] == ["sent", "sent", "sent"]
    received = collections.Counter(smtp.message_ids())
    assert received == {message_id(row): 1 for row in rows}


def test_a_row_another_worker_claims_between_our_select_and_update_is_left_to_it(
    db, smtp, email_templates
):
    first, second = queue(2, name="Jane")
    interfered = []

    def another_worker_claims_first(execute, sql, params, many, context):
        if sql.startswith("UPDATE") and not interfered:
            interfered.append(sql)
            Notification.objects.filter(pk=first.pk).update(
                state="sending", claimed_by="w2", claimed_at=timezone.now(), attempts=1
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(another_worker_claims_first):
        report = deliver_due(worker_id="w1")

    assert (report.claimed, report.sent) == (1, 1)
    first, second = reload([first, second])
    assert (first.state, first.claimed_by) == ("sending", "w2")
    assert (second.state, second.claimed_by) == ("sent", "w1")
    assert smtp.message_ids() == [message_id(second)]


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_worker_skips_rows_another_is_claiming_without_waiting(
    smtp, email_templates
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; the test above covers its conditional update")
    rows = queue(4, name="Jane")
    locked, finished = threading.Event(), threading.Event()

    def another_worker_mid_claim():
        with transaction.atomic():
            list(Notification.objects.select_for_update().filter(pk__in=[rows[0].pk, rows[1].pk]))
            locked.set()
            finished.wait(timeout=5)
        connection.close()

    other = threading.Thread(target=another_worker_mid_claim)
    other.start()
    assert locked.wait(timeout=5)
    report = deliver_due(worker_id="w1")
    finished.set()
    other.join()

    assert (report.claimed, report.sent) == (2, 2)
    assert [row.state for row in reload(rows)] == ["pending", "pending", "sent", "sent"]


def test_a_worker_whose_claim_passed_to_another_records_nothing(db, email_templates):
    [row] = queue(name="Jane")

    class SlowBeyondTheLease(locmem.EmailBackend):
        def send_messages(self, messages):
            # Meanwhile the lease ran out and another worker claimed the row again.
            Notification.objects.update(claimed_by="w2", claimed_at=timezone.now())
            return super().send_messages(messages)

    report = deliver_due(worker_id="w1", connection=SlowBeyondTheLease())

    row.refresh_from_db()
    assert (report.sent, report.lost) == (0, 1)
    assert (row.state, row.claimed_by) == ("sending", "w2")


def test_a_stop_request_hands_back_the_rows_not_yet_tried(db, smtp, email_templates):
    rows = queue(3, name="Jane")
    asked = []

    def stop():
        asked.append(1)
        return len(asked) > 1  # SIGTERM arrives while the first email is being sent

    report = deliver_due(worker_id="w1", stop=stop)

    assert (report.sent, report.released) == (1, 2)
    assert [(row.state, row.attempts) for row in reload(rows)] == [
        ("sent", 1),
        ("pending", 0),
        ("pending", 0),
    ]


def test_the_log_names_the_notification_and_template_never_the_body_or_address(
    db, smtp, email_templates, caplog
):
    smtp.refused_recipients = {"gone@example.org"}
    sent, refused = (
        queue(to="kept@example.org", name="Secret-Name-41"),
        queue(to="gone@example.org", name="Secret-Name-41"),
    )

    with caplog.at_level(logging.INFO, logger="portal.notifications"):
        deliver_due(worker_id="w1")

    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2
    assert f"notification {sent[0].pk} (test-greeting) sent" in lines[0]
    assert f"notification {refused[0].pk} (test-greeting) failed for good" in lines[1]
    assert not [line for line in lines if "Secret-Name" in line or "@example.org" in line]


# --- The command, in this process ---------------------------------------------------------


def test_the_command_sends_everything_due_in_batches_and_exits(db, smtp, email_templates):
    rows = queue(7, name="Jane")
    out = StringIO()

    call_command("send_notifications", "--batch", "3", stdout=out)

    assert {row.state for row in reload(rows)} == {"sent"}
    assert len(smtp.received) == 7
    assert "Sent 7, to retry 0, failed 0." in out.getvalue()


@pytest.mark.django_db(transaction=True)  # the loop closes connections between rounds
def test_the_loop_rides_out_a_database_outage(monkeypatch, caplog):
    calls = []

    def flaky_deliver_due(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        signal.raise_signal(signal.SIGTERM)  # stop the loop after this round
        return DeliveryReport()

    monkeypatch.setattr(
        "portal.notifications.management.commands.send_notifications.deliver_due",
        flaky_deliver_due,
    )
    before = signal.getsignal(signal.SIGTERM)

    call_command("send_notifications", "--loop", "--interval", "0", stdout=StringIO())

    assert len(calls) == 2
    assert "database unavailable (OperationalError)" in caplog.text
    assert signal.getsignal(signal.SIGTERM) is before  # handlers are given back

    calls.clear()
    with pytest.raises(CommandError, match="database is unavailable"):
        call_command("send_notifications", stdout=StringIO())


# --- The command, as real processes -------------------------------------------------------
# A worker in a subprocess needs the test database: a file on SQLite (settings.py names
# one for tests), the test database's name on PostgreSQL. These tests commit, hence
# transaction=True. They use the real concern-raised templates, which the child finds.

CONCERN = {"site_name": "Lincoln Elementary", "raised_on": "Monday 2 November", "path": "/c/1/"}


def worker_command(*args):
    return [
        sys.executable,
        str(django_settings.BASE_DIR / "manage.py"),
        "send_notifications",
        *args,
    ]


def worker_env(smtp_server, **extra) -> dict:
    return worker_database_env(
        **{
            **extra,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_server.port),
            "EMAIL_USE_TLS": "off",
        }
    )


def start_worker(smtp_server, *args, lease_seconds: int = 60):
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        worker_command(*args),
        env=worker_env(smtp_server, NOTIFICATION_LEASE_SECONDS=str(lease_seconds)),
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(smtp_server, condition, *workers, timeout=30) -> None:
    """Wait until the server has seen what ``condition`` says, failing early (with the
    worker's error output) if a worker stops before."""
    smtp_server.wait_until(
        lambda server: condition(server) or any(w.poll() is not None for w in workers), timeout
    )
    for worker in workers:
        if worker.poll() is not None:
            pytest.fail(f"the worker stopped early: {worker.communicate()[1]}")
    assert condition(smtp_server)


def finish(process, timeout=30) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_its_emails_to_the_next_worker_within_its_lease(
    smtp_server,
):
    rows = queue(8, template="concern-raised", **CONCERN)
    lease_seconds = 3  # the default is a minute; the same rule, faster
    # The 4th MAIL waits: by then the worker has recorded the 3rd email as sent and
    # renewed its claim on the 4th.
    smtp_server.hold_from = 4
    worker = start_worker(smtp_server, lease_seconds=lease_seconds)
    wait_for(smtp_server, lambda server: server.mail_commands >= 4, worker)

    worker.send_signal(signal.SIGKILL)  # mid-batch, mid-conversation with the server
    worker.wait(timeout=10)
    smtp_server.release()

    # It had claimed only a small batch: the rest never waited for it.
    rows = reload(rows)
    states = collections.Counter(row.state for row in rows)
    assert states == {"sent": 3, "sending": DEFAULT_BATCH - 3, "pending": 8 - DEFAULT_BATCH}
    claimed = {row.pk: row.claimed_at for row in rows if row.state == "sending"}
    assert len(smtp_server.received) == 3

    # The next worker sends what is pending at once, and the dead worker's emails as soon
    # as their lease runs out.
    started = time.monotonic()
    successor = start_worker(
        smtp_server, "--loop", "--interval", "0.2", lease_seconds=lease_seconds
    )
    wait_for(smtp_server, lambda server: len(server.received) == 8, successor, timeout=30)
    assert time.monotonic() - started < lease_seconds + 10
    successor.send_signal(signal.SIGTERM)
    finish(successor)

    rows = reload(rows)
    assert {row.state for row in rows} == {"sent"}
    for row in rows:
        if row.pk in claimed:
            assert row.sent_at - claimed[row.pk] >= dt.timedelta(seconds=lease_seconds)
    assert collections.Counter(row.attempts for row in rows) == {1: 6, 2: DEFAULT_BATCH - 3}
    # Killed waiting on the server, the worker had not sent the 4th email: no copy.
    received = collections.Counter(smtp_server.message_ids())
    assert received == {message_id(row): 1 for row in rows}


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_worker_that_loses_the_database_mid_send_sends_each_email_once(
    smtp_server,
):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    rows = queue(8, template="concern-raised", **CONCERN)
    smtp_server.hold_from = 3  # the worker waits for the server's answer to the 3rd email
    worker = start_worker(smtp_server, "--loop", "--interval", "0.2")
    wait_for(smtp_server, lambda server: server.mail_commands >= 3, worker)

    assert terminate_other_connections() >= 1  # meanwhile its database connection is cut
    smtp_server.release()  # the 3rd email is accepted; recording it fails
    # Back within seconds, not after the lease: the worker hands back what it had claimed.
    wait_for(smtp_server, lambda server: len(server.received) == 8, worker, timeout=20)
    worker.send_signal(signal.SIGTERM)
    finish(worker)

    rows = reload(rows)
    assert {row.state for row in rows} == {"sent"}
    received = collections.Counter(smtp_server.message_ids())
    assert received == {message_id(row): 1 for row in rows}


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_notification_exactly_once(smtp_server):
    rows = queue(30, template="concern-raised", **CONCERN)
    # Hold the first MAIL until a second one arrives, which only the other worker can
    # send: both are then mid-batch together.
    smtp_server.hold_from = 1
    smtp_server.delay = 0.02
    workers = [start_worker(smtp_server, "--batch", "4") for _ in range(2)]
    wait_for(smtp_server, lambda server: server.mail_commands >= 2, *workers)
    smtp_server.release()
    for worker in workers:
        finish(worker)

    rows = reload(rows)
    assert {row.state for row in rows} == {"sent"}
    assert len({row.claimed_by for row in rows}) == 2
    received = collections.Counter(smtp_server.message_ids())
    assert set(received) == {message_id(row) for row in rows}
    assert set(received.values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_the_loop_sends_what_is_queued_later_and_exits_on_sigterm(smtp_server):
    queue(1, template="concern-raised", **CONCERN)
    worker = start_worker(smtp_server, "--loop", "--interval", "0.2")
    wait_for(smtp_server, lambda server: len(server.received) == 1, worker)

    queue(1, template="concern-raised", **CONCERN)
    wait_for(smtp_server, lambda server: len(server.received) == 2, worker, timeout=10)
    worker.send_signal(signal.SIGTERM)
    started = time.monotonic()

    assert "Sent 2, to retry 0, failed 0." in finish(worker, timeout=10)
    assert time.monotonic() - started < 5
