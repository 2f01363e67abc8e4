"""The weekly digest: on Monday morning (program time zone) each coordinator with a
caseload gets one email of counts about their own matches, with links into the portal.

- overdue support check-ins (``portal.checkins.selectors.overdue_checkins``);
- matches needing support (SPEC 4.16, ``matches_needing_support_count``);
- mentors who logged nothing, or logged late, for the open month (the compliance report's
  rules, ``portal/staff/compliance.py``: a "no session this month" answer counts as logged);
- open safety concerns and resource needs at their matches;
- follow-ups the mentor has not answered, and answers waiting to be resolved.

Counts only: the email names no child and no mentor (the pages behind the links do, after
sign-in). A coordinator with nothing to report gets no email (the week is still recorded):
an "all clear" every week teaches people to stop reading the digest.

Idempotent: a ``CoordinatorDigestSent`` row, unique per coordinator and week, is written in
the same transaction as the email, so a second run, or a second worker, never sends twice.
Staff turn it off on their own page (``User.weekly_digest``). A constant number of queries
per coordinator, whatever the size of their caseload.
"""

import datetime as dt
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.services import log_action
from portal.checkins.selectors import overdue_checkins
from portal.followups.selectors import answered_to_resolve, unanswered
from portal.jobs.cadence import week_start
from portal.mentoring import caseloads, rules, selectors
from portal.mentoring.models import (
    CoordinatorDigestSent,
    Match,
    MatchStatus,
    Mentor,
    MentorStatus,
    ProgramSettings,
    SessionLog,
)
from portal.notifications.services import notification_queue
from portal.safeguarding.models import NeedStatus, ResourceNeed, SafetyConcern
from portal.safeguarding.selectors import matches_needing_support_count

TEMPLATE = "coordinator-digest"


def digest_week(now: dt.datetime, tz) -> dt.date:
    """The Monday of ``now``'s week in the program's time zone: the week a digest is for."""
    return week_start(now.astimezone(tz).date(), 0)


@dataclass(frozen=True)
class Digest:
    overdue_checkins: int
    needing_support: int
    mentors_logged_nothing: int
    mentors_logged_late: int
    open_concerns: int
    open_needs: int
    unanswered_followups: int
    answers_to_resolve: int

    @property
    def total(self) -> int:
        return sum(asdict(self).values())


def digest_for(coordinator: User, *, now: dt.datetime, program: ProgramSettings) -> Digest:
    today = timezone.localtime(now, program.tz).date()
    month = _open_month(now, program)
    start, end = month.bounds(program.tz)
    mine = Match.objects.filter(
        coordinator=coordinator, status=MatchStatus.ACTIVE, start_date__lte=month.last_day()
    )
    month_sessions = SessionLog.objects.live().filter(starts_at__gte=start, starts_at__lt=end)
    their_mentors = Mentor.objects.filter(status=MentorStatus.ACTIVE).filter(
        Exists(mine.filter(mentor=OuterRef("pk")))
    )
    declared = selectors.months_declared_without_sessions(month).order_by().values("mentor_id")
    logged_nothing = their_mentors.exclude(
        Exists(month_sessions.filter(match__mentor=OuterRef("pk")))
    ).exclude(pk__in=declared)
    late_mentors = their_mentors.filter(
        Exists(month_sessions.filter(match__mentor=OuterRef("pk"), is_late=True))
    )
    return Digest(
        overdue_checkins=len(overdue_checkins(coordinator=coordinator, today=today)),
        needing_support=matches_needing_support_count(now=now, coordinator=coordinator),
        mentors_logged_nothing=logged_nothing.count(),
        mentors_logged_late=late_mentors.count(),
        open_concerns=SafetyConcern.objects.open().filter(match__coordinator=coordinator).count(),
        open_needs=ResourceNeed.objects.exclude(status=NeedStatus.CLOSED)
        .filter(match__coordinator=coordinator)
        .count(),
        unanswered_followups=unanswered(coordinator=coordinator).count(),
        answers_to_resolve=answered_to_resolve(coordinator=coordinator).count(),
    )


def _open_month(now: dt.datetime, program: ProgramSettings) -> rules.Month:
    """The month mentors are logging for now: the one whose deadline comes next."""
    return rules.next_deadline(now, program.deadline_policy).of_month


def recipients(week_of: dt.date):
    """Staff who want the digest, have an active caseload, and have not had this week's."""
    return (
        caseloads.coordinators()
        .filter(weekly_digest=True)
        .filter(Exists(Match.objects.filter(coordinator=OuterRef("pk"), status=MatchStatus.ACTIVE)))
        .exclude(
            Exists(
                CoordinatorDigestSent.objects.filter(coordinator=OuterRef("pk"), week_of=week_of)
            )
        )
    )


def _context(coordinator: User, digest: Digest, week_of: dt.date, month) -> dict:
    compliance_path = reverse("staff:compliance")
    month_query = {"month": month.key}
    return {
        "first_name": coordinator.get_short_name(),
        "week_of": rules.format_day(week_of),
        **asdict(digest),
        "total": digest.total,
        "dashboard_path": reverse("staff:dashboard"),
        "my_matches_path": reverse("staff:match_list"),
        "support_path": reverse("safeguarding:support_list"),
        "nothing_path": f"{compliance_path}?{urlencode({**month_query, 'show': 'nothing'})}",
        "late_path": f"{compliance_path}?{urlencode({**month_query, 'show': 'late'})}",
        "month_label": month.label,
        "concerns_path": reverse("safeguarding:concern_list"),
        "needs_path": reverse("safeguarding:need_list"),
        "followups_path": reverse("staff:followup_list"),
        "preferences_path": reverse("staff:digest_preference"),
    }


def _send_one(coordinator: User, week_of: dt.date, now: dt.datetime, program) -> int:
    digest = digest_for(coordinator, now=now, program=program)
    try:
        with transaction.atomic():
            record = CoordinatorDigestSent.objects.create(
                coordinator=coordinator, week_of=week_of, sent_at=now
            )
            if not digest.total:
                return 0  # nothing to report: the week is recorded, no email
            notification_queue(
                to=coordinator.email,
                template=TEMPLATE,
                context=_context(coordinator, digest, week_of, _open_month(now, program)),
                recipient_user=coordinator,
                subject_type="coordinator_digest",
                subject_id=record.pk,
            )
    except IntegrityError:
        return 0  # another run sent this week's a moment ago
    return 1


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Queue this week's digest to each coordinator who has not had it. Returns how many."""
    now = now or timezone.now()
    program = ProgramSettings.load()
    week_of = digest_week(now, program.tz)
    sent = 0
    for coordinator in list(recipients(week_of).order_by("pk")):
        sent += _send_one(coordinator, week_of, now, program)
    return sent


def digest_set_enabled(*, user: User, enabled: bool) -> User:
    """A staff member turns their own weekly digest on or off (audited)."""
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk).exclude(weekly_digest=enabled)
        if changed.update(weekly_digest=enabled):
            log_action(
                actor=user,
                action="staff.weekly_digest_" + ("on" if enabled else "off"),
                obj=user,
                new={"weekly_digest": enabled},
            )
    user.weekly_digest = enabled
    return user
