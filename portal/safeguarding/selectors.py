"""Reads: the lists of concerns and needs, matches needing support, monthly counts of needs."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from portal.accounts.models import User
from portal.accounts.site_contacts import can_sign_in
from portal.mentoring import rules
from portal.mentoring.models import Attendance, Match, MatchStatus, ProgramSettings, SiteContact
from portal.safeguarding.access import concerns_visible_to, needs_visible_to
from portal.safeguarding.models import ConcernStatus, NeedStatus, ResourceNeed, SafetyConcern

ABSENCES = [Attendance.MENTEE_ABSENT, Attendance.MENTOR_ABSENT]
QUIET_DAYS = 30


# What a list's "Status" select offers besides each status: the ones still to act on (the
# default), or every one.
NOT_CLOSED = ""
ANY_STATUS = "all"


def concern_list(*, user: User, status: str = NOT_CLOSED, site: int | None = None) -> QuerySet:
    """The concerns ``user`` may read (a site contact: their own schools' only), at ``site``
    when given. Not closed (the default): oldest first, as the dashboard shows them, read
    through ``concern_open_raised_idx``. One status: oldest first, through
    ``concern_status_raised_idx``. Every status: the open ones oldest first, then the
    closed ones."""
    concerns = concerns_visible_to(user)
    if site is not None:
        concerns = concerns.filter(site_id=site)
    if status == ANY_STATUS:
        return concerns.oldest_open_first()
    if status in ConcernStatus.values:
        return concerns.filter(status=status).order_by("raised_at", "pk")
    return concerns.open().order_by("raised_at", "pk")


def open_concerns_oldest_first(*, user: User) -> QuerySet:
    """The open concerns ``user`` may read, the one waiting longest first."""
    return concerns_visible_to(user).open().select_related("site").order_by("raised_at", "pk")


def need_list(*, user: User, status: str = NOT_CLOSED, site: int | None = None) -> QuerySet:
    """The needs ``user`` may read, oldest first, at ``site`` (the match's school) when given:
    those not closed (the default, through ``need_open_raised_idx``), those of one status
    (through ``need_status_raised_idx``), or every one."""
    needs = needs_visible_to(user).order_by("raised_at", "pk")
    if site is not None:
        needs = needs.filter(match__site_id=site)
    if status == ANY_STATUS:
        return needs
    if status in NeedStatus.values:
        return needs.filter(status=status)
    return needs.exclude(status=NeedStatus.CLOSED)


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


def matches_needing_support_count(*, now: dt.datetime | None = None, coordinator=None) -> int:
    """How many matches need support; in ``coordinator``'s caseload when given."""
    matches = _needing_support(now or timezone.now())
    if coordinator is not None:
        matches = matches.filter(coordinator=coordinator)
    return matches.count()


def matches_needing_support_queryset(*, now: dt.datetime, site: int | None = None) -> QuerySet:
    """The matches of ``_needing_support`` (at ``site`` when given), quietest first."""
    matches = (
        _needing_support(now)
        .select_related("mentor__user", "mentee", "site")
        .order_by("last_at", "pk")
    )
    if site is not None:
        matches = matches.filter(site_id=site)
    return matches


def needing_support(match: Match, *, now: dt.datetime) -> MatchNeedingSupport:
    """One match of ``matches_needing_support_queryset`` with the reasons it is there."""
    quiet_since = now - dt.timedelta(days=QUIET_DAYS)
    reasons = []
    if match.last_attendance in ABSENCES and match.previous_attendance in ABSENCES:
        reasons.append("Two absences in a row")
    if match.last_at is None:
        reasons.append(f"Nothing logged since the match started on {match.start_date:%d %b %Y}")
    elif match.last_at < quiet_since:
        days = (now - match.last_at).days
        reasons.append(f"Nothing logged for {days} days")
    return MatchNeedingSupport(match=match, reasons=reasons)


def matches_needing_support(*, now: dt.datetime | None = None) -> list[MatchNeedingSupport]:
    """The matches of ``_needing_support`` with the reasons, quietest first. One query."""
    now = now or timezone.now()
    return [needing_support(m, now=now) for m in matches_needing_support_queryset(now=now)]


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
