"""Follow-ups as each page (and the weekly digest) lists them: one query per list, whatever
its length, with what a row shows (the entry, its match, mentee and mentor) joined in."""

from django.db.models import QuerySet

from portal.accounts.models import User
from portal.followups.models import FollowUp, FollowUpStatus
from portal.mentoring.models import SessionLog

_ROW = (
    "session__match__mentee",
    "session__match__site",
    "session__match__mentor__user",
    "asked_by",
)


def _rows() -> QuerySet:
    return FollowUp.objects.select_related(*_ROW)


def open_for_mentor(mentor: User) -> QuerySet:
    """The questions waiting for ``mentor``'s answer, oldest first: theirs only. For the
    mentor's home page, which shows the entry's day, the child's name and who asked: it
    reads just those (every mentor page load asks, and almost always finds none)."""
    return (
        FollowUp.objects.select_related("session__match__mentee", "asked_by")
        .only(*HOME_BLOCK_FIELDS)
        .filter(status=FollowUpStatus.OPEN, session__match__mentor__user=mentor)
        .order_by("asked_at", "pk")
    )


# What templates/followups/_home_block.html shows of each question.
HOME_BLOCK_FIELDS = (
    "question",
    "asked_at",
    "status",
    "session__starts_at",
    "session__match__mentee__first_name",
    "session__match__mentee__last_initial",
    "asked_by__full_name",
    "asked_by__email",
)


def for_mentor(mentor: User) -> QuerySet:
    """Every follow-up on ``mentor``'s entries (the answer page looks them up here)."""
    return _rows().filter(session__match__mentor__user=mentor)


def _at_coordinator(rows: QuerySet, coordinator: User | None) -> QuerySet:
    if coordinator is None:
        return rows
    return rows.filter(session__match__coordinator=coordinator)


def unanswered(*, coordinator: User | None = None) -> QuerySet:
    """Open follow-ups, oldest first; at the matches of ``coordinator`` when given."""
    rows = _rows().filter(status=FollowUpStatus.OPEN).order_by("asked_at", "pk")
    return _at_coordinator(rows, coordinator)


def answered_to_resolve(*, coordinator: User | None = None) -> QuerySet:
    """Answered follow-ups staff have not resolved yet, oldest answer first."""
    rows = _rows().filter(status=FollowUpStatus.ANSWERED).order_by("answered_at", "pk")
    return _at_coordinator(rows, coordinator)


def for_session(session: SessionLog) -> QuerySet:
    """Every follow-up on ``session``, in the order they were asked."""
    return (
        FollowUp.objects.filter(session=session)
        .select_related("asked_by", "answered_by", "resolved_by")
        .order_by("asked_at", "pk")
    )
