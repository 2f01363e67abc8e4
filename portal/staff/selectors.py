"""Reads for the staff workspace. Every report aggregates in the database: one query per
table it shows, whatever the number of mentors.

The month figures and the hours report add up the monthly counters (``SiteMonth``: a few
hundred rows a month, kept with every session change by portal/mentoring/month_summaries.py)
instead of reading the sessions; ``raw=True`` counts the sessions themselves, as the tests
and the benchmark compare."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DateTimeField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from portal.mentoring import rules
from portal.mentoring.models import (
    Choice,
    Match,
    MatchStatus,
    ProgramSettings,
    SchoolSite,
    SessionLog,
    SiteMonth,
)
from portal.mentoring.month_summaries import month_number
from portal.mentoring.rules import Month
from portal.staff import compliance

# --- Months -------------------------------------------------------------------------------


def current_month(program: ProgramSettings, now: dt.datetime | None = None) -> Month:
    return Month.of(now or timezone.now(), program.tz)


def due_month(program: ProgramSettings, now: dt.datetime | None = None) -> Month:
    """The month whose deadline is still open: last month from the 1st until its deadline."""
    return rules.due_month(now or timezone.now(), program.deadline_policy)


@dataclass(frozen=True)
class MonthShown:
    """The month a staff page shows, its deadline, and the other month that matters now."""

    month: Month
    deadline: rules.Deadline
    days_left: int  # below zero once the deadline has passed
    due: Month  # the month whose deadline is still open
    current: Month  # the calendar month

    @property
    def switch_to(self) -> Month | None:
        """The one-click switch: back to the due month from any other month; from the due
        month to the calendar month while they differ (from the 1st until the deadline)."""
        if self.month != self.due:
            return self.due
        if self.current != self.due:
            return self.current
        return None


def month_shown(
    value: str | None, *, program: ProgramSettings, now: dt.datetime | None = None
) -> MonthShown:
    """The month asked for in the address, or else the month that is due now."""
    now = now or timezone.now()
    due = due_month(program, now)
    month = Month.parse_or_none(value) or due
    deadline = month.deadline(program.deadline_policy)
    return MonthShown(
        month=month,
        deadline=deadline,
        days_left=deadline.days_left(now),
        due=due,
        current=current_month(program, now),
    )


def hours(quarters: int | None) -> Decimal:
    return rules.quarters_to_hours(quarters or 0)


# --- Sessions -----------------------------------------------------------------------------


def staff_sessions():
    """Every live entry with what the lists and exports show, in one query."""
    return SessionLog.objects.live().select_related(
        "match__mentee",
        "match__site",
        "match__mentor__user",
        "type_of_mentoring",
        "interaction",
        "entered_by",
        "reviewed_by",
    )


@dataclass
class SessionFilters:
    month: Month | None = None
    site: int | None = None
    mentor: str = ""  # part of a mentor's name or email
    attendance: str = ""
    late: bool = False
    flagged: bool = False
    reviewed: str = ""  # "", "yes" or "no"
    # From one day to another, both included, in the program's time zone (with the month,
    # the days of both).
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def day_start(day: dt.date, tz) -> dt.datetime:
    """The first moment of a day in the program's time zone."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz)


def filter_sessions(queryset, filters: SessionFilters, *, program: ProgramSettings):
    if filters.month:
        start, end = filters.month.bounds(program.tz)
        queryset = queryset.filter(starts_at__gte=start, starts_at__lt=end)
    if filters.date_from:
        queryset = queryset.filter(starts_at__gte=day_start(filters.date_from, program.tz))
    if filters.date_to:
        next_day = filters.date_to + dt.timedelta(days=1)
        queryset = queryset.filter(starts_at__lt=day_start(next_day, program.tz))
    if filters.site:
        queryset = queryset.filter(match__site_id=filters.site)
    if filters.mentor:
        queryset = queryset.filter(
            Q(match__mentor__user__full_name__icontains=filters.mentor)
            | Q(match__mentor__user__email__icontains=filters.mentor)
        )
    if filters.attendance:
        queryset = queryset.filter(attendance=filters.attendance)
    if filters.late:
        queryset = queryset.filter(is_late=True)
    if filters.flagged:
        # A safety concern, or any resource need raised from the entry.
        queryset = queryset.filter(Q(safety_concern=True) | Q(needs__isnull=False)).distinct()
    if filters.reviewed == "yes":
        queryset = queryset.filter(reviewed_at__isnull=False)
    elif filters.reviewed == "no":
        queryset = queryset.filter(reviewed_at__isnull=True)
    return queryset


# --- Dashboard ----------------------------------------------------------------------------


