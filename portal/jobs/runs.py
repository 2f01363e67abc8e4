"""Claiming and running the scheduled jobs: each (job, slot) once across every worker.

A claim is a row per job and slot (``JobRun``), inserted in a short transaction of its
own under a unique constraint (``INSERT ... ON CONFLICT DO NOTHING`` on PostgreSQL,
``INSERT OR IGNORE`` on SQLite): of all the workers that try, exactly one inserts it and
runs the job; the others read the row and leave the slot alone. The same on both
databases, and it leaves the history an operator reads in ``/admin/``.

A claim is a lease (``JOB_LEASE_SECONDS``, 5 minutes by default; keep it above the
longest run). A worker killed mid-run leaves its row running: once the lease has run out,
the next worker to look takes the slot over with an update conditional on the row being
unfinished, expired and unchanged (one winner again) and runs the job again, which is
safe because every job is idempotent. A worker that loses the database hands its claim
back (the lease ends at once). Outcomes are written only by the claim's holder (same
worker, same attempt), so a worker that lost its claim records nothing.

A job with a ``batch`` does at most that much per run, so that emails never wait long
behind it; a run that did a full batch hands the slot back at once, and the next round
of any worker continues it, until a run finds less to do.
"""

import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from portal.jobs.cadence import DailyAt, Every, WeeklyAt
from portal.jobs.models import JobRun, Outcome

logger = logging.getLogger("portal.worker")

DEFAULT_LEASE_SECONDS = 300
# The history kept: a month of runs, some 20,000 rows.
KEPT_FOR = dt.timedelta(days=30)


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "JOB_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


@dataclass(frozen=True)
class Job:
    """A scheduled job: a function of no arguments that returns what it did (a count,
    or something falsy when there was nothing to do)."""

    name: str
    run: Callable[[], object]
    cadence: Every | DailyAt | WeeklyAt
    # At most this many a run; a full batch means more may be left (see the docstring).
    batch: int | None = None


@dataclass(frozen=True)
class Claim:
    pk: int
    job: str
    slot: dt.datetime
    worker: str
    attempt: int
    claimed_at: dt.datetime

    def rows(self):
        """The run, if it is still this claim's."""
        return JobRun.objects.filter(pk=self.pk, worker=self.worker, attempts=self.attempt)


def slot_claim(
    job: str, slot: dt.datetime, *, worker: str, now: dt.datetime, lease_for: dt.timedelta
) -> Claim | dt.datetime | None:
    """Claim ``job``'s ``slot`` for ``worker``: a new row, or one whose lease ran out.

    Returns the claim, or, when another worker holds the slot, when its lease ends (look
    again then), or None when the slot is finished.
    """
    with transaction.atomic():
        JobRun.objects.bulk_create(
            [
                JobRun(
                    job=job,
                    slot=slot,
                    worker=worker,
                    started_at=now,
                    claimed_at=now,
                    lease_until=now + lease_for,
                )
            ],
            ignore_conflicts=True,
        )
    row = JobRun.objects.get(job=job, slot=slot)
    if (row.worker, row.attempts, row.claimed_at) == (worker, 1, now):
        return Claim(row.pk, job, slot, worker, 1, now)
    if row.finished_at is not None:
        return None
    if row.lease_until > now:
        return row.lease_until
    taken = JobRun.objects.filter(
        pk=row.pk, finished_at__isnull=True, attempts=row.attempts, lease_until__lte=now
    ).update(worker=worker, attempts=row.attempts + 1, claimed_at=now, lease_until=now + lease_for)
    if not taken:
        return now + lease_for  # another worker took it over a moment ago
    if row.lease_until > row.claimed_at:  # not handed back: its worker stopped mid-run
        logger.warning("scheduled job %s: took over from %s, whose lease ran out", job, row.worker)
    return Claim(row.pk, job, slot, worker, row.attempts + 1, now)


def _count(result: object) -> int:
    if isinstance(result, bool | int):
        return int(result)
    return 1 if result else 0


def run_claimed(job: Job, claim: Claim) -> str:
    """Run the job for its claim and record how it ended: "done", "more" or "failed".

    A database error hands the claim back and is raised: the worker waits for the
    database and tries again. Any other error is recorded and logged; the worker goes on.
    """
    try:
        result = job.run()
    except DatabaseError:
        _hand_back(claim)
        raise
    except Exception as exc:
        logger.exception("scheduled job %s failed", job.name)
        claim.rows().update(
            finished_at=timezone.now(), outcome=Outcome.FAILED, error=type(exc).__name__[:200]
        )
        return "failed"
    done = _count(result)
    more = job.batch is not None and done >= job.batch
    changes = {"done": F("done") + done}
    if more:
        changes["lease_until"] = claim.claimed_at  # handed back: the next round goes on
    else:
        changes.update(finished_at=timezone.now(), outcome=Outcome.DONE)
    claim.rows().update(**changes)
    logger.log(
        logging.INFO if done else logging.DEBUG,
        "scheduled job %s (due %s) run by %s: %s%s",
        job.name,
        claim.slot.isoformat(),
        claim.worker,
        done,
        ", more to do" if more else "",
    )
    return "more" if more else "done"


def _hand_back(claim: Claim) -> None:
    with contextlib.suppress(DatabaseError):  # if not, the lease runs out by itself
        claim.rows().update(lease_until=claim.claimed_at)


@dataclass
class Scheduler:
    """One worker's view of the jobs: it asks the database about a job only when the
    job's slot is new, or when the lease of the worker holding it runs out."""

    jobs: list[Job]
    worker: str
    tz: Callable[[], ZoneInfo]
    lease_for: dt.timedelta = field(default_factory=lease)
    # job name -> (slot, when to look again; None: the slot is finished)
    known: dict[str, tuple[dt.datetime, dt.datetime | None]] = field(default_factory=dict)

    def run_due(self, now: dt.datetime | None = None) -> dict[str, str]:
        """Run each job whose slot is due and not taken. Returns what each run did."""
        now = now or timezone.now()
        tz = self.tz()
        ran = {}
        for job in self.jobs:
            slot = job.cadence.slot(now, tz)
            known_slot, look_again = self.known.get(job.name, (None, None))
            if known_slot == slot and (look_again is None or now < look_again):
                continue
            claim = slot_claim(
                job.name, slot, worker=self.worker, now=now, lease_for=self.lease_for
            )
            if not isinstance(claim, Claim):
                self.known[job.name] = (slot, claim)
                continue
            ran[job.name] = outcome = run_claimed(job, claim)
            self.known[job.name] = (slot, now if outcome == "more" else None)
        return ran


def job_runs_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the history of runs due more than ``KEPT_FOR`` ago. Returns how many."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    deleted, _ = JobRun.objects.filter(slot__lt=cutoff).delete()
    return deleted
