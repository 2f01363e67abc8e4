"""What the pages, the match form and the jobs read about readiness.

Each answers in a fixed number of queries however many mentors there are: the program's
items, then one aggregate of the latest day each (mentor, item) was done; the rules of
``rules.py`` run in Python on that.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from portal.mentoring.models import Match, MatchStatus, Mentor, MentorStatus, ProgramSettings
from portal.readiness import rules
from portal.readiness.models import (
    AgreementAcceptance,
    AgreementVersion,
    MatchReadinessFlag,
    ReadinessItem,
    ReadinessRecord,
    ReadinessSettings,
    TrainingLog,
)
from portal.readiness.rules import Status


def program_today() -> dt.date:
    return timezone.localdate(timezone.now(), ProgramSettings.load().tz)


def items() -> list[ReadinessItem]:
    """The program's items in use (retired ones keep their records but count no more)."""
    return list(ReadinessItem.objects.filter(is_retired=False))


@dataclass
class ItemState:
    item: ReadinessItem
    status: Status
    done_on: dt.date | None = None
    valid_until: dt.date | None = None
    record: ReadinessRecord | None = None

    @property
    def recorded_by(self):
        return self.record.recorded_by if self.record else None

    @property
    def reason(self) -> rules.Reason:
        return rules.Reason(
            self.item.name,
            self.status,
            self.valid_until,
            by_training=self.item.who_records == "training",
        )


@dataclass
class MentorReadiness:
    mentor: Mentor
    states: list[ItemState] = field(default_factory=list)
    record_url: str = ""

    @property
    def required(self) -> list[ItemState]:
        return [s for s in self.states if s.item.required]

    @property
    def ready(self) -> bool:
        return rules.is_ready(s.status for s in self.required)

    @property
    def reasons(self) -> list[rules.Reason]:
        return [s.reason for s in self.required if not s.status.counts_as_done]

    @property
    def reasons_text(self) -> str:
        """ "Missing: Two references; Background check expired on 4 November 2026" """
        return rules.reasons_text(self.reasons)

    @property
    def for_the_mentor(self) -> str:
        """ "your background check expired on 4 November 2026" """
        return rules.reasons_for_the_mentor(self.reasons)

    @property
    def has_expired(self) -> bool:
        return self.has(Status.EXPIRED)

    @property
    def help_for_the_mentor(self) -> str:
        return rules.help_for_the_mentor(self.reasons)

    @property
    def sentence(self) -> str:
        return rules.reasons_sentence(self.mentor.user.full_name, self.reasons)

    def has(self, status: Status, *, required_only: bool = True) -> bool:
        states = self.required if required_only else self.states
        return any(s.status == status for s in states)

    @property
    def expiring(self) -> list[ItemState]:
        return [s for s in self.states if s.status == Status.EXPIRING]


def _state(item: ReadinessItem, done_on, today: dt.date, record=None) -> ItemState:
    return ItemState(
        item=item,
        status=rules.status(done_on=done_on, valid_months=item.valid_months, today=today),
        done_on=done_on,
        valid_until=rules.valid_until(done_on, item.valid_months) if done_on else None,
        record=record,
    )


def readiness_for_mentor(mentor: Mentor, *, today: dt.date | None = None) -> MentorReadiness:
    """One mentor's readiness for the staff mentor page (templates/staff/_mentor_readiness.html)
    and the mentor's own page: each item's status, day done, valid until and who recorded
    it. Two queries: the items, then the mentor's records with who recorded them."""
    today = today or program_today()
    program_items = items()
    latest: dict[int, ReadinessRecord] = {}
    records = (
        ReadinessRecord.objects.filter(mentor=mentor, item__is_retired=False)
        .select_related("recorded_by")
        .order_by("item_id", "-done_on", "-pk")
    )
    for record in records:
        latest.setdefault(record.item_id, record)
    states = []
    for item in program_items:
        record = latest.get(item.pk)
        states.append(_state(item, record.done_on if record else None, today, record))
    return MentorReadiness(
        mentor=mentor,
        states=states,
        record_url=reverse("readiness:record", args=[mentor.pk]),
    )


def latest_done(mentor_ids: Iterable[int] | None = None) -> dict[tuple[int, int], dt.date]:
    """The latest day each mentor did each item in use: one aggregate query."""
    rows = ReadinessRecord.objects.filter(item__is_retired=False)
    if mentor_ids is not None:
        rows = rows.filter(mentor_id__in=list(mentor_ids))
    rows = rows.values("mentor_id", "item_id").annotate(last=Max("done_on")).order_by()
    return {(row["mentor_id"], row["item_id"]): row["last"] for row in rows}


