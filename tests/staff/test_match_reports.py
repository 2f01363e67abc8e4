"""The match reports (portal/staff/match_reports.py) against figures worked out by hand, their
page and downloads, what a wrong address gets, who may see them, and their query counts at
50 and 500 matches."""

import csv
import datetime as dt
import io
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from portal.accounts.models import Role, User
from portal.audit.models import AuditEvent
from portal.checkins.models import CheckIn
from portal.mentoring.models import (
    Choice,
    ChoiceList,
    Match,
    MatchStatus,
    Mentee,
    Mentor,
    MentorStatus,
)
from portal.mentoring.rules import Month
from portal.staff import match_reports
from portal.staff.match_reports import Period, ReportFilters
from tests.conftest import chicago, frozen_at, make_match, make_user, signed_in

TODAY = dt.date(2026, 6, 15)
NOW = chicago(2026, 6, 15, 10, 0)
URL = "/staff/reports/matches/"
REPORTS = ("match_length", "checkin_compliance", "closure_reasons", "match_strength")
D = dt.date


def reason(label: str) -> Choice:
    return Choice.objects.get(list=ChoiceList.CLOSURE_REASON, label=label)


def checkin(match, by, day, kind="mentor", strength=None) -> CheckIn:
    return CheckIn.objects.create(
        match=match,
        recorded_by=by,
        recorded_at=timezone.now(),
        with_whom=kind,
        how="call",
        on_date=day,
        strength=strength,
    )


@pytest.fixture
def maria(db) -> User:
    return make_user("maria@example.org", Role.STAFF, "Maria Lopez")


@pytest.fixture
def program_year(program, school_a, school_b, staff_user, maria):
    """Nine matches on 15 June 2026, figured by hand. Robin is staff_user.

    Closed (coordinator, school, start -> end, reason, who asked):
      A Robin, Lincoln, 31 Jan 2025 -> 30 Jul 2025: 5 months 30 days = 5 + 30/31, not 6;
        Family request, the family.
      B Robin, Lincoln, 31 Jan 2025 -> 31 Jul 2025: 6 months; Mentee changed school, school.
      C Maria, Roosevelt, 1 Mar 2025 -> 1 Mar 2026: 12 months; Family request, the mentor.
      D nobody, Roosevelt, 10 Jun 2025 -> 10 Sep 2025: 3 months; nothing recorded.
      H Robin, Roosevelt, started 1 May 2024, closed without an end date (an old record).
    Active (length to today):
      E Robin, Lincoln, 15 Dec 2025: 6 months. Mentor check-in 1 Jun 2026 (due 1 Jul),
        guardian 10 Feb 2026 (due 10 May: overdue).
      F Maria, Roosevelt, 15 Mar 2026: 3 months. Mentor 14 May 2026 (due 14 Jun: overdue);
        no guardian check-in, due 15 Jun: today, not overdue.
      G nobody, Lincoln, 1 May 2026: 1 month 14 days = 1 + 14/30. No mentor check-in since
        the start (due 1 Jun: overdue).
      I Robin, Roosevelt, 20 Apr 2026: 1 month 26 days = 1 + 26/31. Mentor 10 Jun 2026 (up
        to date); guardian due 20 Jul.
    Strengths: A 1 Jul 2025: 2; C 30 Jun 2025: 1 (before the twelve months), 20 Nov 2025: 3;
      F 14 May 2026: 2; E 1 Jun 2026: 4; I 10 Jun 2026: 5.
    """
    robin = staff_user

    def match(key, site, start, coordinator, end=None, closed=False, why="", who=""):
        found = make_match(f"mentor-{key}@example.org", site, f"Kid{key}", start)
        Match.objects.filter(pk=found.pk).update(
            coordinator=coordinator,
            end_date=end,
            status=MatchStatus.CLOSED if closed else MatchStatus.ACTIVE,
            closure_choice=reason(why) if why else None,
            closed_by_whom=who,
        )
        found.refresh_from_db()
        return found

    m = {
        "A": match("a", school_a, D(2025, 1, 31), robin, D(2025, 7, 30), True, "Family request",
                   "family"),
        "B": match("b", school_a, D(2025, 1, 31), robin, D(2025, 7, 31), True,
                   "Mentee changed school", "school"),
        "C": match("c", school_b, D(2025, 3, 1), maria, D(2026, 3, 1), True, "Family request",
                   "mentor"),
        "D": match("d", school_b, D(2025, 6, 10), None, D(2025, 9, 10), True),
        "H": match("h", school_b, D(2024, 5, 1), robin, None, True),
        "E": match("e", school_a, D(2025, 12, 15), robin),
        "F": match("f", school_b, D(2026, 3, 15), maria),
        "G": match("g", school_a, D(2026, 5, 1), None),
        "I": match("i", school_b, D(2026, 4, 20), robin),
    }  # fmt: skip
    checkin(m["A"], robin, D(2025, 7, 1), strength=2)
    checkin(m["C"], maria, D(2025, 6, 30), strength=1)
    checkin(m["C"], maria, D(2025, 11, 20), strength=3)
    checkin(m["E"], robin, D(2026, 6, 1), strength=4)
    checkin(m["E"], robin, D(2026, 2, 10), kind="guardian")
    checkin(m["F"], maria, D(2026, 5, 14), strength=2)
    checkin(m["I"], robin, D(2026, 6, 10), strength=5)
    return m


