"""The compliance page at any size: pages of mentors, filters, figures for the whole month,
the silent mentors' addresses, the export, bad page numbers and outsiders."""

import csv
import datetime as dt
import io
import itertools
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.models import Role, User
from portal.mentoring.models import (
    Choice,
    ChoiceList,
    Match,
    MatchStatus,
    Mentee,
    Mentor,
    MentorStatus,
    NoSessionMonth,
    ProgramSettings,
    SessionLog,
)
from portal.mentoring.rules import Month
from portal.staff import compliance
from tests.conftest import chicago

OCTOBER = Month(2025, 10)
URL = "/staff/compliance/?month=2025-10"
counter = itertools.count()


def add_mentor(
    site,
    *,
    name: str | None = None,
    sessions: tuple = (),
    declared: bool = False,
    status: str = MentorStatus.ACTIVE,
    ended: dt.date | None = None,
) -> Mentor:
    """A mentor with one match at ``site`` and ``sessions`` as (day of October 2025,
    quarter hours, late); 0 quarter hours is an absence."""
    i = next(counter)
    user = User.objects.create_user(
        email=f"m{i:03d}@example.org", role=Role.MENTOR, full_name=name or f"Mentor {i:03d}"
    )
    mentor = Mentor.objects.create(user=user, status=status)
    mentee = Mentee.objects.create(first_name=f"Kid{i}", last_initial="K", site=site, grade="4")
    match = Match.objects.create(
        mentor=mentor,
        mentee=mentee,
        site=site,
        start_date=dt.date(2025, 1, 1),
        end_date=ended,
        status=MatchStatus.CLOSED if ended else MatchStatus.ACTIVE,
    )
    log(match, sessions)
    if declared:
        NoSessionMonth.objects.create(
            mentor=mentor, year=2025, month=10, reason="school_break", declared_by=user
        )
    return mentor


def log(match: Match, sessions) -> None:
    kind = Choice.objects.get(list=ChoiceList.TYPE_OF_MENTORING, is_default=True)
    how = Choice.objects.get(list=ChoiceList.INTERACTION, is_default=True)
    SessionLog.objects.bulk_create(
        SessionLog(
            match=match,
            type_of_mentoring=kind,
            interaction=how,
            entered_by=match.mentor.user,
            starts_at=chicago(2025, 10, day, 15),
            quarter_hours=quarters,
            attendance="met" if quarters else "mentee_absent",
            notes="Met." if quarters else "Absent.",
            is_late=late,
        )
        for day, quarters, late in sessions
    )


def grow(n: int, sites) -> None:
    """n more mentors, in turn: logged nothing, late, on time, declared no session."""
    for i in range(n):
        site = sites[i % len(sites)]
        kind = i % 4
        if kind == 0:
            add_mentor(site)
        elif kind == 1:
            add_mentor(site, sessions=((3, 4, False), (10, 0, False), (17, 6, True)))
        elif kind == 2:
            add_mentor(site, sessions=((4, 2, False),))
        else:
            add_mentor(site, declared=True)


@pytest.fixture
def program_of_mentors(program, school_a, school_b):
    """Eleven listed mentors in October 2025, and three who are not listed.

    Listed, by name: Abe (A: 2 entries, 1.50 h, 1 late), Abe again (a second mentor with
    the same name, B: nothing), Bea (A: nothing), Cy (A: declared a school break), Di (B:
    declared, but logged 1.00 h since: counted as logged), Ed (A: 0.50 h on a match closed
    on 10 October), Flo (A: nothing; her other match, at B, closed on 5 October with an
    absence), Gus, Hal, Ivy, Jo (B: nothing).
    Not listed: Kim (inactive, 1.00 h), Lu (match closed in September), Mo (match starts
    in November).
    Whole month: 11 mentors, 5 entries (Abe 2, Di 1, Ed 1, Flo 1), 3.00 h, 1 late; logged
    nothing 6 (the second Abe, Bea, Gus, Hal, Ivy, Jo), declared 1 (Cy).
    """
    a, b = school_a, school_b
    add_mentor(a, name="Abe", sessions=((2, 4, False), (20, 2, True)))
    add_mentor(b, name="Abe")
    add_mentor(a, name="Bea")
    add_mentor(a, name="Cy", declared=True)
    add_mentor(b, name="Di", declared=True, sessions=((6, 4, False),))
    add_mentor(a, name="Ed", sessions=((8, 2, False),), ended=dt.date(2025, 10, 10))
    flo = add_mentor(a, name="Flo")
    mentee = Mentee.objects.create(first_name="Kay", last_initial="K", site=b, grade="5")
    closed = Match.objects.create(
        mentor=flo,
        mentee=mentee,
        site=b,
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2025, 10, 5),
        status=MatchStatus.CLOSED,
    )
    log(closed, ((1, 0, False),))
    for name in ("Gus", "Hal", "Ivy", "Jo"):
        add_mentor(b, name=name)
    add_mentor(a, name="Kim", status=MentorStatus.INACTIVE, sessions=((9, 4, False),))
    add_mentor(a, name="Lu", ended=dt.date(2025, 9, 30))
    late_starter = add_mentor(a, name="Mo")
    Match.objects.filter(mentor=late_starter).update(start_date=dt.date(2025, 11, 3))


