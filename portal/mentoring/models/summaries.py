"""Monthly counters of the live session logs, so the staff reports never read a month's
sessions one by one (portal/mentoring/month_summaries.py keeps them).

A month is a number, YYYYMM (202605 for May 2026), computed in the program's time zone.
Each row is what the reports add up; the counters are plain integers (not "positive"): a
session is saved even if a damaged row would go below zero, and the rebuild command
(`manage.py rebuild_month_summaries`) puts everything right. Rows that reach zero stay
until the next rebuild; readers skip them.
"""

from django.db import models

from portal.mentoring.models.people import Mentor, SchoolSite
from portal.mentoring.models.program import Choice


class MonthCounters(models.Model):
    """What every summary row counts: live entries, met ones, quarter hours, late ones and
    those not yet reviewed."""

    month = models.PositiveIntegerField(help_text="YYYYMM in the program's time zone.")
    sessions = models.IntegerField(default=0)
    met = models.IntegerField(default=0)
    quarters = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    unreviewed = models.IntegerField(default=0)

    COUNTERS = ("sessions", "met", "quarters", "late", "unreviewed")
    # Numbers only: nothing about a child, nothing to blank or leave out.
    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ()

    class Meta:
        abstract = True


class MentorMonth(MonthCounters):
    """One mentor's month, over all their matches: the compliance report's lines."""

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="+", db_index=False)

    KEYS = ("month", "mentor_id")

    class Meta:
        constraints = [
            # Also the index every compliance read uses: the month, then the mentor.
            models.UniqueConstraint(fields=["month", "mentor"], name="mentor_month_one_row"),
        ]

    def __str__(self) -> str:
        return f"{self.month} mentor {self.mentor_id}"


class SiteMonth(MonthCounters):
    """A school site's month by type of mentoring and interaction: the hours report and
    the dashboard's month cards (a few hundred rows a month at most)."""

    site = models.ForeignKey(SchoolSite, on_delete=models.CASCADE, related_name="+", db_index=False)
    type_of_mentoring = models.ForeignKey(
        Choice, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    interaction = models.ForeignKey(
        Choice, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    KEYS = ("month", "site_id", "type_of_mentoring_id", "interaction_id")

    class Meta:
        constraints = [
            # Also the index of the month ranges the hours report asks for.
            models.UniqueConstraint(
                fields=["month", "site", "type_of_mentoring", "interaction"],
                name="site_month_one_row",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} site {self.site_id}"
