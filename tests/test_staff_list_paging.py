"""The staff lists at real size: 50 a page with the pager keeping the filters, a choice of
status and school, the same number of queries however many rows, and each list read
through the index made for its filter and order (the plan checked on PostgreSQL)."""

import copy
import datetime as dt
import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.enrollment.services import invitation_create
from portal.mentoring.models import SessionLog
from portal.safeguarding.models import ConcernStatus, NeedStatus, ResourceNeed, SafetyConcern
from tests.conftest import log_session, two_hours_ago
from tests.page import read_page

CONCERNS = "/concerns/"
NEEDS = "/needs/"
ADMIN_SESSIONS = "/admin/mentoring/sessionlog/"
OVERDUE = "/staff/check-ins/overdue/"
NEEDING_SUPPORT = "/matches-needing-support/"


def add_concerns(match, *, by, count: int, status=ConcernStatus.NEW) -> list[SafetyConcern]:
    """``count`` concerns about ``match``, the first the oldest, an hour apart."""
    now = timezone.now()
    extra = {}
    if status != ConcernStatus.NEW:
        extra = {"acknowledged_by": by, "acknowledged_at": now}
    if status == ConcernStatus.CLOSED:
        extra |= {"closed_by": by, "closed_at": now, "outcome": "Done."}
    return SafetyConcern.objects.bulk_create(
        SafetyConcern(
            match=match,
            site=match.site,
            description="Bruise on the arm.",
            raised_by=by,
            raised_at=now - dt.timedelta(hours=count - n),
            status=status,
            **extra,
        )
        for n in range(count)
    )


def add_sessions(match, count: int) -> list[SessionLog]:
    """``count`` entries of ``match``, copies of one logged through the service."""
    first = log_session(match, two_hours_ago(), entered_at=timezone.now())
    copies = []
    for n in range(1, count):
        entry = copy.copy(first)
        entry.pk = None
        entry.starts_at = first.starts_at - dt.timedelta(days=n)
        copies.append(entry)
    return [first, *SessionLog.objects.bulk_create(copies)]


def add_needs(match, count: int, *, status=NeedStatus.OPEN) -> list[ResourceNeed]:
    now = timezone.now()
    return ResourceNeed.objects.bulk_create(
        ResourceNeed(
            session=session,
            match=match,
            kind="food",
            status=status,
            raised_at=now - dt.timedelta(hours=count - n),
        )
        for n, session in enumerate(add_sessions(match, count))
    )


def linked(url_prefix: str, response) -> list[int]:
    """The records of ``url_prefix`` the page links to, top to bottom."""
    found = []
    for href, _ in read_page(response).links:
        rest = href.removeprefix(url_prefix).strip("/")
        if href.startswith(url_prefix) and rest.isdigit():
            found.append(int(rest))
    return found


# --- Pages and filters ---------------------------------------------------------------------


def test_the_concern_list_shows_50_a_page_oldest_first_and_the_pager_keeps_the_choice(
    staff_client, staff_user, match_a, match_b
):
    at_a = add_concerns(match_a, by=staff_user, count=60)
    add_concerns(match_b, by=staff_user, count=5)
    site = match_a.site_id

    first = staff_client.get(f"{CONCERNS}?status=new&site={site}")
    assert linked(CONCERNS, first) == [c.pk for c in at_a[:50]]
    text = first.content.decode()
    assert f"status=new&amp;site={site}&amp;page=2" in text
    assert "Page 1 of 2 (60 in all)" in read_page(first).text

    second = staff_client.get(f"{CONCERNS}?status=new&site={site}&page=2")
    assert linked(CONCERNS, second) == [c.pk for c in at_a[50:]]


def test_the_concern_list_by_status(staff_client, staff_user, match_a):
    new = add_concerns(match_a, by=staff_user, count=2)
    acknowledged = add_concerns(match_a, by=staff_user, count=1, status=ConcernStatus.ACKNOWLEDGED)
    closed = add_concerns(match_a, by=staff_user, count=1, status=ConcernStatus.CLOSED)
    ids = lambda items: {item.pk for item in items}  # noqa: E731

    assert set(linked(CONCERNS, staff_client.get(CONCERNS))) == ids(new + acknowledged)
    assert set(linked(CONCERNS, staff_client.get(f"{CONCERNS}?status=closed"))) == ids(closed)
    assert set(linked(CONCERNS, staff_client.get(f"{CONCERNS}?status=acknowledged"))) == ids(
        acknowledged
    )
    every = ids(new + acknowledged + closed)
    assert set(linked(CONCERNS, staff_client.get(f"{CONCERNS}?status=all"))) == every
    assert set(linked(CONCERNS, staff_client.get(f"{CONCERNS}?show=all"))) == every