def rows_on_every_page(client, url: str) -> list:
    first = client.get(url)
    assert first.status_code == 200
    rows = list(first.context["rows"])
    for number in range(2, first.context["page"].paginator.num_pages + 1):
        rows += client.get(f"{url}&page={number}").context["rows"]
    return rows


def export_rows(month=OCTOBER, site=None) -> list:
    program = ProgramSettings.load()
    return list(compliance.compliance_rows(month, program=program, site=site))


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(compliance, "PAGE_SIZE", 3)


# --- Pages ----------------------------------------------------------------------------


def test_every_mentor_is_on_exactly_one_page_in_name_order(
    program_of_mentors, staff_client, small_pages
):
    rows = rows_on_every_page(staff_client, URL)
    ids = [row.mentor.pk for row in rows]
    assert len(ids) == len(set(ids)) == 11
    # The two Abes share a name: the order is still total, so neither is lost or repeated.
    assert ids == [row.mentor.pk for row in export_rows()]
    names = [row.mentor.user.full_name for row in rows]
    assert names == sorted(names)
    assert names[:2] == ["Abe", "Abe"]


def test_the_pages_say_where_you_are_and_keep_the_month_site_and_filter(
    program_of_mentors, staff_client, small_pages, school_b
):
    response = staff_client.get(f"{URL}&site={school_b.pk}&show=nothing&page=2")
    text = response.content.decode()
    page = response.context["page"]
    assert (page.number, page.paginator.num_pages) == (2, 2)
    assert "Page 2 of 2" in text
    assert f"?month=2025-10&amp;site={school_b.pk}&amp;show=nothing&amp;page=1" in text
    assert "Mentors 4 to 5 of 5, by name." in text


def test_one_page_has_no_page_links(program_of_mentors, staff_client):
    text = staff_client.get(URL).content.decode()
    assert "Page 1 of" not in text
    assert "Mentors 1 to 11 of 11, by name." in text


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ("0", 1),
        ("-1", 1),
        ("abc", 1),
        ("9999", 4),
        ("1.5", 1),
        ("%20", 1),
        ("--2", 1),
        ("9" * 5000, 1),
        ("4", 4),
    ],
    ids=["0", "-1", "abc", "9999", "1.5", "space", "--2", "5000 digits", "4"],
)
def test_a_page_that_does_not_exist_shows_a_real_page_and_says_so(
    program_of_mentors, staff_client, small_pages, asked, shown
):
    response = staff_client.get(f"{URL}&page={asked}")
    assert response.status_code == 200
    assert response.context["page"].number == shown
    text = response.content.decode()
    if asked == "4":
        assert "There is no page" not in text
    else:
        assert "There is no page" in text and f"this is page {shown} of 4" in text


@pytest.mark.parametrize("site", ["abc", "-1", "0", "9" * 5000, "99999"])
def test_a_site_that_is_not_one_gives_a_page_not_an_error(program_of_mentors, staff_client, site):
    response = staff_client.get(f"{URL}&site={site}")
    assert response.status_code == 200
    expected = 0 if site == "99999" else 11  # an unknown site has no mentors
    assert response.context["summary"].mentors == expected


def test_an_empty_month_has_one_empty_page(program, staff_client):
    response = staff_client.get("/staff/compliance/?month=2025-10&page=3&show=late")
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert "No mentor has a late entry for October 2025." in response.content.decode()


# --- Figures for the whole month ----------------------------------------------------------


