"""Scheduled jobs on several workers, as real ``manage.py run_worker`` processes against
the test database (SQLite file or PostgreSQL): each due time of each job runs once, its
effect happens once, and a worker killed mid-run leaves its slot to the next worker once
its lease runs out."""

import collections
import datetime as dt
import re
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.jobs.models import JobRun
from portal.mentoring.models import ProgramSettings
from portal.notifications.models import Notification
from portal.safeguarding.models import SafetyConcern
from portal.safeguarding.services import concern_raise
from portal.schedule import JOBS
from tests.test_notification_worker import worker_env

pytest_plugins = ["tests.smtp_fixtures"]  # smtp_server

RAN = re.compile(r"scheduled job (\w+) \(due (\S+)\) run by (\S+): ")


def start_worker(smtp_server, *args, lease_seconds=300):
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, str(django_settings.BASE_DIR / "manage.py"), "run_worker", *args],
        env=worker_env(smtp_server, JOB_LEASE_SECONDS=str(lease_seconds), LOG_LEVEL="DEBUG"),
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(worker, timeout=30) -> str:
    worker.send_signal(signal.SIGTERM)
    _, err = worker.communicate(timeout=timeout)
    assert worker.returncode == 0, err
    return err


def wait_until(condition, *workers, timeout=30, step=0.1):
    deadline = time.monotonic() + timeout
    while not condition():
        for worker in workers:
            if worker.poll() is not None:
                pytest.fail(f"a worker stopped early: {worker.communicate()[1][-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(step)


def overdue_concern(match, mentor) -> SafetyConcern:
    with transaction.atomic():
        return concern_raise(
            match=match,
            description="Bruise on the arm.",
            raised_by=mentor,
            now=timezone.now() - dt.timedelta(hours=30),
        )


def weekly_reminders_due_today():
    program = ProgramSettings.load()
    program.weekly_reminder_weekday = timezone.localtime(timezone.now(), program.tz).weekday()
    program.reminder_hour = 0
    program.save()


@pytest.mark.django_db(transaction=True)
def test_two_workers_run_each_job_once_per_due_time(
    smtp_server, match_a, match_b, mentor_a, staff_user, admin_user
):
    overdue_concern(match_a, mentor_a)
    weekly_reminders_due_today()
    # Every job every second: a few due times each in a few seconds, all of them raced.
    workers = [start_worker(smtp_server, "--jobs-every", "1", "--interval", "0.2") for _ in "ab"]
    wait_until(lambda: JobRun.objects.values("slot").distinct().count() >= 5, *workers)
    logs = [stop(worker) for worker in workers]

    runs = list(JobRun.objects.all())
    ran = collections.Counter(
        (job, dt.datetime.fromisoformat(slot)) for log in logs for job, slot, _ in RAN.findall(log)
    )
    # Each (job, due time) was run by exactly one worker, once; none was taken over.
    assert set(ran) == {(run.job, run.slot) for run in runs}
    assert set(ran.values()) == {1}
    assert {(run.outcome, run.attempts) for run in runs} == {("done", 1)}
    for job in JOBS:
        assert sum(run.job == job.name for run in runs) >= 2, job.name

    # And each effect happened once: one escalation (one email to each of staff), one
    # weekly reminder to each mentor.
    assert AuditEvent.objects.filter(action="concern.escalated").count() == 1
    escalations = Notification.objects.filter(template="concern-escalated")
    assert sorted(escalations.values_list("to", flat=True)) == sorted(
        [staff_user.email, admin_user.email]
    )
    weekly = Notification.objects.filter(template="reminder-weekly")
    assert sorted(weekly.values_list("to", flat=True)) == sorted(
        [mentor_a.email, match_b.mentor.user.email]
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_leaves_its_slot_to_another_once_its_lease_runs_out(
    smtp_server, match_a, mentor_a, staff_user
):
    if connection.vendor != "postgresql":
        pytest.skip("holding a worker mid-run takes a row lock, which SQLite does not have")
    concern = overdue_concern(match_a, mentor_a)
    lease_seconds = 3
    hour = 3600
    if hour - time.time() % hour < 60:
        time.sleep(hour - time.time() % hour + 1)  # all of it within one hour's due time
    args = ("--jobs-every", str(hour), "--interval", "0.2")

    # The first worker claims the escalation and waits on the concern's row lock, mid-run.
    with transaction.atomic():
        SafetyConcern.objects.select_for_update().get(pk=concern.pk)
        first = start_worker(smtp_server, *args, lease_seconds=lease_seconds)
        wait_until(
            lambda: JobRun.objects.filter(
                job="escalate_concerns", worker__contains=f":{first.pid}:"
            ),
            first,
        )
        time.sleep(0.5)
        assert first.poll() is None
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    dead = JobRun.objects.get(job="escalate_concerns")
    assert (dead.outcome, dead.finished_at) == ("running", None)

    second = start_worker(smtp_server, *args, lease_seconds=lease_seconds)
    wait_until(
        lambda: JobRun.objects.filter(job="escalate_concerns", outcome="done").exists(), second
    )
    log = stop(second)

    run = JobRun.objects.get(job="escalate_concerns")
    assert f":{second.pid}:" in run.worker
    assert (run.attempts, run.done, run.started_at) == (2, 1, dead.started_at)
    assert run.claimed_at >= dead.lease_until  # not before the lease ran out
    assert "took over from" in log
    assert AuditEvent.objects.filter(action="concern.escalated").count() == 1
    assert Notification.objects.filter(template="concern-escalated").count() == 1
