"""Reads for the mentor's pages: totals and months, aggregated in the database."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from portal.accounts.models import User
from portal.mentoring import rules
from portal.mentoring.access import sessions_visible_to
from portal.mentoring.models import MentorMonth, NoSessionMonth, ProgramSettings, SessionLog
from portal.mentoring.month_summaries import month_number
from portal.mentoring.rules import Month


@dataclass(frozen=True)
class MonthTotal:
    month: Month
    sessions: int
    quarter_hours: int

    @property
    def hours(self) -> Decimal:
        return rules.quarters_to_hours(self.quarter_hours)

    @property
    def label(self) -> str:
        return self.month.label

    @property
    def key(self) -> str:
        return self.month.key


@dataclass(frozen=True)
class MonthDue:
    """A month's count next to its deadline: "October: 3 sessions logged, due Monday 2
    November"."""

    total: MonthTotal
    deadline: rules.Deadline

    @property
    def name(self) -> str:
        return self.total.month.name


def months_due(user: User, *, program: ProgramSettings, now: dt.datetime) -> list[MonthDue]:
    """The month that is due now (RULES 4.7), then the calendar month when that is another
    one: from the 1st of a month until last month's deadline, both matter to a mentor.

    Both months are counted in one query (the home page is the mentor's busiest page)."""
    policy = program.deadline_policy
    due = rules.due_month(now, policy)
    current = Month.of(now, program.tz)
    months = [due] if due == current else [due, current]
    bounds = [month.bounds(program.tz) for month in months]
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
                month, counted[f"sessions_{index}"], counted[f"quarters_{index}"] or 0
            ),
            deadline=month.deadline(policy),
        )
        for index, month in enumerate(months)
    ]


def sessions_in_month(user: User, *, month: Month, program: ProgramSettings):
    start, end = month.bounds(program.tz)
    return sessions_visible_to(user).filter(starts_at__gte=start, starts_at__lt=end)


def month_total(user: User, *, month: Month, program: ProgramSettings) -> MonthTotal:
    figures = sessions_in_month(user, month=month, program=program).aggregate(
        sessions=Count("pk"), quarters=Sum("quarter_hours")
    )
    return MonthTotal(month, figures["sessions"], figures["quarters"] or 0)


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
        MonthTotal(
            Month(row["month"].year, row["month"].month), row["sessions"], row["quarters"] or 0
        )
        for row in rows
    ]


def months_declared_without_sessions(month: Month, *, raw: bool = False):
    """Mentors' "no session this month" answers for one month (RULES 4.15), for compliance.

    A NoSessionMonth queryset (mentor and user loaded), by mentor name. An answer is left
    out when the mentor has since logged a session in that month: the log is the truth
    (read in the monthly counters, or with ``raw`` in the sessions themselves).
    """
    if raw:
        program = ProgramSettings.load()
        start, end = month.bounds(program.tz)
        logged = SessionLog.objects.live().filter(
            match__mentor=OuterRef("mentor"), starts_at__gte=start, starts_at__lt=end
        )
    else:
        logged = MentorMonth.objects.filter(
            month=month_number(month.year, month.month), mentor=OuterRef("mentor"), sessions__gt=0
        )
    return (
        NoSessionMonth.objects.filter(year=month.year, month=month.month)
        .exclude(Exists(logged))
        .select_related("mentor__user")
        .order_by("mentor__user__full_name", "pk")
    )


def recent_sessions(user: User, *, limit: int = 5) -> list[SessionLog]:
    """A mentor's latest live entries for the home page: with the child's name only (the
    rows show nothing else), so the database plans and runs a three-table join, not six.
    Only the columns a row shows are read (templates/mentoring/session_row.html): not the
    notes, up to 5,000 characters each.
    """
    mentor = getattr(user, "mentor", None)  # read with the user: no join to find it
    if mentor is None:
        return []
    return list(
        SessionLog.objects.live()
        .filter(match__mentor=mentor)
        .select_related("match__mentee")
        .only(*RECENT_SESSION_FIELDS)
        .order_by("-starts_at", "-pk")[:limit]
    )


RECENT_SESSION_FIELDS = (
    "starts_at",
    "quarter_hours",
    "attendance",
    "is_late",
    "safety_concern",
    "match__mentee__first_name",
    "match__mentee__last_initial",
)