def filters(start=None, end=None, strength_of="", today=TODAY) -> ReportFilters:
    return ReportFilters(period=Period(start, end), today=today, strength_of=strength_of)


# --- The figures, by hand ------------------------------------------------------------------


def test_match_length_over_all_time(program_year):
    report = match_reports.retention(filters())
    assert (report.started, report.active, report.closed, report.closed_undated) == (9, 4, 4, 1)
    # Closed A, B, C, D: (5 + 30/31) + 6 + 12 + 3 = 26.968 months / 4 = 6.74.
    assert report.average_closed == 6.7
    # With E 6, F 3, G 1 + 14/30, I 1 + 26/31: 39.273 / 8 = 4.91.
    assert report.average_all == 4.9
    assert report.milestones == [(6, 2, 50), (12, 1, 25)]  # B and C; C


def test_match_length_of_the_matches_started_in_a_period(program_year):
    report = match_reports.retention(filters(Month(2025, 1), Month(2025, 2)))
    assert (report.started, report.active, report.closed) == (2, 0, 2)  # A and B
    assert report.average_closed == 6.0  # (5.968 + 6) / 2 = 5.98
    assert report.average_all == 6.0
    assert report.milestones == [(6, 1, 50), (12, 0, 0)]


def test_a_period_without_matches_has_no_averages(program_year):
    report = match_reports.retention(filters(Month(2020, 1), Month(2020, 12)))
    assert (report.started, report.average_closed, report.average_all) == (0, None, None)
    assert report.milestones == [(6, 0, None), (12, 0, None)]


def rows_of(rows):
    return {
        row.label: (row.matches, row.up_to_date, row.percent_up_to_date, row.overdue,
                    row.overdue_by_kind)
        for row in rows
    }  # fmt: skip


def test_checkin_compliance_by_coordinator_and_school(program_year):
    report = match_reports.checkin_compliance(filters())
    assert [label for _, label, _ in report.kinds] == ["Mentor", "Parent or guardian"]
    # (active matches, up to date, percent, overdue, (mentor overdue, guardian overdue))
    assert rows_of(report.by_coordinator) == {
        "Maria Lopez": (1, 0, 0, 1, (1, 0)),  # F
        "Robin Ellis": (2, 1, 50, 1, (0, 1)),  # E late with the guardian, I up to date
        "Unassigned": (1, 0, 0, 1, (1, 0)),  # G
    }
    assert [row.label for row in report.by_coordinator][-1] == "Unassigned"
    assert rows_of(report.by_school) == {
        "Lincoln Elementary": (2, 0, 0, 2, (1, 1)),  # E, G
        "Roosevelt Middle": (2, 1, 50, 1, (1, 0)),  # F, I
    }
    assert rows_of([report.total]) == {"All active matches": (4, 1, 25, 3, (2, 1))}
    assert report.total.percent_overdue == 75


