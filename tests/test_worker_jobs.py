"""The background worker runs the scheduled jobs: each due time (slot) of each job once
across workers, a killed worker's slot taken over after its lease, one broken job
stopping nothing, and a history an administrator can read."""

import dataclasses
import datetime as dt
import logging

import pytest
from django.db import OperationalError
from django.utils import timezone

from portal import schedule
from portal.jobs.cadence import Every, daily_at, minutes, weekly_at
from portal.jobs.models import JobRun, Outcome
from portal.jobs.runs import KEPT_FOR, Claim, Job, Scheduler, job_runs_prune, slot_claim
from portal.notifications.management.commands import run_worker
from portal.notifications.models import Notification
from portal.safeguarding.models import SafetyConcern
from portal.safeguarding.services import concern_raise
from tests.conftest import CHICAGO, chicago

LEASE = dt.timedelta(minutes=5)
NOW = chicago(2026, 12, 2, 12, 0)


def overdue_concern(match, mentor):
    return concern_raise(
        match=match,
        description="Bruise on the arm.",
        raised_by=mentor,
        now=timezone.now() - dt.timedelta(hours=30),
    )


def counting_job(name="count", cadence=None, **kwargs):
    calls = []

    def run():
        calls.append(1)
        return 1

    return Job(name, run, cadence or minutes(5), **kwargs), calls


def scheduler(*jobs, worker="w1"):
    return Scheduler(jobs=list(jobs), worker=worker, tz=lambda: CHICAGO, lease_for=LEASE)


# --- The real schedule ----------------------------------------------------------------------


def test_the_scheduled_jobs_raise_an_old_concern_again_once(match_a, mentor_a, staff_user):
    concern = overdue_concern(match_a, mentor_a)
    run_worker.run_scheduled_jobs()
    run_worker.run_scheduled_jobs()
    concern.refresh_from_db()
    assert concern.escalated_at is not None
    assert Notification.objects.filter(template="concern-escalated").count() == 1
    # Every job ran once, for its current slot, and its run is recorded as done.
    assert sorted(JobRun.objects.values_list("job", "outcome", "attempts")) == sorted(
        (job.name, "done", 1) for job in schedule.JOBS
    )
    assert JobRun.objects.get(job="escalate_concerns").done == 1


def test_each_job_has_the_cadence_it_needs():
    cadences = {job.name: job.cadence for job in schedule.JOBS}
    assert cadences == {
        "escalate_concerns": minutes(5),
        "send_reminders": minutes(15),
        "purge_expired": daily_at(3, 0),
        "forget_links": minutes(5),
        "clear_sessions": daily_at(3, 30),
        "prune_job_runs": daily_at(4, 0),
        "send_coordinator_digests": weekly_at(0, 7, 0),
        "check_readiness": daily_at(2, 30),
        "send_readiness_reminders": daily_at(9, 0),
        "expire_file_jobs": minutes(15),
    }
    assert len(schedule.SCHEDULED_JOBS) == len(schedule.JOBS)  # names are unique


def test_a_failing_job_is_logged_and_recorded_and_the_others_still_run(
    monkeypatch, caplog, match_a, mentor_a, staff_user
):
    overdue_concern(match_a, mentor_a)

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(schedule, "JOBS", [Job("broken", broken, minutes(1)), *schedule.JOBS])
    with caplog.at_level(logging.ERROR, logger="portal.worker"):
        ran = run_worker.run_scheduled_jobs()
    assert ran["broken"] == "failed"
    assert "scheduled job broken failed" in caplog.text
    run = JobRun.objects.get(job="broken")
    assert (run.outcome, run.error, run.finished_at is not None) == ("failed", "RuntimeError", True)
    assert SafetyConcern.objects.get().escalated_at is not None


# --- One run per slot ---------------------------------------------------------------------


def test_two_workers_run_a_slot_once_and_the_next_slot_again(db):
    job, calls = counting_job(cadence=minutes(5))
    first, second = scheduler(job, worker="w1"), scheduler(job, worker="w2")

    assert first.run_due(NOW) == {"count": "done"}
    assert second.run_due(NOW + dt.timedelta(minutes=1)) == {}
    assert first.run_due(NOW + dt.timedelta(minutes=4)) == {}
    assert len(calls) == 1
    assert second.run_due(NOW + dt.timedelta(minutes=5)) == {"count": "done"}
    assert first.run_due(NOW + dt.timedelta(minutes=6)) == {}
    assert len(calls) == 2
    assert list(JobRun.objects.order_by("slot").values_list("worker", "attempts", "done")) == [
        ("w1", 1, 1),
        ("w2", 1, 1),
    ]


def test_a_worker_asks_the_database_only_when_a_slot_is_new(db, django_assert_num_queries):
    job, calls = counting_job(cadence=minutes(5))
    worker = scheduler(job)
    worker.run_due(NOW)
    with django_assert_num_queries(0):
        worker.run_due(NOW + dt.timedelta(minutes=2))