def test_a_site_contact_chooses_among_their_own_schools_only(
    client, staff_user, site_contact_a, match_a, match_b
):
    mine = add_concerns(match_a, by=staff_user, count=2)
    add_concerns(match_b, by=staff_user, count=2)
    client.force_login(site_contact_a)

    page = client.get(CONCERNS)
    assert set(linked(CONCERNS, page)) == {c.pk for c in mine}
    text = read_page(page).text
    assert match_a.site.name in text
    assert match_b.site.name not in text  # not even as a choice
    # Asking for the other school shows nothing of it.
    assert linked(CONCERNS, client.get(f"{CONCERNS}?site={match_b.site_id}")) == []
    assert linked(CONCERNS, client.get(f"{CONCERNS}?site={match_b.site_id}&status=all")) == []


def test_the_needs_list_by_status_and_school_50_a_page(staff_client, match_a, match_b):
    at_a = add_needs(match_a, 55)
    at_b = add_needs(match_b, 2, status=NeedStatus.REFERRED)
    site_a, site_b = match_a.site_id, match_b.site_id

    first = staff_client.get(f"{NEEDS}?site={site_a}")
    assert linked(NEEDS, first) == [n.pk for n in at_a[:50]]
    assert f"site={site_a}&amp;page=2" in first.content.decode()
    assert linked(NEEDS, staff_client.get(f"{NEEDS}?site={site_a}&page=2")) == [
        n.pk for n in at_a[50:]
    ]
    assert linked(NEEDS, staff_client.get(f"{NEEDS}?status=referred")) == [n.pk for n in at_b]
    assert linked(NEEDS, staff_client.get(f"{NEEDS}?status=open&site={site_b}")) == []
    ResourceNeed.objects.filter(pk=at_b[0].pk).update(status=NeedStatus.CLOSED)
    assert at_b[0].pk not in linked(NEEDS, staff_client.get(f"{NEEDS}?site={site_b}"))
    assert at_b[0].pk in linked(NEEDS, staff_client.get(f"{NEEDS}?site={site_b}&status=all"))


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-1",
        "page=99999",
        "status=<script>",
        "site=999999999999",
        "site=abc",
        "status=closed&site=%00",
        "show=<b>",
        "kind=<script>&everyone=yes",
    ],
)
@pytest.mark.parametrize("url", [CONCERNS, NEEDS, ADMIN_SESSIONS, OVERDUE, NEEDING_SUPPORT])
def test_a_bad_address_never_fails(admin_client, admin_user, match_a, url, query):
    add_concerns(match_a, by=admin_user, count=3)
    response = admin_client.get(f"{url}?{query}")
    assert response.status_code in (200, 302, 400)
    assert b"<script>" not in response.content


# --- Queries -------------------------------------------------------------------------------


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url", [CONCERNS, f"{CONCERNS}?status=all", f"{CONCERNS}?status=closed&site=SITE"]
)
def test_the_concern_list_makes_as_many_queries_for_10_as_for_200(
    admin_client, admin_user, match_a, url
):
    url = url.replace("SITE", str(match_a.site_id))
    add_concerns(match_a, by=admin_user, count=5)
    add_concerns(match_a, by=admin_user, count=5, status=ConcernStatus.CLOSED)
    few = queries_for(admin_client, url)
    add_concerns(match_a, by=admin_user, count=95)
    add_concerns(match_a, by=admin_user, count=95, status=ConcernStatus.CLOSED)
    assert queries_for(admin_client, url) == few


def test_the_site_contacts_concern_list_makes_as_many_queries_for_10_as_for_200(
    client, staff_user, site_contact_a, match_a
):
    client.force_login(site_contact_a)
    add_concerns(match_a, by=staff_user, count=10)
    few = queries_for(client, CONCERNS)
    add_concerns(match_a, by=staff_user, count=190)
    assert queries_for(client, CONCERNS) == few


def test_the_needs_list_makes_as_many_queries_for_10_as_for_200(staff_client, match_a, match_b):
    add_needs(match_a, 10)
    few = queries_for(staff_client, NEEDS)
    add_needs(match_b, 190)
    assert queries_for(staff_client, NEEDS) == few


def test_the_admins_session_list_makes_as_many_queries_for_10_as_for_200(
    admin_client, match_a, match_b
):
    add_sessions(match_a, 10)
    few = queries_for(admin_client, ADMIN_SESSIONS)
    add_sessions(match_b, 190)
    assert queries_for(admin_client, ADMIN_SESSIONS) == few


def test_the_admins_session_list_counts_once(admin_client, match_a):
    """Filtered, it counts what it shows, not also every entry ("N total")."""
    add_sessions(match_a, 3)
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(f"{ADMIN_SESSIONS}?attendance__exact=met")
    sql = [q["sql"] for q in queries]
    counts = [q for q in sql if "COUNT(" in q and "mentoring_sessionlog" in q]
    assert len(counts) == 1, counts