def test_the_unassigned_row_is_there_when_every_match_has_a_coordinator(program_year, maria):
    Match.objects.filter(coordinator__isnull=True).update(coordinator=maria)
    report = match_reports.checkin_compliance(filters())
    assert rows_of(report.by_coordinator)["Unassigned"] == (0, 0, None, 0, (0, 0))


def counts(rows):
    return {row.label: (row.count, row.percent) for row in rows}


def test_closure_reasons_over_all_time(program_year):
    report = match_reports.closures(filters())
    assert report.total == 5  # A, B, C, D and H
    assert counts(report.by_reason) == {
        "Mentor moved or schedule changed": (0, 0),
        "Mentee changed school": (1, 20),
        "Family request": (2, 40),
        "Program ended": (0, 0),
        "Mentor no longer available": (0, 0),
        "Other": (0, 0),
        "Not recorded": (2, 40),
    }
    assert counts(report.by_initiator) == {
        "The mentor": (1, 20),
        "The mentee or their family": (1, 20),
        "The school": (1, 20),
        "The program": (0, 0),
        "Not recorded": (2, 40),
    }


def test_closure_reasons_of_the_matches_that_ended_in_a_period(program_year):
    report = match_reports.closures(filters(Month(2025, 7), Month(2025, 12)))
    assert report.total == 3  # A, B and D; C ended in 2026, H has no end date
    assert {k: v for k, v in counts(report.by_reason).items() if v[0]} == {
        "Mentee changed school": (1, 33),
        "Family request": (1, 33),
        "Not recorded": (1, 33),
    }


def test_a_retired_reason_stays_in_the_list_while_matches_have_it(program_year):
    Choice.objects.filter(list=ChoiceList.CLOSURE_REASON, label="Family request").update(
        is_retired=True
    )
    Choice.objects.filter(list=ChoiceList.CLOSURE_REASON, label="Other").update(is_retired=True)
    labels = [row.label for row in match_reports.closures(filters()).by_reason]
    assert "Family request" in labels and "Other" not in labels


def strengths(report):
    return {row.month.key: (row.checkins, row.average) for row in report.months if row.checkins}


def test_match_strength_by_month_for_everyone(program_year):
    report = match_reports.strength_by_month(filters())
    assert [row.month.key for row in report.months] == [
        f"{y}-{m:02d}" for y, m in [(2025, 7), (2025, 8), (2025, 9), (2025, 10), (2025, 11),
                                    (2025, 12)] + [(2026, m) for m in range(1, 7)]
    ]  # fmt: skip
    assert strengths(report) == {
        "2025-07": (1, 2.0),  # A on 1 July; C's 30 June is before the twelve months
        "2025-11": (1, 3.0),
        "2026-05": (1, 2.0),
        "2026-06": (2, 4.5),
    }
    empty = [row for row in report.months if not row.checkins]
    assert len(empty) == 8 and all(row.average is None for row in empty)
    assert (report.checkins, report.average) == (5, 3.2)  # 16 / 5


def test_match_strength_for_one_coordinator_or_the_unassigned(program_year, staff_user, maria):
    robin = match_reports.strength_by_month(filters(strength_of=str(staff_user.pk)))
    assert strengths(robin) == {"2025-07": (1, 2.0), "2026-06": (2, 4.5)}
    assert (robin.checkins, robin.average) == (3, 3.7)  # 11 / 3
    theirs = match_reports.strength_by_month(filters(strength_of=str(maria.pk)))
    assert (theirs.checkins, theirs.average) == (2, 2.5)
    nobody = match_reports.strength_by_month(filters(strength_of=match_reports.UNASSIGNED))
    assert (nobody.checkins, nobody.average, strengths(nobody)) == (0, None, {})


def test_match_strength_ends_with_the_periods_last_month(program_year):
    report = match_reports.strength_by_month(filters(end=Month(2025, 12)))
    assert (report.months[0].month, report.months[-1].month) == (Month(2025, 1), Month(2025, 12))
    assert strengths(report) == {"2025-06": (1, 1.0), "2025-07": (1, 2.0), "2025-11": (1, 3.0)}


