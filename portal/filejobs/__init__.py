"""Background file jobs: exports too large to send in one request, and large imports.

A staff member's request creates a ``FileJob`` (queued); a worker (``manage.py
run_worker``, or ``manage.py run_file_jobs`` once) claims it with a lease, writes the
file chunk by chunk to a temporary file and renames it into place, and marks it ready.
The file is kept 24 hours under a private folder (``FILE_JOBS_DIR``, never served as a
static file), fetched only by its requester or an administrator, then deleted by the
scheduled job ``expire_file_jobs``. Every step is audited.

models.py the job, claims.py the claim and its lease, exports.py / imports.py what a job
runs, runner.py the run, views.py the progress pages and the download.
"""