def _month_number(month: Month) -> int:
    return month_number(month.year, month.month)


def month_figures(month: Month, *, program: ProgramSettings, raw: bool = False) -> dict:
    """Sessions, hours and late entries of a month: one query, on the month's counters."""
    if not raw:
        # Named apart from the counter columns they add up (Django refuses both).
        totals = SiteMonth.objects.filter(month=_month_number(month)).aggregate(
            n_sessions=Coalesce(Sum("sessions"), 0),
            n_quarters=Coalesce(Sum("quarters"), 0),
            n_late=Coalesce(Sum("late"), 0),
            n_unreviewed=Coalesce(Sum("unreviewed"), 0),
        )
        figures = {name.removeprefix("n_"): int(value) for name, value in totals.items()}
        figures["hours"] = hours(figures["quarters"])
        return figures
    start, end = month.bounds(program.tz)
    # COUNT(*) and COUNT(starts_at), not COUNT(id): the covering index of live entries by
    # time holds every column read here, so PostgreSQL answers from the index alone.
    figures = (
        SessionLog.objects.live()
        .filter(starts_at__gte=start, starts_at__lt=end)
        .aggregate(
            sessions=Count("*"),
            quarters=Coalesce(Sum("quarter_hours"), 0),
            late=Count("starts_at", filter=Q(is_late=True)),
            unreviewed=Count("starts_at", filter=Q(reviewed_at__isnull=True)),
        )
    )
    figures["hours"] = hours(figures["quarters"])
    return figures


# --- Hours --------------------------------------------------------------------------------


@dataclass
class HoursFilters:
    start: Month
    end: Month  # inclusive
    site: int | None = None
    type_of_mentoring: int | None = None
    interaction: int | None = None


def hours_sessions(filters: HoursFilters, *, program: ProgramSettings):
    start, _ = filters.start.bounds(program.tz)
    _, end = filters.end.bounds(program.tz)
    sessions = SessionLog.objects.live().filter(starts_at__gte=start, starts_at__lt=end)
    if filters.site:
        sessions = sessions.filter(match__site_id=filters.site)
    if filters.type_of_mentoring:
        sessions = sessions.filter(type_of_mentoring_id=filters.type_of_mentoring)
    if filters.interaction:
        sessions = sessions.filter(interaction_id=filters.interaction)
    return sessions


GROUPINGS = {
    "by_site": "match__site__name",
    "by_type": "type_of_mentoring__label",
    "by_interaction": "interaction__label",
}
# What the one query groups by: numbers, so the database groups narrow rows in memory.
GROUP_IDS = {
    "match__site__name": "match__site_id",
    "type_of_mentoring__label": "type_of_mentoring_id",
    "interaction__label": "interaction_id",
}


def _rollup(rows: list[dict], field: str) -> list[dict]:
    """Totals of the grouped rows by one of their fields, sorted by it."""
    totals: dict = {}
    for row in rows:
        entry = totals.setdefault(
            row[field], {field: row[field], "sessions": 0, "met": 0, "quarters": 0}
        )
        entry["sessions"] += row["sessions"]
        entry["met"] += row["met"]
        entry["quarters"] += row["quarters"]
    result = [totals[key] for key in sorted(totals, key=lambda value: str(value or "").casefold())]
    for entry in result:
        entry["hours"] = hours(entry["quarters"])
    return result


def _counted_rows(filters: HoursFilters) -> list[dict]:
    """The counter rows of the months asked for (the unique index's month range), as the
    raw query's groups: month, site, type, interaction, sessions, met, quarters."""
    counters = SiteMonth.objects.filter(
        month__gte=_month_number(filters.start), month__lte=_month_number(filters.end)
    ).filter(sessions__gt=0)
    if filters.site:
        counters = counters.filter(site_id=filters.site)
    if filters.type_of_mentoring:
        counters = counters.filter(type_of_mentoring_id=filters.type_of_mentoring)
    if filters.interaction:
        counters = counters.filter(interaction_id=filters.interaction)
    rows = counters.values(
        "month", "site_id", "type_of_mentoring_id", "interaction_id", "sessions", "met", "quarters"
    )
    return [
        {
            "month": Month(*divmod(row["month"], 100)),
            "match__site_id": row["site_id"],
            "type_of_mentoring_id": row["type_of_mentoring_id"],
            "interaction_id": row["interaction_id"],
            "sessions": row["sessions"],
            "met": row["met"],
            "quarters": row["quarters"],
        }
        for row in rows
    ]


