"""Running one claimed job: the worker's side of a background export or import.

An export's file is written chunk by chunk (the table's rows come from a queryset
iterator, the Excel sheet from openpyxl's write-only mode: memory stays flat whatever the
rows) to ``<job>-<attempt>.part``, flushed, then renamed into place; only then is the job
marked ready, by an update guarded by the claim. Progress (and the lease) is written every
``FILE_JOB_PROGRESS_EVERY`` rows (5,000), not every row.

What can go wrong:

- another worker took the job over (this one's lease ran out): this one deletes its
  temporary file and writes nothing more (``LostClaim``);
- the worker is asked to stop (SIGTERM): the job goes back to the queue at the next
  progress update, its temporary file deleted;
- the database is lost: the error goes up to the worker's loop, which waits for the
  database; the lease runs out and any worker runs the job again from the start;
- anything else fails the job: the page says so with an error id, the log has the error's
  type and place (never its message, which may quote a child's notes).
"""

import contextlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from portal.filejobs import exports, files, history, imports
from portal.filejobs.claims import Claim, LostClaim, claim_next, hand_back
from portal.filejobs.models import KEPT_FOR, FileJob, JobKind, JobStatus
from portal.security.errors import new_error_id
from portal.security.logging import describe

logger = logging.getLogger("portal.worker")

DEFAULT_PROGRESS_EVERY = 5000
# A request waits at most 15 s for a statement; the worker's export reads a million rows.
WORKER_STATEMENT_TIMEOUT = "30min"


class Stopping(Exception):
    """The worker was asked to stop: the job goes back to the queue."""


def progress_every() -> int:
    return getattr(settings, "FILE_JOB_PROGRESS_EVERY", DEFAULT_PROGRESS_EVERY)


def run_next(*, worker: str, stop: Callable[[], bool] | None = None) -> FileJob | None:
    """Claim the oldest queued (or abandoned) job and run it. Returns it, or None when
    there was nothing to do."""
    claim = claim_next(worker=worker)
    if claim is None:
        return None
    job = FileJob.objects.select_related("requester").get(pk=claim.pk)
    history.record(job, "started", worker=worker, attempt=claim.attempt)
    part = files.part_path(job.pk, claim.attempt)
    try:
        with _long_statements():
            if job.kind == JobKind.EXPORT:
                _run_export(job, claim, part, stop)
            else:
                _run_import(job, claim, stop)
    except LostClaim:
        logger.warning("file job %s: another worker took it over; this run stopped", job.pk)
    except Stopping:
        hand_back(claim)
        logger.info("file job %s handed back: the worker is stopping", job.pk)
    except DatabaseError:
        files.remove(part)
        raise
    except Exception as exc:
        error_id = new_error_id()
        logger.error("file job %s failed, error id %s (%s)", job.pk, error_id, describe(exc))
        _fail(
            job,
            claim,
            f"This {job.kind} failed (error id {error_id}). Ask for it again; if it fails "
            "again, tell the program this error id.",
        )
    finally:
        files.remove(part)
    job.refresh_from_db()
    return job


def run_until_idle(*, worker: str, stop: Callable[[], bool] | None = None) -> int:
    """Run jobs until none is waiting (tests, the benchmark, ``run_file_jobs``)."""
    ran = 0
    while (stop is None or not stop()) and run_next(worker=worker, stop=stop) is not None:
        ran += 1
    return ran


@contextlib.contextmanager
def _long_statements():
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, false)", [WORKER_STATEMENT_TIMEOUT]
        )
    try:
        yield
    finally:
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")


def _progress(claim: Claim, stop, seen: list[int]):
    def progress(done: int) -> None:
        if stop is not None and stop():
            raise Stopping
        seen[0] = done
        claim.update(rows_done=done)

    return progress


def _run_export(job: FileJob, claim: Claim, part, stop) -> None:
    seen = [0]
    chunks, expected, extension = exports.export_chunks(
        job, _progress(claim, stop, seen), progress_every()
    )
    claim.update(rows_expected=expected, phase="writing")
    size = files.write_chunks(chunks, part)
    name = files.final_name(job.pk, extension)
    final = files.put_in_place(part, name)
    now = timezone.now()
    try:
        claim.update(
            status=JobStatus.READY,
            finished_at=now,
            expires_at=now + KEPT_FOR,
            file_name=name,
            size=size,
            rows_done=seen[0],
            phase="",
            lease_until=None,
        )
    except LostClaim:
        files.remove(final)
        raise
    history.record(job, "ready", rows=seen[0], size=size)


def _run_import(job: FileJob, claim: Claim, stop) -> None:
    seen = [0]
    outcome, result, checked = imports.run_import(job, claim, progress=_progress(claim, stop, seen))
    now = timezone.now()
    failed = outcome == "failed"
    claim.update(
        status=JobStatus.FAILED if failed else JobStatus.READY,
        finished_at=now,
        expires_at=now + KEPT_FOR,
        result=result,
        rows_done=checked,
        error="The file has problems: nothing was saved." if failed else "",
        file_name="",
        phase="",
        lease_until=None,
    )
    files.remove_named(job.file_name)
    if failed:
        history.record(job, "failed", problems=result["problem_count"])
    else:
        history.record(job, "ready", added=result["added"], skipped=result["skipped"])


def _fail(job: FileJob, claim: Claim, message: str) -> None:
    now = timezone.now()
    with contextlib.suppress(LostClaim):
        claim.update(
            status=JobStatus.FAILED,
            finished_at=now,
            expires_at=now + KEPT_FOR,
            error=message[:300],
            phase="",
            lease_until=None,
        )
        history.record(job, "failed", note=message[:200])
