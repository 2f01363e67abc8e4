"""Claiming a queued file job: exactly one worker runs it, across workers and servers.

A claim is a conditional ``UPDATE`` of the job's row: queued, or running with a lease
that has run out (its worker was killed, or lost the database). Of several workers that
try, one updates the row (PostgreSQL re-checks the condition after the other's row lock;
SQLite writes one transaction at a time), the others update nothing and look for another
job. The same pattern as the scheduled jobs' claims (portal/jobs/runs.py) and the
outbox's (portal/notifications/worker.py).

The lease (``FILE_JOB_LEASE_SECONDS``, 5 minutes by default) is renewed with every
progress update (every ``PROGRESS_EVERY`` rows), by an update guarded by the claim (same
worker, same attempt): a worker that finds its claim gone stops and writes nothing more.
Keep the lease above the longest step without progress: counting the rows and, for Excel,
zipping the finished sheet (some 20 s for a million rows).
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from portal.filejobs import history
from portal.filejobs.models import KEPT_FOR, FileJob, JobStatus

logger = logging.getLogger("portal.worker")

DEFAULT_LEASE_SECONDS = 300
# Jobs given up after this many claims (each a worker killed or a database lost mid-run):
# a job that kills its worker must not be retried forever.
MAX_ATTEMPTS = 3


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "FILE_JOB_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


class LostClaim(Exception):
    """Another worker took the job over (this one's lease had run out)."""


@dataclass(frozen=True)
class Claim:
    pk: int
    worker: str
    attempt: int

    def rows(self):
        """The job, if it is still this claim's."""
        return FileJob.objects.filter(
            pk=self.pk, status=JobStatus.RUNNING, claimed_by=self.worker, attempts=self.attempt
        )

    def update(self, **changes) -> None:
        """Write ``changes`` and renew the lease, or raise LostClaim."""
        changes.setdefault("lease_until", timezone.now() + lease())
        if self.rows().update(**changes) != 1:
            raise LostClaim(f"file job {self.pk}: claimed by another worker")


def _claimable(now: dt.datetime) -> Q:
    abandoned = Q(status=JobStatus.RUNNING, lease_until__lte=now)
    return Q(status=JobStatus.QUEUED) | abandoned


def claim_next(*, worker: str, now: dt.datetime | None = None) -> Claim | None:
    """Claim the oldest job that is queued or abandoned; None when there is none."""
    now = now or timezone.now()
    candidates = FileJob.objects.filter(_claimable(now)).order_by("created_at", "pk")
    tried: list[int] = []
    while True:
        found = list(candidates.exclude(pk__in=tried).values_list("pk", "status", "claimed_by")[:5])
        if not found:
            return None
        for pk, status, previous in found:
            tried.append(pk)
            taken = (
                FileJob.objects.filter(_claimable(now), pk=pk)
                .filter(attempts__lt=MAX_ATTEMPTS)
                .update(
                    status=JobStatus.RUNNING,
                    claimed_by=worker,
                    claimed_at=now,
                    lease_until=now + lease(),
                    attempts=F("attempts") + 1,
                    started_at=now,
                    rows_done=0,
                )
            )
            if taken:
                job = FileJob.objects.get(pk=pk)
                if status == JobStatus.RUNNING:
                    logger.warning(
                        "file job %s: taken over from %s, whose lease ran out", pk, previous
                    )
                return Claim(pk, worker, job.attempts)
            _give_up_if_worn_out(pk, now)


def _give_up_if_worn_out(pk: int, now: dt.datetime) -> None:
    """A job whose every claim ended with its worker gone is failed, not tried again."""
    worn = FileJob.objects.filter(_claimable(now), pk=pk, attempts__gte=MAX_ATTEMPTS)
    if worn.update(
        status=JobStatus.FAILED,
        finished_at=now,
        expires_at=now + KEPT_FOR,
        error="The worker stopped while running this job, several times. Ask again.",
    ):
        logger.error("file job %s failed: its workers stopped %s times", pk, MAX_ATTEMPTS)
        history.record(FileJob.objects.get(pk=pk), "failed", note="Its workers stopped")


def hand_back(claim: Claim) -> None:
    """A worker asked to stop puts its job back in the queue for the next worker."""
    claim.rows().update(status=JobStatus.QUEUED, lease_until=None, attempts=F("attempts") - 1)
