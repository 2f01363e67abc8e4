"""Readiness as it bears on matches: the staff dashboard's list of active matches whose
mentor is not ready, the staff match page's word on it, the mentor's own holds, and how
many mentors a new requirement would make not ready. Built on ``selectors``."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q
from django.utils.translation import gettext

from portal.mentoring.models import Match, MatchStatus, Mentor
from portal.readiness import rules
from portal.readiness.models import (
    MatchReadinessFlag,
    ReadinessItem,
    ReadinessRecord,
    ReadinessSettings,
)
from portal.readiness.rules import Status
from portal.readiness.selectors import (
    MentorReadiness,
    items,
    mentor_readiness_brief,
    program_today,
    readiness_of_mentors,
    record_url_for,
    which_condition,
)


@dataclass
class NotReadyMatch:
    """An active match whose mentor is not ready, for the dashboard."""

    match: Match
    readiness: MentorReadiness
    flag: MatchReadinessFlag | None = None

    @property
    def on_hold(self) -> bool:
        return self.flag is not None and self.flag.holds

    @property
    def reason(self) -> str:
        if not self.readiness.ready:
            return self.readiness.reasons_text
        return "Ready again: the nightly check lifts the hold"


@dataclass
class DashboardReadiness:
    not_ready: list[NotReadyMatch]
    not_ready_count: int
    expiring: list[MentorReadiness]
    expiring_count: int
    # The program refuses mentors who are not ready: the nightly check holds their matches.
    blocks: bool = False


DASHBOARD_ROWS = 10


def _active_filter(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": MatchStatus.ACTIVE}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": today})
    )


def dashboard_readiness(*, today: dt.date) -> DashboardReadiness:
    """Active matches whose mentor is not ready (a required item missing or expired) or
    that the nightly check holds, with the reason; and mentors with an active match and an
    item expiring in the next 30 days. The program's items, one narrowed aggregate per item
    that expires (and the few mentors it finds), a count and the first rows of the matches
    not ready, and those rows' mentors: the dashboard reads no more for 20,000 mentors
    than for 20."""
    program_items = items()
    # Each set in SQL from the records (selectors.which_condition), so that the mentors
    # worked out in Python are only those expiring (a few in a hundred), not every mentor
    # whose item has lapsed (thousands at real size).
    with_active_match = Exists(Match.objects.filter(_active_filter(today), mentor=OuterRef("pk")))
    expiring_mentors = (
        Mentor.objects.filter(which_condition("expiring", program_items, today))
        .filter(with_active_match)
        .select_related("user")
    )
    expiring = [
        r
        for r in readiness_of_mentors(expiring_mentors, today=today, program_items=program_items)
        if r.has(Status.EXPIRING, required_only=False)
    ]
    expiring.sort(key=lambda r: min(s.valid_until for s in r.expiring))
    not_ready_mentors = Mentor.objects.filter(which_condition("not_ready", program_items, today))
    not_ready = Match.objects.filter(_active_filter(today)).filter(
        Q(mentor__in=not_ready_mentors.values("pk")) | Q(readiness_flag__policy="block")
    )
    count = not_ready.count()
    shown = list(
        not_ready.select_related("mentor__user", "mentee", "readiness_flag").order_by(
            "mentor__user__full_name", "mentor_id", "pk"
        )[:DASHBOARD_ROWS]
    )
    by_mentor = {
        r.mentor.pk: r
        for r in readiness_of_mentors(
            {m.mentor_id: m.mentor for m in shown}.values(),
            today=today,
            program_items=program_items,
        )
    }
    rows = [
        NotReadyMatch(m, by_mentor[m.mentor_id], getattr(m, "readiness_flag", None)) for m in shown
    ]
    return DashboardReadiness(
        not_ready=rows,
        not_ready_count=count,
        expiring=expiring[:DASHBOARD_ROWS],
        expiring_count=len(expiring),
        blocks=ReadinessSettings.load().blocks,
    )


@dataclass
class MatchReadiness:
    """The staff match page's word on readiness: the mentor's, and whether the nightly
    check holds the match (``blocks``: the program refuses mentors who are not ready)."""

    readiness: MentorReadiness
    flag: MatchReadinessFlag | None
    blocks: bool

    @property
    def on_hold(self) -> bool:
        return self.flag is not None and self.flag.holds

    @property
    def shown(self) -> bool:
        return self.on_hold or not self.readiness.ready

    @property
    def reason(self) -> str:
        if not self.readiness.ready:
            return self.readiness.reasons_text
        return "The mentor is ready again; the nightly check lifts the hold"

    @property
    def record_url(self) -> str:
        """Where staff record the first missing or expired item, chosen already."""
        return record_url_for(self.readiness)


def match_readiness(match: Match, *, today: dt.date | None = None) -> MatchReadiness | None:
    """For an active match: its mentor's readiness, its flag and the program's setting."""
    today = today or program_today()
    if match.status != MatchStatus.ACTIVE or (match.end_date and match.end_date <= today):
        return None
    return MatchReadiness(
        readiness=mentor_readiness_brief(match.mentor, today=today),
        flag=MatchReadinessFlag.objects.filter(match=match).first(),
        blocks=ReadinessSettings.load().blocks,
    )


def _mentors_lacking(
    item: ReadinessItem | None, *, valid_months: int | None, today: dt.date
) -> set[int]:
    """Mentors with an active match who do not have ``item`` current, were it valid for
    ``valid_months`` (a new item: every one of them). Two queries."""
    active = set(
        Match.objects.filter(_active_filter(today)).values_list("mentor_id", flat=True).distinct()
    )
    if item is None or item.pk is None or not active:
        return active
    rows = (
        ReadinessRecord.objects.filter(item=item, mentor_id__in=Match.objects.filter(
            _active_filter(today)).values("mentor_id"))
        .values("mentor_id")
        .annotate(last=Max("done_on"))
        .order_by()
    )  # fmt: skip
    done = {
        row["mentor_id"]
        for row in rows
        if rules.status(done_on=row["last"], valid_months=valid_months, today=today).counts_as_done
    }
    return active - done


def newly_not_ready(
    item: ReadinessItem | None, *, required: bool, valid_months: int | None, retired: bool,
    today: dt.date | None = None,
) -> int:  # fmt: skip
    """How many mentors with an active match a change of the program's item (or a new one)
    would make not ready: they lack it as it would be, and did not count it before."""
    if not required or retired:
        return 0
    today = today or program_today()
    after = _mentors_lacking(item, valid_months=valid_months, today=today)
    if item is not None and item.required and not item.is_retired and after:
        after -= _mentors_lacking(item, valid_months=item.valid_months, today=today)
    return len(after)


@dataclass
class Hold:
    """A match the program holds, as its mentor is told about it (second person)."""

    match: Match
    readiness: MentorReadiness

    @property
    def message(self) -> str:
        """In the language of the page (the mentor's)."""
        name = self.match.mentee.display_name
        if self.readiness.ready:
            return gettext(
                "Logging for your match with %(name)s is on hold until the program's next "
                "nightly check. Your coordinator can tell you more."
            ) % {"name": name}
        return gettext("Logging for your match with %(name)s is on hold: %(reasons)s.") % {
            "name": name,
            "reasons": self.readiness.for_the_mentor,
        } + (" " + self.readiness.help_for_the_mentor)


def holds_for_mentor(mentor: Mentor, *, today: dt.date | None = None) -> list[Hold]:
    """The mentor's matches on hold, each with what to tell them: one query when there is
    none (the usual case), three otherwise."""
    held = list(
        Match.objects.filter(readiness_flag__policy="block", mentor=mentor)
        .select_related("mentee")
        .order_by("pk")
    )
    if not held:
        return []
    readiness = mentor_readiness_brief(mentor, today=today)
    return [Hold(match, readiness) for match in held]
