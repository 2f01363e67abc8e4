"""The staff's report tables (compliance, hours) and a mentor's "Download my hours"."""

from portal.downloads.tables import Table


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

    def table_rows():
        for row in rows:
            yield [
                month_label,
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

    return Table(name="Compliance", headers=headers, rows=table_rows())


def hours_table(report: dict) -> Table:
    headers = ["Grouping", "Value", "Sessions", "Met", "Hours"]

    def table_rows():
        for row in report["by_month"]:
            yield ["Month", row["month"].key, row["sessions"], row["met"], float(row["hours"])]
        for key, title in (
            ("by_site", "School site"),
            ("by_type", "Type of mentoring"),
            ("by_interaction", "Interaction"),
        ):
            field = {
                "by_site": "match__site__name",
                "by_type": "type_of_mentoring__label",
                "by_interaction": "interaction__label",
            }[key]
            for row in report[key]:
                yield [title, row[field], row["sessions"], row["met"], float(row["hours"])]
        total = report["total"]
        yield ["Total", "", total["sessions"], total["met"], float(total["hours"])]

    return Table(name="Hours", headers=headers, rows=table_rows())


def training_table(trainings) -> Table:
    """Training mentors logged (SPEC 8), apart from sessions: no child is in it."""
    headers = ["Day", "Mentor", "Mentor email", "Topic", "Hours", "Completes requirement"]

    def table_rows():
        for training in trainings:
            yield [
                training.on_date.isoformat(),
                training.mentor.user.full_name,
                training.mentor.user.email,
                training.topic,
                float(training.hours),
                training.item.name if training.item else "",
            ]

    return Table(name="Training hours", headers=headers, rows=table_rows())
