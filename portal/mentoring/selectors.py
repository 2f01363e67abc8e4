"""Reads for the mentor's pages: totals and months, aggregated in the database."""

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from portal.accounts.models import User
from portal.mentoring import rules
from portal.mentoring.access import sessions_visible_to
from portal.mentoring.models import NoSessionMonth, ProgramSettings, SessionLog


@dataclass(frozen=True)
class MonthTotal:
    year: int
    month: int
    sessions: int
    quarter_hours: int

    @property
    def hours(self) -> Decimal:
        return rules.quarters_to_hours(self.quarter_hours)

    @property
    def label(self) -> str:
        return dt.date(self.year, self.month, 1).strftime("%B %Y")

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class MonthDue:
    """A month's count next to its deadline: "October: 3 sessions logged, due Monday 2
    November"."""

    total: MonthTotal
    deadline: rules.Deadline

    @property
    def name(self) -> str:
        return calendar.month_name[self.total.month]


def months_due(user: User, *, program: ProgramSettings, now: dt.datetime) -> list[MonthDue]:
    """The month that is due now (SPEC 4.7), then the calendar month when that is another
    one: from the 1st of a month until last month's deadline, both matter to a mentor.

    Both months are counted in one query (the home page is the mentor's busiest page)."""
    policy = program.deadline_policy
    due = rules.due_month(now, policy)
    current = rules.month_of(now, program.tz)
    months = [due] if due == current else [due, current]
    bounds = [rules.month_bounds(year, month, program.tz) for year, month in months]
    figures = {}
    for index, (start, end) in enumerate(bounds):
        in_month = Q(starts_at__gte=start, starts_at__lt=end)
        figures[f"sessions_{index}"] = Count("pk", filter=in_month)
        figures[f"quarters_{index}"] = Sum("quarter_hours", filter=in_month)
    counted = (
        sessions_visible_to(user)
        .filter(starts_at__gte=bounds[0][0], starts_at__lt=bounds[-1][1])
        .aggregate(**figures)
    )
    return [
        MonthDue(
            total=MonthTotal(
                year, month, counted[f"sessions_{index}"], counted[f"quarters_{index}"] or 0
            ),
            deadline=rules.deadline_for_month(year, month, policy),
        )
        for index, (year, month) in enumerate(months)
    ]


def sessions_in_month(user: User, *, year: int, month: int, program: ProgramSettings):
    start, end = rules.month_bounds(year, month, program.tz)
    return sessions_visible_to(user).filter(starts_at__gte=start, starts_at__lt=end)


def month_total(user: User, *, year: int, month: int, program: ProgramSettings) -> MonthTotal:
    figures = sessions_in_month(user, year=year, month=month, program=program).aggregate(
        sessions=Count("pk"), quarters=Sum("quarter_hours")
    )
    return MonthTotal(year, month, figures["sessions"], figures["quarters"] or 0)


def monthly_totals(user: User, *, program: ProgramSettings) -> list[MonthTotal]:
    """Sessions and hours for each month the user has entries in, newest first."""
    rows = (
        sessions_visible_to(user)
        .annotate(month=TruncMonth("starts_at", tzinfo=program.tz))
        .values("month")
        .annotate(sessions=Count("pk"), quarters=Sum("quarter_hours"))
        .order_by("-month")
    )
    return [
        MonthTotal(row["month"].year, row["month"].month, row["sessions"], row["quarters"] or 0)
        for row in rows
    ]


def months_declared_without_sessions(year: int, month: int):
    """Mentors' "no session this month" answers for one month (SPEC 4.15), for compliance.

    A NoSessionMonth queryset (mentor and user loaded), by mentor name. An answer is left
    out when the mentor has since logged a session in that month: the log is the truth.
    """
    program = ProgramSettings.load()
    start, end = rules.month_bounds(year, month, program.tz)
    logged = SessionLog.objects.live().filter(
        match__mentor=OuterRef("mentor"), starts_at__gte=start, starts_at__lt=end
    )
    return (
        NoSessionMonth.objects.filter(year=year, month=month)
        .exclude(Exists(logged))
        .select_related("mentor__user")
        .order_by("mentor__user__full_name", "pk")
    )


def recent_sessions(user: User, *, limit: int = 5) -> list[SessionLog]:
    """A mentor's latest live entries for the home page: with the child's name only (the
    rows show nothing else), so the database plans and runs a three-table join, not six.
    """
    return list(
        SessionLog.objects.live()
        .filter(match__mentor__user=user)
        .select_related("match__mentee")
        .order_by("-starts_at", "-pk")[:limit]
    )
