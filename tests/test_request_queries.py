"""What every signed-in request costs before its page: three queries, no more.

The session, the user with their one-time code device (one query,
``ThrottledModelBackend.get_user``), and the program's settings (read once and shared by
everything the request calls). A new per-request query would slow every page at once.
"""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.security.models import TOTPDevice


def queries_of(client, path: str) -> list[str]:
    client.get(path)  # the first request of a session may save it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_a_signed_in_page_without_data_costs_three_queries(client_a):
    queries = queries_of(client_a, "/help/")
    assert len(queries) == 3, queries
    assert any("django_session" in sql for sql in queries)
    assert any("accounts_user" in sql and "security_totpdevice" in sql for sql in queries)
    assert any("mentoring_programsettings" in sql for sql in queries)


def test_the_device_read_with_the_user_still_asks_for_a_code(client, mentor_a):
    """The code check reads the device loaded with the user: a confirmed device still
    sends the person to the code page."""
    TOTPDevice.objects.create(
        user=mentor_a, secret="JBSWY3DPEHPK3PXP", confirmed_at="2026-01-01T00:00Z"
    )
    client.force_login(mentor_a)
    response = client.get("/mentor/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-step/")


def test_settings_are_read_once_per_request(client_a):
    queries = queries_of(client_a, "/mentor/")
    assert sum("mentoring_programsettings" in sql for sql in queries) == 1


def test_a_mentor_row_comes_with_the_user(client_a):
    """The mentor's own row is read with the user: no query of its own on a mentor page."""
    queries = queries_of(client_a, "/mentor/")
    assert not any(sql.lstrip().startswith('SELECT "mentoring_mentor"') for sql in queries)
    assert any("accounts_user" in sql and "mentoring_mentor" in sql for sql in queries)


def test_the_home_page_reads_its_rows_whole(client_a, match_a, staff_user):
    """The recent entries and the open questions read only the columns they show: what a
    row shows is in those columns, so more rows cost no query more."""
    from portal.followups import services as followups
    from tests.conftest import log_session, two_hours_ago

    first = log_session(match_a, two_hours_ago())
    followups.followup_ask(session=first, user=staff_user, question="Who came?")
    before = len(queries_of(client_a, "/mentor/"))
    for hours in (3, 4):
        log_session(match_a, two_hours_ago() - dt.timedelta(hours=hours))
    followups.followup_ask(session=first, user=staff_user, question="How did it go?")
    queries = queries_of(client_a, "/mentor/")
    page = client_a.get("/mentor/").content.decode()
    assert "How did it go?" in page and match_a.mentee.display_name in page
    assert staff_user.get_short_name() in page
    assert len(queries) == before, queries


def test_the_home_page_asks_for_questions_and_holds_only_when_there_are_some(
    client_a, match_a, staff_user
):
    """The active matches say whether the mentor has open questions, matches on hold or a
    month declared without sessions: when none, the page reads none of those tables."""
    from portal.followups import services as followups
    from tests.conftest import log_session, two_hours_ago

    first = log_session(match_a, two_hours_ago())
    quiet = queries_of(client_a, "/mentor/")
    assert not any(sql.lstrip().startswith('SELECT "followups_followup"') for sql in quiet)
    assert not any(sql.lstrip().startswith('SELECT "mentoring_nosessionmonth"') for sql in quiet)
    followups.followup_ask(session=first, user=staff_user, question="How did it go?")
    asked = queries_of(client_a, "/mentor/")
    assert any(sql.lstrip().startswith('SELECT "followups_followup"') for sql in asked)
    assert "How did it go?" in client_a.get("/mentor/").content.decode()


def test_the_agreement_version_is_read_with_the_settings(client_a, mentor_a, admin_user):
    """The current agreement version comes with the program's settings: a mentor who
    accepted it costs the home page no query of its own (a new version still stops them:
    tests/test_readiness.py)."""
    from portal.readiness.models import AgreementVersion

    version = AgreementVersion.objects.create(
        number=1, fingerprint="abc123", text="I agree.", created_at="2026-01-01T00:00Z"
    )
    mentor_a.mentor.agreement_version = version.fingerprint
    mentor_a.mentor.save(update_fields=["agreement_version"])
    queries = queries_of(client_a, "/mentor/")
    assert not any(sql.lstrip().startswith('SELECT "readiness_agreement') for sql in queries)
    assert any(
        "mentoring_programsettings" in sql and "readiness_agreementversion" in sql
        for sql in queries
    )