def readiness_of_mentors(
    mentors: Iterable[Mentor], *, today: dt.date, program_items=None
) -> list[MentorReadiness]:
    """Each mentor's readiness (without who recorded what): two queries for any number."""
    mentors = list(mentors)
    program_items = items() if program_items is None else program_items
    latest = latest_done(m.pk for m in mentors) if program_items else {}
    return [
        MentorReadiness(
            mentor=mentor,
            states=[_state(i, latest.get((mentor.pk, i.pk)), today) for i in program_items],
            record_url=reverse("readiness:record", args=[mentor.pk]),
        )
        for mentor in mentors
    ]


def mentor_readiness_brief(mentor: Mentor, *, today: dt.date | None = None) -> MentorReadiness:
    return readiness_of_mentors([mentor], today=today or program_today())[0]


# --- The match form's and the nightly check's question --------------------------------


@dataclass(frozen=True)
class MatchVerdict:
    ready: bool
    blocks: bool
    message: str
    # Where staff record the first missing or expired item, already chosen.
    record_url: str = ""


def record_url_for(readiness: MentorReadiness) -> str:
    missing = [s for s in readiness.required if not s.status.counts_as_done]
    url = reverse("readiness:record", args=[readiness.mentor.pk])
    return f"{url}?item={missing[0].item.pk}" if missing else url


def match_verdict(mentor: Mentor, *, today: dt.date | None = None) -> MatchVerdict:
    """May a match for ``mentor`` go ahead? Ready: yes. Not ready: the program's setting
    says whether it is refused or only warned about, with the reason in words."""
    readiness = mentor_readiness_brief(mentor, today=today)
    if readiness.ready:
        return MatchVerdict(True, False, "")
    return MatchVerdict(
        False, ReadinessSettings.load().blocks, readiness.sentence, record_url_for(readiness)
    )


# --- Lists for staff ---------------------------------------------------------------------

FILTERS = {
    "": "Every mentor",
    "not_ready": "Not ready",
    "missing": "With a required item missing",
    "expired": "With a required item expired",
    "expiring": "With an item expiring in 30 days",
}


def _keep(readiness: MentorReadiness, which: str) -> bool:
    if which == "not_ready":
        return not readiness.ready
    if which == "missing":
        return readiness.has(Status.MISSING)
    if which == "expired":
        return readiness.has(Status.EXPIRED)
    if which == "expiring":
        return readiness.has(Status.EXPIRING, required_only=False)
    return True


def readiness_list(*, which: str = "", q: str = "", today: dt.date) -> list[MentorReadiness]:
    """Mentors who are not inactive, with their readiness, kept by ``which`` (FILTERS)."""
    mentors = Mentor.objects.exclude(status=MentorStatus.INACTIVE).select_related("user")
    if q:
        mentors = mentors.filter(Q(user__full_name__icontains=q) | Q(user__email__icontains=q))
    return [r for r in readiness_of_mentors(mentors, today=today) if _keep(r, which)]


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


DASHBOARD_ROWS = 10


def _active_filter(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": MatchStatus.ACTIVE}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": today})
    )


def _could_lapse(*, today: dt.date, program_items) -> dict[int, set[int]]:
    """Mentors with an active match whose latest record of an expiring item may be expired
    or expiring today, by item: one aggregate per such item, narrowed in SQL (an item done
    more recently than 28 days a month, less 31 days, is neither)."""
    active = Match.objects.filter(_active_filter(today), mentor=OuterRef("mentor"))
    found: dict[int, set[int]] = {}
    for item in program_items:
        if not item.valid_months:
            continue
        before = rules.latest_possibly_expired(today, item.valid_months) + dt.timedelta(
            days=rules.EXPIRING_DAYS + 1
        )
        rows = (
            ReadinessRecord.objects.filter(item=item)
            .filter(Exists(active))
            .values("mentor_id")
            .annotate(last=Max("done_on"))
            .filter(last__lt=before)
            .order_by()
        )
        found[item.pk] = {row["mentor_id"] for row in rows}
    return found


def _missing_a_required_item(program_items) -> Q:
    """Matches whose mentor has no record at all of some required item (in SQL)."""
    missing = Q(pk__in=[])
    for item in program_items:
        if item.required:
            missing |= ~Exists(ReadinessRecord.objects.filter(mentor=OuterRef("mentor"), item=item))
    return missing


