"""The mentor as staff see them (issue 14, item 6): every match with its figures and
check-ins, hours by month, open follow-ups and the history of changes, on one page.

``mentor_page`` reads it all in a fixed number of queries, whatever the number of matches,
sessions or check-ins: the matches (with their last check-in as subqueries), the sessions
grouped by match, the sessions grouped by month, the check-ins' last day by kind, the
cadences, the open follow-ups and the audit entries. Hours follow the hours page: live
entries only, and an entry where the pair did not meet has no hours (a stored rule).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth

from portal.audit.models import AuditEvent
from portal.checkins import selectors as checkin_selectors
from portal.checkins.models import CheckIn, Strength, WithWhom
from portal.enrollment.models import Invitation
from portal.followups import selectors as followup_selectors
from portal.followups.models import FollowUpStatus
from portal.mentoring import rules
from portal.mentoring.models import (
    Attendance,
    ClosureInitiator,
    Match,
    MatchStatus,
    Mentor,
    MentorStatus,
    ProgramSettings,
    SessionLog,
)
from portal.mentoring.rules import Month
from portal.staff import selectors

MONTHS_SHOWN = 12
HISTORY_SHOWN = 25


@dataclass(frozen=True)
class LastCheckIn:
    on_date: dt.date
    with_whom: str  # a WithWhom value
    strength: int | None

    @property
    def with_whom_label(self) -> str:
        return WithWhom(self.with_whom).label

    @property
    def strength_label(self) -> str:
        return Strength(self.strength).label if self.strength else "Not asked"


@dataclass(frozen=True)
class MatchRow:
    match: Match  # with mentee, site, coordinator and closure reason loaded
    length: rules.MatchLength
    sessions: int
    met: int
    hours: Decimal
    last_session_at: dt.datetime | None
    last_checkin: LastCheckIn | None
    next_checkins: list[checkin_selectors.NextCheckIn]  # soonest first; none when closed

    @property
    def is_closed(self) -> bool:
        return self.match.status == MatchStatus.CLOSED

    @property
    def closure_reason(self) -> str:
        """Why it closed: the program's reason, or the notes of a closure made before the
        form asked for one."""
        if self.match.closure_choice is not None:
            return self.match.closure_choice.label
        return self.match.closure_reason


@dataclass(frozen=True)
class Change:
    field: str  # a plain label, never the code name
    before: str  # empty when the entry has no earlier value
    after: str


@dataclass(frozen=True)
class HistoryRow:
    when: dt.datetime
    who: str
    what: str  # "Match closed", in words
    about: str  # "the mentor", or the match ("Jane D. at Lincoln Elementary")
    changes: list[Change]
    note: str


@dataclass(frozen=True)
class MentorPage:
    mentor: Mentor
    matches: list[MatchRow]
    sessions: int
    met: int
    hours: Decimal
    last_session_at: dt.datetime | None
    months: list[dict]  # newest first: month, sessions, met, hours (as on the hours page)
    more_months: bool  # months with sessions before those shown
    last_checkin: tuple[LastCheckIn, Match] | None
    open_followups: list = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)


def _last_checkin(column: str, output_field=None) -> Subquery:
    latest = CheckIn.objects.filter(match=OuterRef("pk")).order_by("-on_date", "-at_time", "-pk")
    return Subquery(latest.values(column)[:1], output_field=output_field)


def _matches(mentor: Mentor) -> list[Match]:
    return list(
        Match.objects.filter(mentor=mentor)
        .select_related("mentee", "site", "coordinator", "closure_choice")
        .annotate(
            last_checkin_on=_last_checkin("on_date"),
            last_checkin_with=_last_checkin("with_whom"),
            last_checkin_strength=_last_checkin("strength", IntegerField()),
        )
        .order_by("status", "-start_date", "-pk")
    )


def _sessions(mentor: Mentor) -> QuerySet:
    return SessionLog.objects.live().filter(match__mentor=mentor)


_FIGURES = {
    "sessions": Count("*"),
    "met": Count("starts_at", filter=Q(attendance=Attendance.MET)),
    "quarters": Coalesce(Sum("quarter_hours"), 0),
}


def _by_month(mentor: Mentor, program: ProgramSettings) -> list[dict]:
    """The latest months with sessions (one more than shown, to know if there are more)."""
    rows = (
        _sessions(mentor)
        .annotate(month=TruncMonth("starts_at", tzinfo=program.tz))
        .values("month")
        .annotate(**_FIGURES)
        .order_by("-month")[: MONTHS_SHOWN + 1]
    )
    return [
        {
            "month": Month(row["month"].year, row["month"].month),
            "sessions": row["sessions"],
            "met": row["met"],
            "hours": selectors.hours(row["quarters"]),
        }
        for row in rows
    ]


def mentor_page(*, mentor: Mentor, today: dt.date, program: ProgramSettings) -> MentorPage:
    """Everything the staff page of ``mentor`` shows."""
    matches = _matches(mentor)
    figures = {
        row["match_id"]: row
        for row in _sessions(mentor)
        .values("match_id")
        .annotate(**_FIGURES, last=Max("starts_at"))
        .order_by()
    }
    next_due = checkin_selectors.next_checkins_due_of(matches, today)
    rows = []
    for match in matches:
        found = figures.get(match.pk, {})
        until = match.end_date or today  # an open match: its length so far
        last_checkin = None
        if match.last_checkin_on is not None:
            last_checkin = LastCheckIn(
                match.last_checkin_on, match.last_checkin_with, match.last_checkin_strength
            )
        rows.append(
            MatchRow(
                match=match,
                length=rules.match_length(match.start_date, max(until, match.start_date)),
                sessions=found.get("sessions", 0),
                met=found.get("met", 0),
                hours=selectors.hours(found.get("quarters", 0)),
                last_session_at=found.get("last"),
                last_checkin=last_checkin,
                next_checkins=next_due[match.pk],
            )
        )
    months = _by_month(mentor, program)
    lasts = [row.last_session_at for row in rows if row.last_session_at]
    checkins = [(row.last_checkin, row.match) for row in rows if row.last_checkin]
    return MentorPage(
        mentor=mentor,
        matches=rows,
        sessions=sum(row.sessions for row in rows),
        met=sum(row.met for row in rows),
        hours=sum((row.hours for row in rows), Decimal("0.00")),
        last_session_at=max(lasts, default=None),
        months=months[:MONTHS_SHOWN],
        more_months=len(months) > MONTHS_SHOWN,
        last_checkin=max(checkins, key=lambda pair: pair[0].on_date, default=None),
        open_followups=list(
            followup_selectors.for_mentor(mentor.user)
            .exclude(status=FollowUpStatus.RESOLVED)
            .filter(session__deleted_at__isnull=True)  # the links lead to live entries
            .order_by("asked_at", "pk")
        ),
        history=_history(mentor, matches),
    )


# --- The history of changes, in words -----------------------------------------------------

ACTIONS = {
    "mentor.created": "Added as a mentor",
    "mentor.changed": "Details changed",
    "mentor.deactivated": "Made inactive",
    "mentor.deleted": "Removed",
    "mentor.weekly_reminders_on": "Weekly reminders turned on",
    "mentor.weekly_reminders_off": "Weekly reminders turned off",
    "user.changed": "Account changed",
    "email.changed": "Sign-in email changed",
    "invitation.created": "Invited to the portal",
    "invitation.resent": "Invitation sent again",
    "invitation.accepted": "Accepted the invitation",
    "match.created": "Match added",
    "match.changed": "Match changed",
    "match.closed": "Match closed",
    "match.reopened": "Match reopened",
    "match.coordinator_changed": "Coordinator changed",
    "match.deleted": "Match removed",
}

FIELDS = {
    "full_name": "Name",
    "email": "Email",
    "phone": "Phone",
    "status": "Status",
    "is_active": "Can sign in",
    "weekly_reminders": "Weekly reminders",
    "enrolled_on": "Enrolled",
    "mentor": "Mentor",
    "mentee": "Mentee",
    "site": "School site",
    "start_date": "Start date",
    "end_date": "End date",
    "coordinator": "Coordinator",
    "closed_by_whom": "Who asked to close it",
    "closure_choice": "Why it closed",
    "last_meeting_on": "Last meeting",
    "closure_talk_with_mentor": "Closure conversation with the mentor",
    "closure_talk_with_family": "Closure conversation with the family",
    "notes_given": "Closure notes written",
}

_STATUSES = {**dict(MentorStatus.choices), **dict(MatchStatus.choices)}


def _plain(name: str, value) -> str:
    if value is None or value == "":
        return "None"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name == "status":
        return _STATUSES.get(value, str(value))
    if name == "closed_by_whom":
        return dict(ClosureInitiator.choices).get(value, str(value))
    if isinstance(value, str) and name.endswith(("_date", "_on")):
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
        return f"{day.day} {day:%b %Y}"
    return str(value)


def _changes(event: AuditEvent) -> list[Change]:
    """The values the entry recorded, under their labels; names without one (record
    numbers) are left out."""
    names = [name for name in FIELDS if name in event.old_values or name in event.new_values]
    changes = []
    for name in names:
        before, after = event.old_values.get(name), event.new_values.get(name)
        if name in event.old_values and before == after:
            continue
        # A value the entry only gives after (a record added) reads as that value alone.
        shown_before = _plain(name, before) if name in event.old_values else ""
        changes.append(Change(FIELDS[name], shown_before, _plain(name, after)))
    return changes


def _what(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action]
    return {"created": "Added", "changed": "Changed", "deleted": "Removed"}.get(
        action.rpartition(".")[2], "Change recorded"
    )


def _history(mentor: Mentor, matches: list[Match]) -> list[HistoryRow]:
    """The latest changes to the mentor, their account, invitations and matches, newest
    first (downloads of their own hours are not changes and stay in the audit trail)."""
    labels = {m.pk: f"{m.mentee.display_name} at {m.site.name}" for m in matches}
    about = (
        Q(object_type="mentoring.mentor", object_id=mentor.pk)
        | Q(object_type="accounts.user", object_id=mentor.user_id)
        | Q(object_type="mentoring.match", object_id__in=list(labels))
        | Q(
            object_type="enrollment.invitation",
            object_id__in=Invitation.objects.filter(user_id=mentor.user_id).values("pk"),
        )
    )
    events = (
        AuditEvent.objects.filter(about)
        .exclude(action__startswith="export.")
        .select_related("actor")
        .order_by("-created_at", "-pk")[:HISTORY_SHOWN]
    )
    return [
        HistoryRow(
            when=event.created_at,
            who=(event.actor.full_name or event.actor.email) if event.actor else "The portal",
            what=_what(event.action),
            about=labels.get(event.object_id, "") if event.object_type == "mentoring.match" else "",
            changes=_changes(event),
            note=event.note,
        )
        for event in events
    ]
