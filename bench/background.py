"""The background export of everything (every session, all time): how long until the file
is ready, and the worker's peak memory. Kept apart from the rest of the benchmark because
the job it measures may not exist in this program yet: if its module cannot be found, the
step says "not available" and the run goes on.

The export is queued as the export page queues it (the same filters, the same service),
then ``manage.py run_file_jobs -v 2`` runs it in a child process of its own, so that the
peak memory it prints is the job's alone; the file goes to a temporary folder, deleted
afterwards.
"""

import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time

TARGET_READY_S = 180  # 1,000,000 sessions ready in under 3 minutes
TARGET_WORKER_MB = 200

# The module of the background export job, once the program has one.
JOB_MODULE = "portal.filejobs.services"


def available() -> bool:
    try:
        return importlib.util.find_spec(JOB_MODULE) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def measure(*, expected_rows: int, staff_email: str, database_url: str) -> dict:
    """{"available": False, ...} if the program has no background export; otherwise the
    time to ready, the worker's peak memory and whether both meet their targets."""
    if not available():
        return {"available": False, "module": JOB_MODULE}
    result = _run(expected_rows=expected_rows, staff_email=staff_email, database_url=database_url)
    return {
        "available": True,
        "module": JOB_MODULE,
        "expected_rows": expected_rows,
        **result,
        "ready_met": result.get("ready_seconds", 1e9) < TARGET_READY_S,
        "memory_met": result.get("peak_worker_mb", 1e9) < TARGET_WORKER_MB,
    }


def _run(*, expected_rows: int, staff_email: str, database_url: str) -> dict:
    """Queue the Excel export of every session, run the worker until the file is ready;
    {"ready_seconds", "rows", "peak_worker_mb", "status", "megabytes"}."""
    from django.test import RequestFactory

    from portal.accounts.models import User
    from portal.filejobs import exports as background
    from portal.filejobs import services as file_jobs
    from portal.filejobs.models import FileJob
    from portal.mentoring.models import ProgramSettings
    from portal.staff.views.filters import session_filters

    staff = User.objects.get(email=staff_email)
    request = RequestFactory().get("/staff/export/", {"report": "sessions", "file_format": "xlsx"})
    request.user = staff
    _, filters = session_filters(request, ProgramSettings.load())
    job, _ = file_jobs.export_job_request(
        user=staff,
        report="sessions",
        file_format="xlsx",
        params=background.export_params(filters),
        include_children=False,
        download_name="sessions.xlsx",
        rows_expected=expected_rows,
    )
    with tempfile.TemporaryDirectory(prefix="bench-file-jobs-") as folder:
        env = {**os.environ, "DATABASE_URL": database_url, "FILE_JOBS_DIR": folder}
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "manage.py", "run_file_jobs", "-v", "2"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30 * 60,
        )
        seconds = time.perf_counter() - started
        job = FileJob.objects.get(pk=job.pk)
        peak = re.search(r"VmHWM\):\s*(\d+)\s*kB", done.stdout)
        size = job.size or 0
    return {
        "status": job.status if done.returncode == 0 else f"worker exit {done.returncode}",
        "ready_seconds": round(seconds, 1),
        "job_seconds": round((job.finished_at - job.started_at).total_seconds(), 1)
        if job.finished_at and job.started_at
        else None,
        "rows": job.rows_done,
        "megabytes": round(size / 1e6, 1),
        "peak_worker_mb": round(int(peak.group(1)) / 1024, 1) if peak else 1e9,
    }
