"""What the pages, the match form and the jobs read about readiness.

Each answers in a fixed number of queries however many mentors there are: the program's
items, then one aggregate of the latest day each (mentor, item) was done; the rules of
``rules.py`` run in Python on that.
"""

import datetime as dt
import functools
import operator
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
    NotReadyPolicy,
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
            item_es=self.item.name_es,
        )


@dataclass
class MentorReadiness:
    mentor: Mentor
    states: list[ItemState] = field(default_factory=list)
    # False on the recording page itself (it is the way to record one).
    links_to_recording: bool = True

    @property
    def record_url(self) -> str:
        # Worked out when a page shows it: the dashboard weighs hundreds of mentors to
        # show ten.
        if not self.links_to_recording:
            return ""
        return reverse("readiness:record", args=[self.mentor.pk])

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


def first_valid_day(today: dt.date, valid_months: int) -> dt.date:
    """The earliest day an item valid ``valid_months`` months may have been done and still
    be valid on ``today``: done before it, it has expired (rules.status). Validity grows
    with the day done (rules.valid_until never goes back), so the days that expired are
    exactly those before this one."""
    day = rules.latest_possibly_expired(today, valid_months)
    # At most a few days from the 28-days-a-month estimate: step up to the first valid day.
    while rules.valid_until(day, valid_months) < today:
        day += dt.timedelta(days=1)
    while rules.valid_until(day - dt.timedelta(days=1), valid_months) >= today:
        day -= dt.timedelta(days=1)
    return day


def _with_record(item: ReadinessItem, *, since: dt.date | None = None) -> Q:
    """Mentors with a record of ``item`` (done on or after ``since``, when given): a set
    the database reads once from the records and probes for each mentor."""
    records = ReadinessRecord.objects.filter(item=item)
    if since is not None:
        records = records.filter(done_on__gte=since)
    return Q(pk__in=records.values("mentor_id"))


def _valid_from(item: ReadinessItem, today: dt.date) -> dt.date | None:
    return first_valid_day(today, item.valid_months) if item.valid_months else None


def which_condition(which: str, program_items: list[ReadinessItem], today: dt.date) -> Q:
    """``which`` (FILTERS) as a condition on each mentor's records, the same as rules.status
    gives on the latest one: the latest is on or after a day exactly when some record is."""
    if which not in ("not_ready", "missing", "expired", "expiring"):
        return Q()
    required = [item for item in program_items if item.required]
    nobody = Q(pk__in=[])
    if which == "missing":
        return functools.reduce(operator.or_, [~_with_record(i) for i in required], nobody)
    if which == "not_ready":  # a required item missing or expired: none valid today
        not_done = [~_with_record(i, since=_valid_from(i, today)) for i in required]
        return functools.reduce(operator.or_, not_done, nobody)
    if which == "expired":
        expired = [
            _with_record(i) & ~_with_record(i, since=first_valid_day(today, i.valid_months))
            for i in required
            if i.valid_months
        ]
        return functools.reduce(operator.or_, expired, nobody)
    # Expiring: valid today, no longer in EXPIRING_DAYS days (any item, required or not).
    soon = today + dt.timedelta(days=rules.EXPIRING_DAYS)
    expiring = [
        _with_record(i, since=first_valid_day(today, i.valid_months))
        & ~_with_record(i, since=first_valid_day(soon, i.valid_months))
        for i in program_items
        if i.valid_months
    ]
    return functools.reduce(operator.or_, expiring, nobody)


class ReadinessPageRows:
    """The readiness list as the pager reads it: a count and a slice, both in SQL; only
    the mentors of the page shown get their readiness worked out (readiness_of_mentors)."""

    def __init__(self, mentors, *, today: dt.date, program_items: list[ReadinessItem]):
        self.mentors = mentors
        self.today = today
        self.program_items = program_items

    def count(self) -> int:
        return self.mentors.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return readiness_of_mentors(
            list(self.mentors[index]), today=self.today, program_items=self.program_items
        )

    def __iter__(self):
        return iter(self[:])


def readiness_list(*, which: str = "", q: str = "", today: dt.date) -> ReadinessPageRows:
    """Mentors who are not inactive, with their readiness, kept by ``which`` (FILTERS), in
    the order of their names. The filter and the paging are done by the database, on the
    mentors' records (each item's set of mentors read once)."""
    program_items = items()
    mentors = Mentor.objects.exclude(status=MentorStatus.INACTIVE).select_related("user")
    if q:
        mentors = mentors.filter(Q(user__full_name__icontains=q) | Q(user__email__icontains=q))
    condition = which_condition(which, program_items, today)
    if condition:
        mentors = mentors.filter(condition)
    mentors = mentors.order_by("user__full_name", "pk")
    return ReadinessPageRows(mentors, today=today, program_items=program_items)


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


def with_held(matches):
    """The matches, each marked ``is_held`` when the nightly check holds it: read in the
    matches' own query, so the session form needs no query of its own for it."""
    return matches.annotate(
        is_held=Exists(
            MatchReadinessFlag.objects.filter(match=OuterRef("pk"), policy=NotReadyPolicy.BLOCK)
        )
    )


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
