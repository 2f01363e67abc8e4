"""Files in and out at real size: the Excel export of one month and the staff import of
20,000 mentors, each through its own fresh gunicorn (as in production) so that the worker's
peak memory is that of the transfer alone.

The import goes through the staff pages exactly as a coordinator does it: upload the CSV
(the check), then save. A file longer than the import's row limit is refused by the check,
so it is sent in parts of that limit, each part checked and saved in its own requests; each
request is timed against the 30 s that no request may pass (gunicorn's own timeout).
"""

import http.client
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
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    started = time.perf_counter()
    try:
        connection.request(
            "POST", path, body=body,
            headers={"Cookie": cookie, "X-CSRFToken": csrf, "Content-Type": content_type},
        )  # fmt: skip
        response = connection.getresponse()
        text = response.read()
        status = response.status
    except OSError:
        status, text = 0, b""
    finally:
        connection.close()
    return status, text, time.perf_counter() - started


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


def measure_mentor_import(server, client, *, count: int = IMPORT_MENTORS) -> dict:
    """Check then save ``count`` new mentors through /staff/import/mentors/, in parts of the
    import's row limit if the file is longer; every request timed."""
    from portal.accounts.models import User
    from portal.staff import imports

    limit = getattr(imports, "MAX_ROWS", count)
    tag = uuid.uuid4().hex[:6]
    before = User.objects.count()
    steps, failures = [], []
    started = time.perf_counter()
    for offset in range(0, count, limit):
        part = min(limit, count - offset)
        body, content_type = _multipart(mentor_csv(part, offset=offset, tag=tag))
        status, text, seconds = _post(
            server, "/staff/import/mentors/", client.cookie, client.csrf, body, content_type
        )
        steps.append({"step": "check", "rows": part, "status": status, "seconds": seconds})
        if status != 200 or b'action="/staff/import/mentors/save/"' not in text:
            failures.append(f"check of rows {offset + 1}-{offset + part}: status {status}")
            break
        status, _text, seconds = _post(
            server, "/staff/import/mentors/save/", client.cookie, client.csrf, b"",
            "application/x-www-form-urlencoded",
        )  # fmt: skip
        steps.append({"step": "save", "rows": part, "status": status, "seconds": seconds})
        if status != 302:
            failures.append(f"save of rows {offset + 1}-{offset + part}: status {status}")
            break
    total = time.perf_counter() - started
    added = User.objects.count() - before
    slowest = max((step["seconds"] for step in steps), default=0.0)
    return {
        "mentors": count,
        "row_limit": limit,
        "parts": -(-count // limit),
        "added": added,
        "seconds": round(total, 2),
        "check_seconds": round(sum(s["seconds"] for s in steps if s["step"] == "check"), 2),
        "save_seconds": round(sum(s["seconds"] for s in steps if s["step"] == "save"), 2),
        "slowest_request_s": round(slowest, 2),
        "under_request_limit": slowest < TARGET_REQUEST_S and not failures,
        "failures": failures,
        "peak_worker_mb": round(server.peak_worker_memory_mb(), 1),
    }
