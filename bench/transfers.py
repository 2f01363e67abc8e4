"""Files in and out at real size: the Excel export of one month and the staff import of
20,000 mentors, each through its own fresh gunicorn (as in production) so that the worker's
peak memory is that of the transfer alone.

The import goes through the staff pages exactly as a coordinator does it: upload the CSV.
A file of more than ``IMPORT_BACKGROUND_ROWS`` rows (2,000) is checked and saved by the
worker: the upload answers with the job's progress page, and ``manage.py run_file_jobs``
(in a process of its own, so that its peak memory is the import's) runs it. A shorter one
is checked by the upload and saved by a second request. A file longer than what the import
takes at once is sent in parts of that size. Each request is timed against the 30 s that
no request may pass (gunicorn's own timeout).
"""

import http.client
import os
import re
import subprocess
import sys
import time
import uuid

from bench.staff_pages import TARGET_REQUEST_S

TARGET_EXCEL_S = 10
IMPORT_MENTORS = 20_000


def _drain(response) -> tuple[int, float | None]:
    size, first_byte = 0, None
    started = time.perf_counter()
    while chunk := response.read(1 << 20):
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
    return size, first_byte


def measure_excel_month(server, cookie: str, month: str, expected_rows: int) -> dict:
    """One month of sessions as an Excel file, read to its last byte."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    started = time.perf_counter()
    connection.request(
        "GET", f"/staff/export/?report=sessions&file_format=xlsx&month={month}",
        headers={"Cookie": cookie},
    )  # fmt: skip
    response = connection.getresponse()
    size, _first = _drain(response)
    elapsed = time.perf_counter() - started
    connection.close()
    return {
        "status": response.status,
        "month": month,
        "rows": expected_rows,
        "seconds": round(elapsed, 2),
        "megabytes": round(size / 1e6, 1),
        # An Excel file starts "PK" (a zip); an error page would not.
        "is_excel": response.getheader("Content-Type", "").startswith(
            "application/vnd.openxmlformats"
        ),
        "peak_worker_mb": round(server.peak_worker_memory_mb(), 1),
    }


def mentor_csv(count: int, *, offset: int = 0, tag: str = "") -> str:
    lines = ["email,full_name,phone,status"]
    for number in range(offset, offset + count):
        lines.append(
            f"import{tag}-{number:05d}@bench.example.org,Imported Mentor {number:05d},"
            f"(312) 555-{number % 10000:04d},invited"
        )
    return "\n".join(lines) + "\n"


def _post(server, path: str, cookie: str, csrf: str, body: bytes, content_type: str):
    """(status, body, seconds, the Location header)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    started = time.perf_counter()
    location = ""
    try:
        connection.request(
            "POST", path, body=body,
            headers={"Cookie": cookie, "X-CSRFToken": csrf, "Content-Type": content_type},
        )  # fmt: skip
        response = connection.getresponse()
        text = response.read()
        status = response.status
        location = response.getheader("Location", "")
    except OSError:
        status, text = 0, b""
    finally:
        connection.close()
    return status, text, time.perf_counter() - started, location


def _multipart(text: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="mentors.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + text.encode()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def measure_mentor_import(server, client, *, count: int = IMPORT_MENTORS, env=None) -> dict:
    """Import ``count`` new mentors through /staff/import/mentors/ as a coordinator does
    (in the background when the file is long), in parts of what one file may hold; every
    request timed, and the worker's run."""
    from portal.accounts.models import User
    from portal.filejobs import imports as background
    from portal.staff import imports

    in_background = count > background.background_rows()
    limit = imports.BACKGROUND_MAX_ROWS if in_background else imports.MAX_ROWS
    tag = uuid.uuid4().hex[:6]
    before = User.objects.count()
    steps, failures, worker_peaks = [], [], []
    started = time.perf_counter()
    for offset in range(0, count, limit):
        part = min(limit, count - offset)
        rows = f"rows {offset + 1}-{offset + part}"
        body, content_type = _multipart(mentor_csv(part, offset=offset, tag=tag))
        status, text, seconds, location = _post(
            server, "/staff/import/mentors/", client.cookie, client.csrf, body, content_type
        )
        steps.append({"step": "check", "rows": part, "status": status, "seconds": seconds})
        if in_background:
            job = re.fullmatch(r"/staff/imports/(\d+)/", location)
            if status != 302 or job is None:
                failures.append(f"upload of {rows}: status {status}, not the job's page")
                break
            outcome = _run_import_job(int(job.group(1)), env)
            steps.append({"step": "worker", "rows": part, **outcome})
            worker_peaks.append(outcome["peak_mb"])
            if outcome["status"] != "ready":
                failures.append(f"the worker's import of {rows}: {outcome['status']}")
                break
            continue
        if status != 200 or b'action="/staff/import/mentors/save/"' not in text:
            failures.append(f"check of {rows}: status {status}")
            break
        status, _text, seconds, _ = _post(
            server, "/staff/import/mentors/save/", client.cookie, client.csrf, b"",
            "application/x-www-form-urlencoded",
        )  # fmt: skip
        steps.append({"step": "save", "rows": part, "status": status, "seconds": seconds})
        if status != 302:
            failures.append(f"save of {rows}: status {status}")
            break
    total = time.perf_counter() - started
    added = User.objects.count() - before
    requests = [step["seconds"] for step in steps if step["step"] != "worker"]
    slowest = max(requests, default=0.0)
    return {
        "mentors": count,
        "in_background": in_background,
        "row_limit": limit,
        "parts": -(-count // limit),
        "added": added,
        "seconds": round(total, 2),
        "check_seconds": round(sum(s["seconds"] for s in steps if s["step"] == "check"), 2),
        "save_seconds": round(sum(s["seconds"] for s in steps if s["step"] == "save"), 2),
        "worker_seconds": round(sum(s["seconds"] for s in steps if s["step"] == "worker"), 2),
        "peak_job_worker_mb": max(worker_peaks, default=0.0),
        "slowest_request_s": round(slowest, 2),
        "under_request_limit": slowest < TARGET_REQUEST_S and not failures,
        "failures": failures,
        "peak_worker_mb": round(server.peak_worker_memory_mb(), 1),
    }


def _run_import_job(pk: int, env) -> dict:
    """Run the waiting file jobs (this import) in a process of its own: its status, the
    seconds it took and its peak memory (MB)."""
    from portal.filejobs.models import FileJob

    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", "run_file_jobs", "-v", "2"],
        env=env if env is not None else os.environ,
        capture_output=True,
        text=True,
        timeout=30 * 60,
    )
    seconds = time.perf_counter() - started
    job = FileJob.objects.get(pk=pk)
    peak = re.search(r"VmHWM\):\s*(\d+)\s*kB", done.stdout)
    status = job.status if done.returncode == 0 else f"worker exit {done.returncode}"
    if job.error:
        status += f" ({job.error})"
    return {
        "status": status,
        "seconds": seconds,
        "peak_mb": round(int(peak.group(1)) / 1024, 1) if peak else 0.0,
    }