def _scanned_rows(filters: HoursFilters, *, program: ProgramSettings) -> list[dict]:
    """The same groups counted from the sessions themselves (the raw computation)."""
    sessions = hours_sessions(filters, program=program)
    one_month = filters.start == filters.end
    if one_month:
        # Every row is in that month: no need to work out each session's month.
        sessions = sessions.annotate(month=Value(None, output_field=DateTimeField()))
    else:
        sessions = sessions.annotate(month=TruncMonth("starts_at", tzinfo=program.tz))
    rows = list(
        sessions.values("month", *GROUP_IDS.values())
        .annotate(
            sessions=Count("*"),
            met=Count("starts_at", filter=Q(attendance="met")),
            quarters=Coalesce(Sum("quarter_hours"), 0),
        )
        .order_by()
    )
    for row in rows:
        row["month"] = filters.start if one_month else row["month"]
    return rows


def hours_report(filters: HoursFilters, *, program: ProgramSettings, raw: bool = False) -> dict:
    """Hours by month, school site, type of mentoring and interaction, with totals.

    Three queries, whatever the size of the program: the month's counters are read once
    (grouped by month, site, type and interaction: a few hundred rows a month), and every
    table of the page is a sum of those rows; the names of the sites and choices come from
    their own (small) tables. ``raw`` counts the sessions instead, with the same result.
    """
    rows = _scanned_rows(filters, program=program) if raw else _counted_rows(filters)
    site_names = dict(SchoolSite.objects.values_list("pk", "name"))
    choice_labels = dict(Choice.objects.values_list("pk", "label"))
    names = {
        "match__site_id": site_names,
        "type_of_mentoring_id": choice_labels,
        "interaction_id": choice_labels,
    }
    for row in rows:
        for field, id_field in GROUP_IDS.items():
            row[field] = names[id_field].get(row[id_field])
    found: dict[tuple[int, int], dict] = {}
    for row in rows:
        key = (row["month"].year, row["month"].month)
        entry = found.setdefault(key, {"sessions": 0, "met": 0, "quarters": 0})
        for name in ("sessions", "met", "quarters"):
            entry[name] += row[name]
    by_month = []
    month = filters.start
    while month <= filters.end:
        row = found.get((month.year, month.month), {})
        quarters = row.get("quarters", 0)
        by_month.append(
            {
                "month": month,
                "sessions": row.get("sessions", 0),
                "met": row.get("met", 0),
                "quarters": quarters,
                "hours": hours(quarters),
            }
        )
        month = month.next()
    total = {name: sum(row[name] for row in rows) for name in ("sessions", "met", "quarters")}
    total["hours"] = hours(total["quarters"])
    report = {key: _rollup(rows, field) for key, field in GROUPINGS.items()}
    return {"by_month": by_month, **report, "total": total}


def chart(by_month: list[dict], *, width: int = 640, height: int = 260) -> dict:
    """Bars of hours per month, as coordinates for a server-rendered SVG.

    Each bar carries its number above it, so the chart reads without colour.
    """
    top = max((row["quarters"] for row in by_month), default=0) or 4
    left, bottom, label_room = 8, 48, 22
    plot_height = height - bottom - label_room
    slot = (width - left * 2) / max(len(by_month), 1)
    bar_width = max(min(slot * 0.6, 60), 4)
    bars = []
    for index, row in enumerate(by_month):
        bar_height = round(plot_height * row["quarters"] / top, 1)
        x = round(left + index * slot + (slot - bar_width) / 2, 1)
        y = round(label_room + plot_height - bar_height, 1)
        bars.append(
            {
                "x": x,
                "y": y,
                "width": round(bar_width, 1),
                "height": bar_height,
                "cx": round(x + bar_width / 2, 1),
                "value_y": round(y - 6, 1),
                "hours": row["hours"],
                "label": row["month"].short_label,
                "month_label": row["month"].label,
            }
        )
    return {
        "width": width,
        "height": height,
        "baseline": label_room + plot_height,
        "label_y": label_room + plot_height + 20,
        "year_y": label_room + plot_height + 38,
        "bars": bars,
        "rotate": len(by_month) > 8,
    }


def dashboard_figures(shown: MonthShown, *, program: ProgramSettings, raw: bool = False) -> dict:
    """The month cards of the dashboard, for the month it shows."""
    month = shown.month
    return {
        "shown": shown,
        "month": month,
        "figures": month_figures(month, program=program, raw=raw),
        "deadline": shown.deadline,
        "days_left": shown.days_left,
        # The compliance page's "logged nothing" (a "No session this month" answer is
        # not silence), which the card links to.
        "nothing_logged": compliance.silent_mentors(
            compliance.Scope.of(month, program=program, raw=raw)
        ).count(),
        "active_matches": Match.objects.filter(status=MatchStatus.ACTIVE).count(),
    }