def test_rounding_is_half_up():
    assert match_reports.rounded(2.25, 1) == 2.3
    assert match_reports.rounded(0.5) == 1
    assert match_reports.percent(1, 8) == 13  # 12.5
    assert match_reports.percent(0, 0) is None


# --- The page and its downloads ------------------------------------------------------------


def page_text(client, url: str = URL) -> str:
    with frozen_at(NOW):
        response = client.get(url)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def download(client, report: str, file_format: str = "csv", query: str = ""):
    with frozen_at(NOW):
        response = client.get(f"/staff/export/?report={report}&file_format={file_format}{query}")
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content)
    if file_format == "csv":
        return list(csv.reader(io.StringIO(body.decode())))
    sheet = load_workbook(io.BytesIO(body)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_page_shows_the_figures(program_year, staff_client):
    text = page_text(staff_client)
    assert "Matches that started at any time: 9, of which 4 active and 4 closed." in text
    assert 'Average length of closed matches</th><td class="num">6.7 months' in text
    assert 'Average length of all matches (active ones to today)</th><td class="num">4.9' in text
    assert 'reached 6 months</th><td class="num">2 of 4 (50%)' in text
    assert 'reached 12 months</th><td class="num">1 of 4 (25%)' in text
    assert 'Closed without an end date (left out of the lengths)</th><td class="num">1' in text
    assert "The 4 active matches today" in text
    assert (
        '<th scope="row">Robin Ellis</th><td class="num">2</td><td class="num">1 (50%)</td>'
        '<td class="num">1 (50%)</td><td class="num">0</td><td class="num">1</td>'
    ) in text
    assert '<th scope="row">Unassigned</th><td class="num">1</td>' in text
    assert "Matches that closed at any time: 5." in text
    assert '<th scope="row">Family request</th><td class="num">2</td><td class="num">40%' in text
    assert '<th scope="row">June 2026</th><td class="num">4.5</td><td class="num">2</td>' in text
    assert '<th scope="row">August 2025</th><td class="num">No check-ins</td>' in text
    assert "July 2025 to June 2026, for all coordinators" in text


def test_the_page_is_in_the_staff_navigation(program_year, staff_client):
    assert f'<a href="{URL}" aria-current="page">Match reports</a>' in page_text(staff_client)
    assert f'<a href="{URL}">Match reports</a>' in page_text(staff_client, "/staff/")


def test_the_downloads_hold_the_pages_figures(program_year, staff_client):
    length = download(staff_client, "match_length")
    assert length[0] == ["Period (matches started)", "Measure", "Value", "Unit"]
    values = {row[1]: row[2] for row in length[1:]}
    assert values["Matches started"] == "9"
    assert values["Average length of closed matches"] == "6.7"
    assert values["Average length of all matches (active ones to today)"] == "4.9"
    assert values["Share of closed matches that reached 6 months"] == "50"
    assert values["Closed matches that reached 12 months"] == "1"
    assert {row[0] for row in length[1:]} == {"all time"}

    compliance = download(staff_client, "checkin_compliance")
    assert compliance[0][:7] == [
        "Grouping", "Name", "Active matches", "Check-ins up to date",
        "Check-ins up to date (percent)", "Overdue", "Overdue (percent)",
    ]  # fmt: skip
    assert ["Coordinator", "Robin Ellis", "2", "1", "50", "1", "50", "0", "1"] in compliance
    assert ["Coordinator", "Unassigned", "1", "0", "0", "1", "100", "1", "0"] in compliance
    assert ["School", "Lincoln Elementary", "2", "0", "0", "2", "100", "1", "1"] in compliance
    assert compliance[-1] == ["Total", "All active matches", "4", "1", "25", "3", "75", "2", "1"]

    closures = download(staff_client, "closure_reasons")
    assert ["all time", "Reason", "Family request", "2", "40"] in closures
    assert ["all time", "Who asked", "Not recorded", "2", "40"] in closures
    assert closures[-1] == ["all time", "Total", "", "5", "100"]

    strength = download(staff_client, "match_strength")
    assert strength[0] == ["Month", "Matches of", "Check-ins with a strength",
                           "Average strength (1-5)"]  # fmt: skip
    assert ["2026-06", "all coordinators", "2", "4.5"] in strength
    assert ["2025-08", "all coordinators", "0", ""] in strength  # no check-ins: no average
    assert strength[-1] == ["All twelve months", "all coordinators", "5", "3.2"]
    assert len(strength) == 14


def test_the_excel_files_hold_numbers_under_a_header_row(program_year, staff_client, staff_user):
    length = download(staff_client, "match_length", "xlsx")
    assert length[0] == ["Period (matches started)", "Measure", "Value", "Unit"]
    values = {row[1]: row[2] for row in length[1:]}
    assert values["Average length of closed matches"] == 6.7
    assert values["Matches started"] == 9 and isinstance(values["Matches started"], int)
    compliance = download(staff_client, "checkin_compliance", "xlsx")
    assert compliance[-1] == ["Total", "All active matches", 4, 1, 25, 3, 75, 2, 1]
    strength = download(staff_client, "match_strength", "xlsx", f"&coordinator={staff_user.pk}")
    # A month is a real date in Excel (shown 2026-06), text in the CSV.
    assert [dt.datetime(2026, 6, 1), "Robin Ellis", 2, 4.5] in strength
    assert strength[-1] == ["All twelve months", "Robin Ellis", 3, 3.7]


def test_the_downloads_follow_the_pages_period(program_year, staff_client):
    query = "&start=2025-07&end=2025-12"
    text = page_text(staff_client, f"{URL}?start=2025-07&end=2025-12")
    assert "Matches that closed between July 2025 and December 2025: 3." in text
    closures = download(staff_client, "closure_reasons", query=query)
    assert closures[-1] == ["July 2025 to December 2025", "Total", "", "3", "100"]
    # The page's download links carry the same period.
    assert "report=closure_reasons&amp;file_format=csv&amp;start=2025-07&amp;end=2025-12" in text


def test_each_download_is_recorded(program_year, staff_client):
    for report in REPORTS:
        download(staff_client, report)
    recorded = AuditEvent.objects.filter(action="export.deidentified")
    assert sorted(event.new_values["report"] for event in recorded) == sorted(REPORTS)


# --- What a wrong address gets ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-13", "From month: Choose a month as YYYY-MM"),
        ("end=June", "To month: Choose a month as YYYY-MM"),
        ("start=9999-01&end=0000-00", "From month: Choose a month as YYYY-MM"),
        ("start=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%95-01", "From month"),  # full-width digits
        ("coordinator=99999999999999999999", "Coordinator: choose one from the list"),
        ("coordinator=-1", "Coordinator: choose one from the list"),
        ("coordinator=" + "9" * 9, "Coordinator: choose one from the list"),
        ("start=" + "2" * 5000, "From month"),
    ],
)
def test_a_value_that_cannot_be_read_is_named_on_the_page(program_year, staff_client, query,
                                                         message):  # fmt: skip
    text = page_text(staff_client, f"{URL}?{query}")
    assert message in text
    assert "Matches that started at any time: 9" in text  # the rest of the page still works