def dashboard_readiness(*, today: dt.date) -> DashboardReadiness:
    """Active matches whose mentor is not ready (a required item missing or expired) or
    that the nightly check holds, with the reason; and mentors with an active match and an
    item expiring in the next 30 days. The program's items, one narrowed aggregate per item
    that expires (and the few mentors it finds), a count and the first rows of the matches
    not ready, and those rows' mentors: the dashboard reads no more for 20,000 mentors
    than for 20."""
    program_items = items()
    candidates = set().union(*_could_lapse(today=today, program_items=program_items).values())
    expired: set[int] = set()
    expiring: list[MentorReadiness] = []
    if candidates:
        mentors = Mentor.objects.filter(pk__in=candidates).select_related("user")
        states = readiness_of_mentors(mentors, today=today, program_items=program_items)
        expired = {r.mentor.pk for r in states if r.has(Status.EXPIRED)}
        expiring = [r for r in states if r.has(Status.EXPIRING, required_only=False)]
        expiring.sort(key=lambda r: min(s.valid_until for s in r.expiring))
    not_ready = Match.objects.filter(_active_filter(today)).filter(
        _missing_a_required_item(program_items)
        | Q(mentor_id__in=sorted(expired))
        | Q(readiness_flag__policy="block")
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


def not_ready_active_matches(*, today: dt.date) -> list[tuple[Match, MentorReadiness]]:
    """Every active match whose mentor is not ready (the nightly check)."""
    active = list(
        Match.objects.filter(status=MatchStatus.ACTIVE)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .select_related("mentor__user", "mentee", "coordinator")
    )
    mentors = {m.mentor_id: m.mentor for m in active}
    states = {r.mentor.pk: r for r in readiness_of_mentors(mentors.values(), today=today)}
    return [(m, states[m.mentor_id]) for m in active if not states[m.mentor_id].ready]


def records_of(mentor: Mentor):
    """Every record of the mentor, newest first, with who recorded it (staff pages)."""
    return ReadinessRecord.objects.filter(mentor=mentor).select_related("item", "recorded_by")


def held_match_ids(mentor: Mentor) -> set[int]:
    """The mentor's matches the nightly check holds (the program refuses not-ready
    mentors): no new session can be logged for them until the mentor is ready."""
    return set(
        MatchReadinessFlag.objects.filter(match__mentor=mentor, policy="block").values_list(
            "match_id", flat=True
        )
    )


@dataclass
class Hold:
    """A match the program holds, as its mentor is told about it (second person)."""

    match: Match
    readiness: MentorReadiness

    @property
    def message(self) -> str:
        name = self.match.mentee.display_name
        if self.readiness.ready:
            return (
                f"Logging for your match with {name} is on hold until the program's next "
                "nightly check. Your coordinator can tell you more."
            )
        return (
            f"Logging for your match with {name} is on hold: "
            f"{self.readiness.for_the_mentor}. {self.readiness.help_for_the_mentor}"
        )


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


def flags():
    return MatchReadinessFlag.objects.select_related(
        "match__mentor__user", "match__mentee", "match__coordinator"
    ).order_by("flagged_on", "match_id")


# --- Training ----------------------------------------------------------------------------


def trainings_of(mentor: Mentor):
    return TrainingLog.objects.filter(mentor=mentor).select_related("item")


def training_list(*, q: str = "", start: dt.date | None = None, end: dt.date | None = None):
    rows = TrainingLog.objects.select_related("mentor__user", "item", "entered_by")
    if q:
        rows = rows.filter(
            Q(mentor__user__full_name__icontains=q)
            | Q(mentor__user__email__icontains=q)
            | Q(topic__icontains=q)
        )
    if start:
        rows = rows.filter(on_date__gte=start)
    if end:
        rows = rows.filter(on_date__lte=end)
    return rows.order_by("-on_date", "-pk")


def items_training_completes() -> list[ReadinessItem]:
    return [i for i in items() if i.who_records == "training"]


# --- The agreement -----------------------------------------------------------------------


def agreement_versions():
    """Every version of the agreement, newest first, with how many mentors accepted it."""
    return AgreementVersion.objects.select_related("created_by").annotate(
        accepted=Count("acceptances")
    )


def current_agreement() -> AgreementVersion | None:
    return AgreementVersion.objects.order_by("-number").first()


def agreement_text_problem(text: str, *, before: str) -> str | None:
    """For the program settings forms (staff page and administration site)."""
    return rules.agreement_text_problem(
        text, before=before, has_versions=AgreementVersion.objects.exists()
    )


@dataclass
class AgreementStanding:
    """Which version of the agreement a mentor accepted, and when (staff pages)."""

    mentor: Mentor
    accepted: AgreementAcceptance | None
    current: AgreementVersion | None

    @property
    def up_to_date(self) -> bool:
        if self.current is None:
            return True
        if self.accepted is not None and self.accepted.version_id == self.current.pk:
            return True
        return self.mentor.agreement_version == self.current.fingerprint


def agreement_standing(mentor: Mentor) -> AgreementStanding:
    """Two queries: the current version, the latest version the mentor accepted."""
    accepted = (
        AgreementAcceptance.objects.filter(mentor=mentor)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )
    return AgreementStanding(mentor=mentor, accepted=accepted, current=current_agreement())


def agreement_to_accept(mentor: Mentor) -> AgreementVersion | None:
    """The current agreement version when the mentor has not accepted it yet, else None.
    Before the program's first change of the text (no version recorded), the agreement
    accepted at enrollment stands."""
    version = current_agreement()
    if version is None:
        return None
    if mentor.agreement_version == version.fingerprint:
        return None
    if version.acceptances.filter(mentor=mentor).exists():
        return None
    return version
