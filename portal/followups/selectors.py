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
    """The questions waiting for ``mentor``'s answer, oldest first: theirs only."""
    return (
        _rows()
        .filter(status=FollowUpStatus.OPEN, session__match__mentor__user=mentor)
        .order_by("asked_at", "pk")
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