def test_a_mentor_or_site_contact_is_not_a_coordinator_to_choose(
    program_year, staff_client, site_contact_a
):
    text = page_text(staff_client, f"{URL}?coordinator={site_contact_a.pk}")
    assert "Coordinator: choose one from the list" in text
    assert "for all coordinators" in text


def test_months_given_the_wrong_way_round_are_swapped(program_year, staff_client):
    text = page_text(staff_client, f"{URL}?start=2025-02&end=2025-01")
    assert "Matches that started between January 2025 and February 2025: 2" in text


def test_a_download_with_a_wrong_value_gets_the_export_page_with_the_problem(
    program_year, staff_client
):
    with frozen_at(NOW):
        response = staff_client.get(
            "/staff/export/?report=match_length&file_format=csv&start=2025-99"
        )
    assert response.status_code == 400
    assert "From month: Choose a month as YYYY-MM" in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="export.").exists()


# --- Who may see them ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mentor_a", "mentor_b", "site_contact_a", "site_contact_b"])
def test_mentors_and_site_contacts_get_neither_the_page_nor_a_download(request, who, program):
    outsider = signed_in(request.getfixturevalue(who))
    assert outsider.get(URL).status_code == 403
    for report in REPORTS:
        for file_format in ("csv", "xlsx"):
            response = outsider.get(f"/staff/export/?report={report}&file_format={file_format}")
            assert response.status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="export.").exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, program):
    for url in [URL, *(f"/staff/export/?report={report}" for report in REPORTS)]:
        response = client.get(url)
        assert response.status_code == 302 and "sign-in" in response["Location"]


