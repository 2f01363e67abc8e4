"""A mentor's own hours as a download ("Download my hours", RULES 5)."""

from portal.downloads.tables import HOURS_FORMAT, Table
from portal.mentoring import rules


def mentor_hours_table(totals) -> Table:
    """ "Download my hours" (RULES 5): a mentor's sessions and hours by month, oldest first,
    then the total. ``totals`` are the mentor's own MonthTotals (mentoring.selectors)."""
    months = sorted(totals, key=lambda total: total.month)

    def table_rows():
        for total in months:
            yield [total.label, total.sessions, total.hours]
        yield [
            "Total",
            sum(total.sessions for total in months),
            rules.quarters_to_hours(sum(total.quarter_hours for total in months)),
        ]

    return Table(
        name="My hours",
        headers=["Month", "Sessions", "Hours"],
        rows=table_rows(),
        formats={"Hours": HOURS_FORMAT},
    )