def test_the_figures_at_the_top_are_the_whole_months(program_of_mentors, staff_client, small_pages):
    summary = staff_client.get(URL).context["summary"]
    assert (summary.mentors, summary.sessions, summary.hours, summary.late) == (
        11,
        5,
        Decimal("3.00"),
        1,
    )
    assert (summary.silent, summary.declared, summary.late_mentors) == (6, 1, 1)
    rows = export_rows()
    assert summary.mentors == len(rows)
    assert summary.sessions == sum(row.sessions for row in rows)
    assert summary.quarters == sum(row.quarters for row in rows)
    assert summary.late == sum(row.late for row in rows)
    assert summary.silent == sum(row.logged_nothing and not row.declared for row in rows)
    assert summary.declared == sum(row.declared for row in rows)


@pytest.mark.parametrize("site", [None, "a", "b"])
def test_the_figures_agree_with_the_lines_for_all_schools_and_for_each(
    program_of_mentors, staff_client, school_a, school_b, site
):
    # All schools and one school are counted by two different queries: same answers.
    site_id = {"a": school_a.pk, "b": school_b.pk}.get(site)
    url = f"{URL}&site={site_id}" if site_id else URL
    summary = staff_client.get(url).context["summary"]
    rows = export_rows(site=site_id)
    assert all(type(value) is int for value in vars(summary).values())
    assert (
        summary.mentors,
        summary.sessions,
        summary.quarters,
        summary.late,
        summary.logged,
        summary.late_mentors,
        summary.silent,
        summary.declared,
    ) == (
        len(rows),
        sum(row.sessions for row in rows),
        sum(row.quarters for row in rows),
        sum(row.late for row in rows),
        sum(row.sessions > 0 for row in rows),
        sum(row.late > 0 for row in rows),
        sum(row.logged_nothing and not row.declared for row in rows),
        sum(row.declared for row in rows),
    )


def test_each_line_counts_closed_matches_and_leaves_out_the_unlisted(
    program_of_mentors, staff_client
):
    rows = {row.mentor.user.full_name: row for row in staff_client.get(URL).context["rows"]}
    assert "Kim" not in rows and "Lu" not in rows and "Mo" not in rows
    assert (rows["Ed"].sessions, rows["Ed"].hours) == (1, Decimal("0.50"))
    assert (rows["Flo"].sessions, rows["Flo"].met, rows["Flo"].absences) == (1, 0, 1)
    assert not rows["Flo"].logged_nothing


def test_the_site_filter_lists_mentors_with_a_running_match_there(
    program_of_mentors, staff_client, school_b
):
    response = staff_client.get(f"{URL}&site={school_b.pk}")
    names = [row.mentor.user.full_name for row in response.context["rows"]]
    # Flo's match at B closed on 5 October: it ran during the month.
    assert names == ["Abe", "Di", "Flo", "Gus", "Hal", "Ivy", "Jo"]
    summary = response.context["summary"]
    assert (summary.mentors, summary.sessions, summary.silent, summary.declared) == (7, 2, 5, 0)
    assert summary.mentors == len(export_rows(site=school_b.pk))


# --- Filters ------------------------------------------------------------------------------


def test_show_logged_nothing_lists_every_silent_mentor_and_no_one_else(
    program_of_mentors, staff_client, small_pages
):
    rows = rows_on_every_page(staff_client, f"{URL}&show=nothing")
    names = [row.mentor.user.full_name for row in rows]
    assert names == ["Abe", "Bea", "Gus", "Hal", "Ivy", "Jo"]
    assert all(row.logged_nothing and not row.declared for row in rows)
    assert "Cy" not in names  # declared "No session this month"


def test_show_late_entries_lists_the_mentors_with_a_late_entry(program_of_mentors, staff_client):
    response = staff_client.get(f"{URL}&show=late")
    assert [row.mentor.user.full_name for row in response.context["rows"]] == ["Abe"]
    assert response.context["rows"][0].late == 1
    assert "<strong>Late entries (1)</strong>" in response.content.decode()


def test_an_unknown_filter_shows_everyone(program_of_mentors, staff_client):
    response = staff_client.get(f"{URL}&show=<script>")
    assert response.status_code == 200
    assert response.context["show"] == ""
    assert len(response.context["rows"]) == 11


# --- Declared months and the silent mentors' addresses --------------------------------


def test_declared_mentors_are_shown_apart_and_not_logged_nothing(program_of_mentors, staff_client):
    response = staff_client.get(URL)
    rows = {row.mentor.user.full_name: row for row in response.context["rows"]}
    assert rows["Cy"].declared and rows["Cy"].declared_reason == "School break or holiday"
    # Di declared, then logged a session: the log is the truth.
    assert not rows["Di"].declared and rows["Di"].sessions == 1
    text = response.content.decode()
    assert "Declared no session</span> School break or holiday" in text
    assert "Logged nothing in October 2025: 6" in text