def test_a_worker_that_stopped_catches_up_the_latest_slot_once(db):
    job, calls = counting_job(cadence=daily_at(3, 0))
    worker = scheduler(job)
    worker.run_due(chicago(2026, 12, 2, 2, 0))  # before 3 AM: yesterday's slot
    worker.run_due(chicago(2026, 12, 4, 18, 0))  # stopped for two days: today's, once
    worker.run_due(chicago(2026, 12, 4, 19, 0))
    assert len(calls) == 2
    assert [run.slot for run in JobRun.objects.order_by("slot")] == [
        chicago(2026, 12, 1, 3, 0),
        chicago(2026, 12, 4, 3, 0),
    ]


def test_a_claim_left_by_a_killed_worker_is_taken_over_once_its_lease_runs_out(db):
    slot = NOW
    dead = slot_claim("count", slot, worker="dead", now=NOW, lease_for=LEASE)
    assert isinstance(dead, Claim)  # ... and the worker is killed before it finishes

    job, calls = counting_job(cadence=minutes(10))
    other, third = scheduler(job, worker="w2"), scheduler(job, worker="w3")
    assert other.run_due(NOW + dt.timedelta(minutes=4)) == {}  # the lease still holds
    assert calls == []
    assert other.run_due(NOW + LEASE) == {"count": "done"}
    assert third.run_due(NOW + LEASE) == {}
    run = JobRun.objects.get()
    assert (run.worker, run.attempts, run.outcome, run.done) == ("w2", 2, "done", 1)
    assert run.started_at == NOW  # the history keeps the first start
    # The killed worker, had it come back, records nothing over the new holder's run.
    assert dead.rows().update(outcome=Outcome.FAILED) == 0


def test_a_worker_remembers_when_the_holder_s_lease_ends_and_looks_again_then(db):
    slot_claim("count", NOW, worker="dead", now=NOW, lease_for=LEASE)
    job, calls = counting_job(cadence=minutes(10))
    worker = scheduler(job, worker="w2")
    worker.run_due(NOW)
    assert worker.known["count"] == (NOW, NOW + LEASE)
    worker.run_due(NOW + LEASE)
    assert len(calls) == 1


def test_a_worker_that_loses_the_database_hands_its_slot_back_at_once(db):
    def down():
        raise OperationalError("server closed the connection unexpectedly")

    worker = scheduler(Job("flaky", down, minutes(5)), worker="w1")
    with pytest.raises(OperationalError):
        worker.run_due(NOW)
    run = JobRun.objects.get()
    assert run.outcome == "running" and run.finished_at is None
    # Any worker may run it again in its next round, without waiting for the lease.
    job, calls = counting_job("flaky", cadence=minutes(5))
    assert scheduler(job, worker="w2").run_due(NOW + dt.timedelta(seconds=5)) == {"flaky": "done"}


def test_a_job_with_a_full_batch_goes_on_in_the_next_round_of_any_worker(db):
    left = [3]

    def purge():
        done = min(left[0], 1)
        left[0] -= done
        return done

    job = Job("purge", purge, daily_at(3, 0), batch=1)
    first, second = scheduler(job, worker="w1"), scheduler(job, worker="w2")
    assert first.run_due(NOW) == {"purge": "more"}
    assert second.run_due(NOW) == {"purge": "more"}
    assert first.run_due(NOW) == {"purge": "more"}
    assert second.run_due(NOW) == {"purge": "done"}  # found less than a batch: finished
    assert first.run_due(NOW) == {}
    run = JobRun.objects.get()
    assert (run.done, run.attempts, run.outcome) == (3, 4, "done")


def test_a_short_cadence_replaces_every_job_s_own(db):
    worker = run_worker.scheduler_for("w1", every=2)
    assert {job.cadence for job in worker.jobs} == {Every(2)}
    assert [job.name for job in worker.jobs] == [job.name for job in schedule.JOBS]


# --- The history ----------------------------------------------------------------------------


def test_the_history_is_kept_for_a_month(db):
    for age in (KEPT_FOR + dt.timedelta(minutes=1), KEPT_FOR - dt.timedelta(minutes=1)):
        slot_claim("count", NOW - age, worker="w1", now=NOW - age, lease_for=LEASE)
    assert job_runs_prune(now=NOW) == 1
    assert JobRun.objects.get().slot == NOW - KEPT_FOR + dt.timedelta(minutes=1)
    assert dataclasses.asdict(schedule.SCHEDULED_JOBS["prune_job_runs"])["run"] is job_runs_prune


def test_administrators_read_the_runs_and_nobody_changes_them(db, client, admin_user, staff_user):
    job, _ = counting_job("escalate_concerns")
    scheduler(job).run_due(NOW)
    run = JobRun.objects.get()

    client.force_login(admin_user)
    page = client.get("/admin/jobs/jobrun/")
    assert page.status_code == 200
    assert "escalate_concerns" in page.content.decode()
    assert client.get(f"/admin/jobs/jobrun/{run.pk}/change/").status_code == 200
    assert client.post(f"/admin/jobs/jobrun/{run.pk}/delete/").status_code == 403
    assert client.get("/admin/jobs/jobrun/add/").status_code == 403

    client.force_login(staff_user)
    assert client.get("/admin/jobs/jobrun/").status_code == 403