# --- Plans ---------------------------------------------------------------------------------


def list_query(client, url: str, table: str) -> str:
    """The query that reads the page's rows of ``table`` (the admin's has no LIMIT when
    every row fits on one page)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    [sql] = [
        q["sql"]
        for q in queries
        if q["sql"].startswith(f'SELECT "{table}"."id"')
        and f'FROM "{table}"' in q["sql"]
        and "ORDER BY" in q["sql"]
    ]
    return sql


def postgresql_plan(sql: str) -> list[dict]:
    """The nodes of ``sql``'s plan, with sequential scans and sorts priced out: in a test
    the tables hold a few rows, where reading the table is cheapest; at real size the index
    is what the planner picks, and this shows that it can serve the filter and the order
    (no Sort node) by itself."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        [[plan]] = cursor.fetchall()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    nodes, todo = [], [plan[0]["Plan"]]
    while todo:
        node = todo.pop()
        nodes.append(node)
        todo.extend(node.get("Plans", []))
    return nodes


def assert_postgresql_reads_through(sql: str, index: str, table: str) -> None:
    nodes = postgresql_plan(sql)
    scans = [node for node in nodes if node.get("Relation Name") == table]
    assert [node.get("Index Name") for node in scans] == [index], scans
    assert not [node for node in nodes if "Sort" in node["Node Type"]], nodes


def sqlite_plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(row[-1] for row in cursor.fetchall())


CONCERN_PLANS = [
    (CONCERNS, "concern_open_raised_idx"),
    (f"{CONCERNS}?status=new", "concern_status_raised_idx"),
    (f"{CONCERNS}?status=closed", "concern_status_raised_idx"),
]
NEED_PLANS = [
    (NEEDS, "need_open_raised_idx"),
    (f"{NEEDS}?status=referred", "need_status_raised_idx"),
    (f"{NEEDS}?status=all", "need_raised_idx"),
]
ADMIN_PLANS = [(ADMIN_SESSIONS, "session_starts_idx")]
INVITATIONS = "/staff/invitations/"
INVITATION_PLANS = [(INVITATIONS, "invitation_live_created_idx")]
EVERY_PLAN = CONCERN_PLANS + NEED_PLANS + ADMIN_PLANS + INVITATION_PLANS
TABLES = {
    CONCERNS: "safeguarding_safetyconcern",
    NEEDS: "safeguarding_resourceneed",
    ADMIN_SESSIONS: "mentoring_sessionlog",
    INVITATIONS: "accounts_invitation",
}


@pytest.fixture
def some_of_each(admin_user, match_a, match_b):
    for status in ConcernStatus.values:
        add_concerns(match_a, by=admin_user, count=3, status=status)
    add_needs(match_a, 3)
    add_needs(match_b, 3, status=NeedStatus.REFERRED)
    for n in range(3):
        invitation_create(
            email=f"invited-{n}@example.org", full_name=f"Invited {n}", created_by=admin_user
        )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the plan checked is PostgreSQL's, production's"
)
@pytest.mark.parametrize(("url", "index"), EVERY_PLAN)
def test_each_list_is_read_through_its_index_on_postgresql(admin_client, some_of_each, url, index):
    table = TABLES[url.split("?")[0]]
    assert_postgresql_reads_through(list_query(admin_client, url, table), index, table)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan, as in development")
@pytest.mark.parametrize(("url", "index"), EVERY_PLAN)
def test_each_list_is_read_through_its_index_on_sqlite(admin_client, some_of_each, url, index):
    """SQLite, with no statistics, picks the index that saves it the sort."""
    table = TABLES[url.split("?")[0]]
    plan = sqlite_plan(list_query(admin_client, url, table))
    assert f"INDEX {index}" in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_matches_needing_support_and_late_check_ins_by_school(admin_client, match_a, match_b):
    """Both matches started a year ago with nothing logged and no check-in."""
    at_a = f"site={match_a.site_id}"
    for url in (NEEDING_SUPPORT, f"{OVERDUE}?everyone=yes"):
        every = read_page(admin_client.get(url)).text
        assert "Jane" in every and "Marcus" in every, url
        sep = "&" if "?" in url else "?"
        one = read_page(admin_client.get(f"{url}{sep}{at_a}")).text
        assert "Jane" in one and "Marcus D" not in one, url
        assert "Jane" not in read_page(admin_client.get(f"{url}{sep}site=999999999")).text


def test_the_admins_session_list_never_reads_every_entry_for_its_dates(admin_client, match_a):
    """No list of years (a DISTINCT over every entry): the dates are a filter of ranges."""
    add_sessions(match_a, 3)
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(ADMIN_SESSIONS)
    assert page.status_code == 200
    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"] and "sessionlog" in q["sql"]]
    assert "Past 7 days" in page.content.decode()
