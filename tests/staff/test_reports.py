"""Compliance and hours against figures worked out by hand (see the october fixture)."""

from decimal import Decimal

from portal.mentoring.models import ProgramSettings
from portal.mentoring.rules import Month
from portal.staff import compliance as compliance_report
from portal.staff import selectors
from portal.staff.selectors import HoursFilters

OCTOBER = Month(2025, 10)


def compliance(month=OCTOBER):
    program = ProgramSettings.load()
    rows = compliance_report.compliance_rows(month, program=program)
    return {row.mentor.user.email: row for row in rows}


def test_compliance_counts_each_active_mentors_month(october):
    rows = compliance()
    assert set(rows) == {"ann@example.org", "ben@example.org", "cal@example.org"}
    ann = rows["ann@example.org"]
    assert (ann.sessions, ann.met, ann.absences, ann.hours, ann.late) == (
        4,
        3,
        1,
        Decimal("3.00"),
        1,
    )
    ben = rows["ben@example.org"]
    assert (ben.sessions, ben.hours, ben.late) == (1, Decimal("0.75"), 0)


def test_a_mentor_who_logged_nothing_is_listed(october):
    rows = compliance()
    assert rows["cal@example.org"].logged_nothing
    assert not rows["ann@example.org"].logged_nothing
    assert not rows["ben@example.org"].logged_nothing


def test_a_match_closed_before_the_month_is_left_out(october):
    assert "dee@example.org" not in compliance()
    assert "dee@example.org" in compliance(Month(2025, 8))


def test_the_month_boundary_is_the_programs_not_utc(october):
    september = compliance(Month(2025, 9))
    assert september["ann@example.org"].hours == Decimal("2.00")
    november = compliance(Month(2025, 11))
    assert november["cal@example.org"].hours == Decimal("1.00")
    # Ann's 31 October 23:45 entry is November in UTC but October here.
    assert "ann@example.org" in november and november["ann@example.org"].sessions == 0


def test_the_compliance_page_shows_the_figures_and_the_emails(october, staff_client):
    response = staff_client.get("/staff/compliance/?month=2025-10&emails=1")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Logged nothing in October 2025: 1" in text
    assert "cal@example.org" in text
    summary = response.context["summary"]
    assert (summary.mentors, summary.sessions, summary.hours, summary.late) == (
        3,
        5,
        Decimal("3.75"),
        1,
    )
    assert (summary.silent, summary.declared) == (1, 0)
    assert response.context["silent_emails"] == "cal@example.org"


def test_hours_by_month_site_type_and_interaction(october):
    program = ProgramSettings.load()
    report = selectors.hours_report(
        HoursFilters(start=Month(2025, 9), end=Month(2025, 11)), program=program
    )
    assert [(r["month"].key, r["sessions"], r["hours"]) for r in report["by_month"]] == [
        ("2025-09", 2, Decimal("3.00")),
        ("2025-10", 5, Decimal("3.75")),
        ("2025-11", 1, Decimal("1.00")),
    ]
    assert {r["match__site__name"]: r["hours"] for r in report["by_site"]} == {
        "Lincoln Elementary": Decimal("7.00"),
        "Roosevelt Middle": Decimal("0.75"),
    }
    assert {r["interaction__label"]: r["hours"] for r in report["by_interaction"]} == {
        "In-Person": Decimal("7.00"),
        "Virtual": Decimal("0.75"),
    }
    assert {r["type_of_mentoring__label"]: r["hours"] for r in report["by_type"]} == {
        "Mentoring Hours": Decimal("6.75"),
        "Group Activity": Decimal("1.00"),
    }
    assert (report["total"]["sessions"], report["total"]["met"], report["total"]["hours"]) == (
        8,
        7,
        Decimal("7.75"),
    )


def test_hours_filtered_by_school(october, school_b):
    program = ProgramSettings.load()
    report = selectors.hours_report(
        HoursFilters(start=Month(2025, 9), end=Month(2025, 11), site=school_b.pk), program=program
    )
    assert report["total"]["hours"] == Decimal("0.75")


def test_the_hours_page_draws_a_labelled_chart_and_a_table(october, staff_client):
    response = staff_client.get("/staff/hours/?start=2025-09&end=2025-11")
    text = response.content.decode()
    assert response.status_code == 200
    assert '<svg viewBox="0 0 640 260" role="img"' in text
    assert "<title>October 2025: 3.75 hours</title>" in text
    assert ">3.75</text>" in text  # each bar carries its number: readable without colour
    assert '<th scope="row">October 2025</th>' in text


def test_the_dashboard_counts_the_due_months_sessions(staff_client, match_a):
    from django.utils import timezone

    from tests.staff.conftest import log_session

    now = timezone.now()
    program = ProgramSettings.load()
    # The month whose deadline is still open: last month, from the 1st until its deadline.
    start, end = selectors.due_month(program).bounds(program.tz)
    when = max(start, min(end, now) - timezone.timedelta(hours=3)).replace(second=0, microsecond=0)
    log_session(match_a, when, quarter_hours=6, entered_at=now)
    response = staff_client.get("/staff/")
    assert response.status_code == 200
    assert response.context["figures"]["sessions"] == 1
    assert response.context["figures"]["hours"] == Decimal("1.50")


def test_a_declared_month_without_sessions_is_shown_apart(october, staff_client):
    from portal.mentoring.models import NoSessionMonth

    cal = october["cal"].mentor
    NoSessionMonth.objects.create(
        mentor=cal, year=2025, month=10, reason="school_break", declared_by=cal.user
    )
    row = compliance()["cal@example.org"]
    assert row.declared and row.declared_reason == "School break or holiday"
    response = staff_client.get("/staff/compliance/?month=2025-10")
    assert (response.context["summary"].silent, response.context["summary"].declared) == (0, 1)
    assert "Declared no session</span> School break or holiday" in response.content.decode()
    rows = staff_client.get("/staff/export/?report=compliance&file_format=csv&month=2025-10")
    body = b"".join(rows.streaming_content).decode()
    assert "cal@example.org,0,0,0,0.0,0,No,Yes" in body


def test_the_dashboards_nothing_logged_leaves_out_a_declared_month(staff_client, match_a, school_a):
    """RULES 4.15: "we did not meet this month" is an answer, not silence. The dashboard's
    figure is the compliance page's "logged nothing", which its card links to."""
    from django.utils import timezone

    from portal.mentoring.models import NoSessionMonth
    from tests.conftest import make_match

    program = ProgramSettings.load()
    month = selectors.due_month(program)  # the month the dashboard opens on
    quiet = make_match("quiet@example.org", school_a, "Quinn", match_a.start_date).mentor
    assert staff_client.get("/staff/").context["nothing_logged"] == 2
    NoSessionMonth.objects.create(
        mentor=quiet,
        year=month.year,
        month=month.month,
        reason="school_break",
        declared_by=quiet.user,
        declared_at=timezone.now(),
    )
    dashboard = staff_client.get("/staff/").context["nothing_logged"]
    compliance_page = staff_client.get(f"/staff/compliance/?month={month.key}")
    assert dashboard == 1 == compliance_page.context["summary"].silent