def test_administrators_see_the_page(admin_client, program_year):
    assert "Match reports" in page_text(admin_client)


# --- Query counts --------------------------------------------------------------------------

_counter = itertools.count()


def grow(n: int, *, sites, coordinators, recorded_by) -> None:
    """n more matches in bulk: a third closed with a reason, each active one with check-ins."""
    first = next(_counter) * 1000
    users = User.objects.bulk_create(
        User(email=f"grown{first + i}@example.org", role=Role.MENTOR, full_name=f"Grown {i}")
        for i in range(n)
    )
    mentors = Mentor.objects.bulk_create(
        Mentor(user=user, status=MentorStatus.ACTIVE) for user in users
    )
    mentees = Mentee.objects.bulk_create(
        Mentee(first_name=f"Kid{i}", last_initial="K", site=sites[i % len(sites)], grade="4")
        for i in range(n)
    )
    why = list(Choice.objects.filter(list=ChoiceList.CLOSURE_REASON))
    matches = Match.objects.bulk_create(
        Match(
            mentor=mentor,
            mentee=mentee,
            site=mentee.site,
            start_date=D(2024, 1, 1) + dt.timedelta(days=i % 700),
            coordinator=coordinators[i % len(coordinators)],
            status=MatchStatus.CLOSED if i % 3 == 0 else MatchStatus.ACTIVE,
            end_date=D(2026, 3, 1) if i % 3 == 0 else None,
            closure_choice=why[i % len(why)] if i % 3 == 0 else None,
            closed_by_whom=("family", "mentor", "")[i % 3] if i % 3 == 0 else "",
        )
        for i, (mentor, mentee) in enumerate(zip(mentors, mentees, strict=True))
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            match=match,
            recorded_by=recorded_by,
            recorded_at=timezone.now(),
            with_whom=("mentor", "guardian")[i % 2],
            how="call",
            on_date=D(2026, 1, 1) + dt.timedelta(days=i % 160),
            strength=1 + i % 5 if i % 2 == 0 else None,
        )
        for i, match in enumerate(m for m in matches if m.status == MatchStatus.ACTIVE)
    )


def queries_for(client, url: str) -> int:
    with frozen_at(NOW), CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured)


def test_the_page_and_its_downloads_cost_the_same_at_50_and_500_matches(
    program, staff_client, staff_user, maria, school_a, school_b
):
    people = {"sites": [school_a, school_b], "coordinators": [staff_user, maria, None],
              "recorded_by": staff_user}  # fmt: skip
    urls = [
        URL,
        f"{URL}?start=2024-01&end=2026-06&coordinator={maria.pk}",
        f"{URL}?coordinator=none",
        *(f"/staff/export/?report={r}&file_format=csv&coordinator={maria.pk}" for r in REPORTS),
        *(f"/staff/export/?report={r}&file_format=xlsx" for r in REPORTS),
    ]
    grow(50, **people)
    for url in urls:
        queries_for(staff_client, url)  # warm up: the settings row and caches
    at_50 = {url: queries_for(staff_client, url) for url in urls}
    grow(450, **people)
    assert Match.objects.count() == 500
    at_500 = {url: queries_for(staff_client, url) for url in urls}
    assert at_500 == at_50
    assert at_50[URL] <= 20, at_50
