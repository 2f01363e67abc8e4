"""The staff workspace at real size: every list and report a coordinator opens, each asked
for by one client (a coordinator waits for one page at a time), a fixed number of times
after a warm-up, on one kept-alive connection to the same gunicorn as the mentor pages.

A fixed count instead of a timed wrk run keeps the whole benchmark short: 30 requests give
a steady median, and their slowest (the p99 of 30 is the second slowest) says what a
coordinator meets on a bad click. Pages a program does not have yet (their address does not
resolve) are left out and listed as not available, so the list can name pages still being
built elsewhere.
"""

import http.client
import statistics
import time
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

WARM_UPS = 3
REQUESTS = 30
TARGET_LIST_MS = 100  # every staff list at p50
TARGET_PAGE_MS = 150  # every other staff page at p50
TARGET_MONTH_REPORT_MS = 50  # compliance and hours for a month
TARGET_REQUEST_S = 30  # no request of any kind


@dataclass
class StaffPage:
    name: str
    url_name: str  # reversed at run time: a page the program lacks is "not available"
    query: str = ""  # its address's query, {month} and {deep} filled in at run time
    who: str = "staff"  # "staff" or "admin"
    # "list" (target 100 ms), "page" (150 ms) or "month report" (50 ms)
    kind: str = "list"
    path: str = ""  # filled in by resolve()

    @property
    def target_ms(self) -> int:
        return {"list": TARGET_LIST_MS, "month report": TARGET_MONTH_REPORT_MS}.get(
            self.kind, TARGET_PAGE_MS
        )


def staff_pages() -> list[StaffPage]:
    """Every staff page measured. Names of the three reports kept from issue 7 are the same,
    so that their raw SQL (report_sql.REPORTS) still pairs with them."""
    return [
        StaffPage("Staff dashboard", "staff:dashboard", kind="page"),
        StaffPage("Staff dashboard, administrator", "staff:dashboard", who="admin", kind="page"),
        StaffPage("Concerns", "safeguarding:concern_list"),
        StaffPage("Needs", "safeguarding:need_list"),
        StaffPage("Matches needing support", "safeguarding:support_list"),
        StaffPage("Support requests", "staff:support_request_list"),
        StaffPage("Invitations", "staff:invitation_list"),
        StaffPage("Audit history", "staff:audit_list", who="admin"),
        StaffPage("Late check-ins", "checkins:overdue"),
        StaffPage("Late check-ins, everyone's", "checkins:overdue", "everyone=yes", who="admin"),
        StaffPage("Follow-ups", "staff:followup_list"),
        StaffPage("Matches", "staff:match_list"),
        StaffPage("Mentors", "staff:mentor_list"),
        StaffPage("Mentees", "staff:mentee_list"),
        StaffPage("Readiness", "readiness:list"),
        StaffPage("Readiness, not ready", "readiness:list", "show=not_ready"),
        StaffPage("Sessions", "staff:session_list"),
        StaffPage("Sessions, a deep page", "staff:session_list", "page={deep}"),
        StaffPage("Sessions, administration", "admin:mentoring_sessionlog_changelist", who="admin"),
        StaffPage(
            "Sessions, administration, a deep page",
            "admin:mentoring_sessionlog_changelist",
            "p={deep_admin}",
            who="admin",
        ),
        StaffPage("Hours, 12 months", "staff:hours", kind="page"),
        StaffPage(
            "Compliance, one month", "staff:compliance", "month={month}", kind="month report"
        ),
        StaffPage(
            "Hours, one month", "staff:hours", "start={month}&end={month}", kind="month report"
        ),
    ]


def resolve(page_list: list[StaffPage], **values) -> tuple[list[StaffPage], list[str]]:
    """The pages whose address exists here, with their queries filled in; and the names of
    those that do not exist (yet)."""
    found, missing = [], []
    for page in page_list:
        try:
            path = reverse(page.url_name)
        except NoReverseMatch:
            missing.append(page.name)
            continue
        query = page.query.format(**values)
        page.path = f"{path}?{query}" if query else path
        found.append(page)
    return found, missing


def deep_pages(session_count: int, *, per_page: int = 50, admin_per_page: int = 100) -> dict:
    """A page nine tenths of the way down the sessions lists: what OFFSET paging costs
    (Django's pager counts from 1; the admin's from 0)."""
    deep = max(1, session_count * 9 // 10 // per_page)
    deep_admin = max(0, session_count * 9 // 10 // admin_per_page)
    return {"deep": deep, "deep_admin": deep_admin}


def measure(server, page: StaffPage, cookie: str, *, requests: int = REQUESTS) -> dict:
    """One client asks for the page ``requests`` times after WARM_UPS, on one connection."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TARGET_REQUEST_S)
    timings, ok, bad, size = [], 0, 0, 0
    try:
        for number in range(WARM_UPS + requests):
            started = time.perf_counter()
            try:
                connection.request("GET", page.path, headers={"Cookie": cookie})
                response = connection.getresponse()
                body = response.read()
                status = response.status
            except OSError:
                connection.close()
                status, body = 0, b""
            elapsed = (time.perf_counter() - started) * 1000
            if number < WARM_UPS:
                continue
            timings.append(elapsed)
            size = len(body)
            if status == 200:
                ok += 1
            else:
                bad += 1
    finally:
        connection.close()
    timings.sort()
    return {
        "name": page.name,
        "path": page.path,
        "who": page.who,
        "kind": page.kind,
        "target_ms": page.target_ms,
        "requests": requests,
        "p50_ms": round(statistics.median(timings), 1),
        "p99_ms": round(_percentile(timings, 0.99), 1),
        "max_ms": round(timings[-1], 1),
        "kilobytes": round(size / 1024),
        "ok": ok,
        "bad": bad,
    }


def _percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values."""
    rank = max(1, -(-int(share * len(ordered) * 1000) // 1000))
    return ordered[min(rank, len(ordered)) - 1]


def measure_all(server, page_list: list[StaffPage], cookies: dict, *, queries: dict) -> list:
    results = []
    for page in page_list:
        result = measure(server, page, cookies[page.who])
        result["queries"] = queries.get(page.name)
        print(
            f"  {page.name:<40} p50 {result['p50_ms']:>7.1f} ms  p99 {result['p99_ms']:>7.1f} ms"
            f"  ok {result['ok']}  other {result['bad']}  queries {result['queries']}",
            flush=True,
        )
        results.append(result)
    return results


def count_queries(page_list: list[StaffPage], emails: dict) -> dict:
    """Queries of one request to each page, captured by Django after one warm-up."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    from portal.accounts.models import User

    clients = {}
    for who, email in emails.items():
        client = TestClient(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(email=email))
        clients[who] = client
    counts = {}
    for page in page_list:
        client = clients[page.who]
        client.get(page.path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path)
        if response.status_code != 200:
            raise RuntimeError(f"{page.name}: {response.status_code}, not 200")
        counts[page.name] = len(captured)
    return counts
