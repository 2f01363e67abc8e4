"""The background export of everything (every session, all time): how long until the file
is ready, and the worker's peak memory. Kept apart from the rest of the benchmark because
the job it measures may not exist in this program yet: if its module cannot be found, the
step says "not available" and the run goes on.

To plug the job in, set JOB_MODULE to the module that holds it and fill in ``_run``: start
the export of every session as a staff member would, run the worker on it until the file
is ready (in a child process, so that its peak memory is the job's alone), and return the
seconds and the peak memory in MB. Everything else (the report, the targets, the markdown)
already reads what ``measure`` returns.
"""

import importlib.util

TARGET_READY_S = 180  # 1,000,000 sessions ready in under 3 minutes
TARGET_WORKER_MB = 200

# The module of the background export job, once the program has one.
JOB_MODULE = "portal.downloads.jobs"


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
    """Start the job, run the worker until the file is ready; {"ready_seconds", "rows",
    "peak_worker_mb", "status"}. To be written against the job's own interface."""
    return {"status": "the job exists but this step does not run it yet"}
