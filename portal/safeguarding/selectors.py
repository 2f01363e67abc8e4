"""Reads for staff: matches needing support and monthly counts of needs."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from portal.accounts.site_contacts import can_sign_in
from portal.mentoring import rules
from portal.mentoring.models import Attendance, Match, MatchStatus, ProgramSettings, SiteContact
from portal.safeguarding.models import ResourceNeed, SafetyConcern

ABSENCES = [Attendance.MENTEE_ABSENT, Attendance.MENTOR_ABSENT]
QUIET_DAYS = 30


@dataclass(frozen=True)
class MatchNeedingSupport:
    match: Match
    reasons: list[str]


def _needing_support(now: dt.datetime):
    """Active matches with two absences in a row, or nothing logged for 30 days (RULES 4.16).

    Reads each match's two latest entries as kept on the match itself
    (``portal.mentoring.activity``): a scan of the matches, whatever the number of sessions.
    """
    program = ProgramSettings.load()
    quiet_since = now - dt.timedelta(days=QUIET_DAYS)
    today = timezone.localtime(now, program.tz).date()
    return (
        Match.objects.filter(status=MatchStatus.ACTIVE)
        .annotate(last_at=F("last_session_at"))
        .filter(
            Q(last_session_at__lt=quiet_since)
            | Q(
                last_session_at__isnull=True,
                start_date__lte=today - dt.timedelta(days=QUIET_DAYS),
            )
            | Q(last_attendance__in=ABSENCES, previous_attendance__in=ABSENCES)
        )
    )


def matches_needing_support_count(*, now: dt.datetime | None = None) -> int:
    return _needing_support(now or timezone.now()).count()


def matches_needing_support(*, now: dt.datetime | None = None) -> list[MatchNeedingSupport]:
    """The matches of ``_needing_support`` with the reasons, quietest first. One query."""
    now = now or timezone.now()
    quiet_since = now - dt.timedelta(days=QUIET_DAYS)
    matches = (
        _needing_support(now)
        .select_related("mentor__user", "mentee", "site")
        .order_by("last_at", "pk")
    )
    found = []
    for match in matches:
        reasons = []
        if match.last_attendance in ABSENCES and match.previous_attendance in ABSENCES:
            reasons.append("Two absences in a row")
        if match.last_at is None:
            reasons.append(f"Nothing logged since the match started on {match.start_date:%d %b %Y}")
        elif match.last_at < quiet_since:
            days = (now - match.last_at).days
            reasons.append(f"Nothing logged for {days} days")
        found.append(MatchNeedingSupport(match=match, reasons=reasons))
    return found


def need_counts_by_month(*, months: int = 12, now: dt.datetime | None = None) -> list[dict]:
    """Needs raised per month and kind, newest month first, for reports."""
    now = now or timezone.now()
    program = ProgramSettings.load()
    first = rules.Month.of(now, program.tz)
    for _ in range(months - 1):
        first = first.previous()
    since, _ = first.bounds(program.tz)
    rows = (
        ResourceNeed.objects.filter(raised_at__gte=since)
        .annotate(month=TruncMonth("raised_at", tzinfo=program.tz))
        .values("month", "kind")
        .annotate(count=Count("pk"))
        .order_by("-month", "kind")
    )
    by_month: dict[dt.date, dict[str, int]] = {}
    for row in rows:
        by_month.setdefault(row["month"].date(), {})[row["kind"]] = row["count"]
    return [{"month": month, "counts": counts} for month, counts in by_month.items()]


def open_concerns_nobody_at_school_can_see():
    """Open concerns at schools none of whose contacts can sign in to read them, oldest
    first: staff must tell those schools another way, and invite their contacts."""
    reachable = SiteContact.objects.filter(can_sign_in("user__")).values("site_id")
    return (
        SafetyConcern.objects.open()
        .exclude(site_id__in=reachable)
        .select_related("site")
        .order_by("raised_at", "pk")
    )
