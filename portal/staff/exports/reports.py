"""The staff's report tables (compliance, hours, the match reports) and a mentor's "Download
my hours"."""

import datetime as dt

from portal.downloads.tables import HOURS_FORMAT, MONTH_FORMAT, Table
from portal.mentoring import rules

HOURS = {"Hours": HOURS_FORMAT}


def month_day(month) -> dt.date:
    """A month in Excel: its first day, shown as 2025-10 (``MONTH_FORMAT``)."""
    return dt.date(month.year, month.month, 1)


def compliance_table(rows, *, month_label: str) -> Table:
    headers = [
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

    def table_rows(month_cell):
        for row in rows:
            yield [
                month_cell,
                row.mentor.user.full_name,
                row.mentor.user.email,
                row.sessions,
                row.met,
                row.absences,
                float(row.hours),
                row.late,
                "Yes" if row.logged_nothing and not row.declared else "No",
                "Yes" if row.declared else "No",
            ]

    month = rules.Month.parse_or_none(month_label)
    return Table(
        name="Compliance",
        headers=headers,
        rows=table_rows(month_label),
        # Generators: only the one the chosen format reads is run.
        excel_rows=table_rows(month_day(month) if month else month_label),
        formats={"Month": MONTH_FORMAT, **HOURS},
    )


# The hours report's groupings (portal/staff/selectors.py ``hours_report``): its key, the
# name of the grouping in the CSV and of its sheet in Excel, and the field of its rows.
HOURS_GROUPINGS = (
    ("by_site", "School site", "match__site__name"),
    ("by_type", "Type of mentoring", "type_of_mentoring__label"),
    ("by_interaction", "Interaction", "interaction__label"),
)


def hours_table(report: dict) -> Table:
    """One CSV of every grouping, one after the other, and the total; in Excel one sheet
    per grouping (the month a real date), each ending with the total."""
    headers = ["Grouping", "Value", "Sessions", "Met", "Hours"]
    total = report["total"]
    total_row = [total["sessions"], total["met"], float(total["hours"])]

    def table_rows():
        for row in report["by_month"]:
            yield ["Month", row["month"].key, row["sessions"], row["met"], float(row["hours"])]
        for key, title, field in HOURS_GROUPINGS:
            for row in report[key]:
                yield [title, row[field], row["sessions"], row["met"], float(row["hours"])]
        yield ["Total", "", *total_row]

    def grouping_rows(key: str, field: str):
        for row in report[key]:
            yield [row[field], row["sessions"], row["met"], float(row["hours"])]
        yield ["Total", *total_row]

    def month_rows():
        for row in report["by_month"]:
            yield [month_day(row["month"]), row["sessions"], row["met"], float(row["hours"])]
        yield ["Total", *total_row]

    sheets = [
        Table(
            name="By month",
            headers=["Month", "Sessions", "Met", "Hours"],
            rows=month_rows(),
            formats={"Month": MONTH_FORMAT, **HOURS},
        )
    ]
    for key, title, field in HOURS_GROUPINGS:
        sheets.append(
            Table(
                name=f"By {title[0].lower()}{title[1:]}",
                headers=[title, "Sessions", "Met", "Hours"],
                rows=grouping_rows(key, field),
                formats=HOURS,
            )
        )
    return Table(name="Hours", headers=headers, rows=table_rows(), formats=HOURS, sheets=sheets)


# --- The match reports (portal/staff/match_reports.py): the page's tables, row for row ---


def retention_table(report, *, period_label: str) -> Table:
    headers = ["Period (matches started)", "Measure", "Value", "Unit"]

    def table_rows():
        rows = [
            ("Matches started", report.started, "matches"),
            ("Still active", report.active, "matches"),
            ("Closed", report.closed, "matches"),
        ]
        if report.closed_undated:
            rows.append(("Closed without an end date (not in the lengths)",
                         report.closed_undated, "matches"))  # fmt: skip
        rows += [
            ("Average length of closed matches", report.average_closed, "months"),
            ("Average length of all matches (active ones to today)", report.average_all, "months"),
        ]
        for months, count, share in report.milestones:
            rows.append((f"Closed matches that reached {months} months", count, "matches"))
            rows.append((f"Share of closed matches that reached {months} months", share, "percent"))
        for measure, value, unit in rows:
            yield [period_label, measure, value, unit]

    return Table(name="Match length", headers=headers, rows=table_rows())


def checkin_compliance_table(report) -> Table:
    kinds = [label for _, label, _ in report.kinds]
    headers = [
        "Grouping",
        "Name",
        "Active matches",
        "Check-ins up to date",
        "Check-ins up to date (percent)",
        "Overdue",
        "Overdue (percent)",
        *[f"{label} check-in overdue" for label in kinds],
    ]

    def line(grouping, row):
        return [
            grouping,
            row.label,
            row.matches,
            row.up_to_date,
            row.percent_up_to_date,
            row.overdue,
            row.percent_overdue,
            *row.overdue_by_kind,
        ]

    def table_rows():
        for row in report.by_coordinator:
            yield line("Coordinator", row)
        for row in report.by_school:
            yield line("School", row)
        yield line("Total", report.total)

    return Table(name="Check-in compliance", headers=headers, rows=table_rows())


def closures_table(report, *, period_label: str) -> Table:
    headers = ["Period (matches ended)", "Grouping", "Value", "Matches", "Percent"]

    def table_rows():
        for grouping, rows in (("Reason", report.by_reason), ("Who asked", report.by_initiator)):
            for row in rows:
                yield [period_label, grouping, row.label, row.count, row.percent]
        yield [period_label, "Total", "", report.total, 100 if report.total else None]

    return Table(name="Closure reasons", headers=headers, rows=table_rows())


def strength_table(report, *, of_label: str) -> Table:
    headers = ["Month", "Matches of", "Check-ins with a strength", "Average strength (1-5)"]

    def table_rows(excel: bool):
        for row in report.months:
            month = month_day(row.month) if excel else row.month.key
            yield [month, of_label, row.checkins, row.average]
        yield ["All twelve months", of_label, report.checkins, report.average]

    return Table(
        name="Match strength",
        headers=headers,
        rows=table_rows(excel=False),
        excel_rows=table_rows(excel=True),
        formats={"Month": MONTH_FORMAT},
    )


def training_table(trainings) -> Table:
    """Training mentors logged (SPEC 8), apart from sessions: no child is in it."""
    headers = ["Day", "Mentor", "Mentor email", "Topic", "Hours", "Completes requirement"]

    def table_rows():
        for training in trainings:
            yield [
                training.on_date,  # a date: the CSV writes it as 2025-10-01
                training.mentor.user.full_name,
                training.mentor.user.email,
                training.topic,
                float(training.hours),
                training.item.name if training.item else "",
            ]

    return Table(name="Training hours", headers=headers, rows=table_rows(), formats=HOURS)