def test_the_addresses_are_every_silent_mentor_of_the_month_not_one_page(
    program_of_mentors, staff_client, small_pages
):
    response = staff_client.get(f"{URL}&emails=1")
    emails = response.context["silent_emails"].split(", ")
    silent = [row for row in export_rows() if row.logged_nothing and not row.declared]
    assert emails == [row.mentor.user.email for row in silent]
    assert len(emails) == 6 and len(response.context["rows"]) == 3
    text = response.content.decode()
    assert '<textarea id="silent-emails"' in text
    assert "mailto:?bcc=" + "%2C%20".join(e.replace("@", "%40") for e in emails) in text


def test_the_addresses_are_read_only_when_asked_for(program_of_mentors, staff_client):
    with CaptureQueriesContext(connection) as plain:
        response = staff_client.get(URL)
    text = response.content.decode()
    assert "silent-emails" not in text and "mailto:" not in text
    assert "Show their email addresses" in text
    with CaptureQueriesContext(connection) as asked:
        staff_client.get(f"{URL}&emails=1")
    assert len(asked) == len(plain) + 1


def test_a_month_where_everyone_answered_offers_no_addresses(staff_client, school_a):
    add_mentor(school_a, name="Only", sessions=((3, 4, False),))
    response = staff_client.get(f"{URL}&emails=1")
    text = response.content.decode()
    assert "Every mentor logged something or declared no session." in text
    assert "mailto:" not in text


# --- The export -----------------------------------------------------------------------


def test_the_export_has_every_mentor_with_the_pages_figures(
    program_of_mentors, staff_client, small_pages
):
    response = staff_client.get("/staff/export/?report=compliance&file_format=csv&month=2025-10")
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, body = table[0], table[1:]
    assert header == [
        "Month",
        "Mentor",
        "Mentor email",
        "Sessions",
        "Met",
        "Absent or cancelled",
        "Hours",
        "Late entries",
        "Logged nothing",
        "Declared no session",
    ]
    on_pages = rows_on_every_page(staff_client, URL)
    assert [line[2] for line in body] == [row.mentor.user.email for row in on_pages]
    abe = body[0]
    assert abe[3:] == ["2", "2", "0", "1.5", "1", "No", "No"]
    cy = next(line for line in body if line[1] == "Cy")
    assert cy[8:] == ["No", "Yes"]


# --- Queries ------------------------------------------------------------------------------

QUERY_URLS = [
    URL,
    f"{URL}&page=2",
    f"{URL}&show=nothing",
    f"{URL}&show=late",
    f"{URL}&emails=1",
    f"{URL}&page=abc",
    "/staff/export/?report=compliance&file_format=csv&month=2025-10",
]


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured)


@pytest.mark.parametrize("url", QUERY_URLS)
def test_queries_are_the_same_for_3_mentors_and_for_30(
    staff_client, school_a, school_b, small_pages, url
):
    grow(3, [school_a, school_b])
    staff_client.get(url)  # warm up: the settings row and caches
    small = queries_for(staff_client, url)
    grow(27, [school_a, school_b])
    large = queries_for(staff_client, url)
    assert large == small, f"{url}: {small} queries with 3 mentors, {large} with 30"


def test_queries_for_one_school_are_the_same_for_3_mentors_and_for_30(
    staff_client, school_a, school_b, small_pages
):
    url = f"{URL}&site={school_a.pk}&emails=1"
    grow(3, [school_a, school_b])
    staff_client.get(url)
    small = queries_for(staff_client, url)
    grow(27, [school_a, school_b])
    assert queries_for(staff_client, url) == small


# --- Who may see it -----------------------------------------------------------------------


def test_mentors_site_contacts_and_strangers_are_refused(
    client, program_of_mentors, mentor_a, site_contact_a
):
    for outsider in (mentor_a, site_contact_a):
        client.force_login(outsider)
        for url in (URL, f"{URL}&emails=1", f"{URL}&show=nothing&page=2"):
            assert client.get(url).status_code in (403, 404), (outsider, url)
    client.logout()
    response = client.get(f"{URL}&emails=1")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert not re.search(r"m\d{3}@example\.org", response.content.decode())
