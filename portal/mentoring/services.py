"""Writes to session logs. Each service checks the rules again, whoever calls it."""

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.services import log_action
from portal.lib.text import check_lengths, clean_text
from portal.mentoring import rules
from portal.mentoring.activity import match_activity_after_create, refresh_match_activity
from portal.mentoring.models import (
    DETAILS_MAX,
    REVISION_REASON_MAX,
    Choice,
    Match,
    Mentor,
    NoSessionMonth,
    NoSessionReason,
    ProgramSettings,
    ResourceNeedKind,
    RevisionAction,
    SessionLog,
    SessionLogRevision,
)
from portal.mentoring.session_input import SessionInput, validate_session_input
from portal.safeguarding.services import (
    concern_sync_from_session,
    needs_sync_from_session,
    session_records_move,
)


class DuplicateSession(Exception):
    """The match already has an entry at this date and time."""

    def __init__(self, existing: SessionLog):
        super().__init__("This session has already been logged.")
        self.existing = existing


class DeadlinePassed(Exception):
    """The program refuses late entries and this month's deadline has passed."""

    def __init__(self, deadline: rules.Deadline):
        super().__init__(
            f"The deadline for {deadline.month_label} sessions was "
            f"{rules.format_day(deadline.due_date)}. Please contact your coordinator."
        )
        self.deadline = deadline


class EntryLocked(PermissionDenied):
    """The mentor may no longer change this entry."""


def _apply(session: SessionLog, data: SessionInput) -> None:
    for name in SessionLog.ENTERED_FIELDS:
        setattr(session, name, getattr(data, name))
    session.starts_at = data.starts_at.replace(second=0, microsecond=0)
    if not data.safety_concern:
        session.safety_concern_details = ""
    # Keep the program's order of kinds, whatever order they were sent in.
    session.resource_needs = [k for k in ResourceNeedKind.values if k in data.resource_needs]
    # The labels are cached by the "before" snapshot: drop them so "after" sees the change.
    session.__dict__.pop("resource_need_labels", None)


def _existing_entry(match: Match, starts_at: dt.datetime, *, exclude_pk=None):
    entries = SessionLog.objects.live().filter(
        match=match, starts_at=starts_at.replace(second=0, microsecond=0)
    )
    if exclude_pk is not None:
        entries = entries.exclude(pk=exclude_pk)
    return entries.first()


def _same_session(session: SessionLog, data: SessionInput) -> bool:
    return session.match_id == data.match.pk and session.starts_at == data.starts_at.replace(
        second=0, microsecond=0
    )


def _keep_in_history(
    session: SessionLog,
    action: str,
    *,
    user: User,
    now: dt.datetime,
    reason: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """One line of the entry's history: who changed it, when, why, and its values
    (``snapshot()``) before and after."""
    SessionLogRevision.objects.create(
        session=session,
        action=action,
        changed_by=user,
        changed_at=now,
        reason=reason.strip(),
        old_values=before or {},
        new_values=after or {},
    )


def _late_check(data: SessionInput, *, program: ProgramSettings, now: dt.datetime) -> bool:
    """Whether the entry is late; raises DeadlinePassed if the program refuses late ones."""
    late = rules.is_late(starts_at=data.starts_at, entered_at=now, policy=program.deadline_policy)
    if late and program.refuses_late_entries:
        raise DeadlinePassed(rules.deadline_for_session(data.starts_at, program.deadline_policy))
    return late


def session_log_create(
    *,
    user: User,
    data: SessionInput,
    submission_token: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> SessionLog:
    """Log one session. The same submission sent twice returns the first entry.

    Raises ValidationError (by field), DuplicateSession or DeadlinePassed.
    """
    now = now or timezone.now()
    program = ProgramSettings.load()
    if submission_token is not None:
        already = SessionLog.objects.filter(
            submission_token=submission_token, entered_by=user
        ).first()
        if already is not None:
            if _same_session(already, data):
                return already
            # The saved form came back (the browser's Back button) for another session.
            submission_token = None
    validate_session_input(data, program=program, now=now)
    existing = _existing_entry(data.match, data.starts_at)
    if existing is not None:
        raise DuplicateSession(existing)
    session = SessionLog(entered_by=user, entered_at=now, submission_token=submission_token)
    _apply(session, data)
    session.is_late = _late_check(data, program=program, now=now)
    try:
        with transaction.atomic():
            session.save()
            _keep_in_history(
                session, RevisionAction.CREATED, user=user, now=now, after=session.snapshot()
            )
            match_activity_after_create(session)
            # The concern, the needs and their emails are stored with the entry, or not at all.
            # (A new entry has none yet: nothing to look up when nothing is ticked.)
            if session.safety_concern:
                concern_sync_from_session(session=session, user=user)
            if session.resource_needs:
                needs_sync_from_session(session=session, user=user)
    except IntegrityError:
        # A concurrent request won the race: either the same submission (return it) or
        # another entry for the same match and time (refuse it).
        if submission_token is not None:
            twin = SessionLog.objects.filter(
                submission_token=submission_token, entered_by=user
            ).first()
            if twin is not None:
                return twin
        existing = _existing_entry(data.match, data.starts_at)
        if existing is not None:
            raise DuplicateSession(existing) from None
        raise
    return session


def mentor_may_change(
    session: SessionLog, *, user: User | None = None, now: dt.datetime | None = None
) -> bool:
    """Whether ``user`` (by default the entry's own mentor) may change or delete it as its
    mentor: until its month's deadline or for 30 minutes after it was saved, unless staff
    reviewed it (``rules.mentor_may_change``)."""
    if session.is_deleted:
        return False
    program = ProgramSettings.load()
    return rules.mentor_may_change(
        own_entry=user is None or session.match.mentor.user_id == user.pk,
        reviewed=session.reviewed_at is not None,
        starts_at=session.starts_at,
        entered_at=session.entered_at,
        now=now or timezone.now(),
        policy=program.deadline_policy,
    )


def _check_may_change(session: SessionLog, *, user: User, now: dt.datetime) -> None:
    if user.is_program_staff:
        if session.is_deleted:
            raise EntryLocked("This entry was deleted.")
        return
    if session.match.mentor.user_id != user.pk:
        raise EntryLocked("This is not your entry.")
    if not mentor_may_change(session, user=user, now=now):
        raise EntryLocked(
            "This entry can no longer be changed by its mentor. Please contact your coordinator."
        )


def session_log_update(
    *,
    session: SessionLog,
    user: User,
    data: SessionInput,
    reason: str = "",
    now: dt.datetime | None = None,
) -> SessionLog:
    """Change an entry, keeping the old values in its history.

    Staff must give a reason; mentors may change their entries until the deadline, and for
    30 minutes after saving one.
    """
    now = now or timezone.now()
    program = ProgramSettings.load()
    _check_may_change(session, user=user, now=now)
    if user.is_program_staff and not reason.strip():
        raise ValidationError({"reason": "Say why you are changing this entry."})
    check_lengths(reason=(reason.strip(), REVISION_REASON_MAX))
    # A retired choice stays on the entry that already uses it (RULES 4.4).
    keep = frozenset({session.type_of_mentoring_id, session.interaction_id})
    validate_session_input(data, program=program, now=now, keep_choices=keep)
    existing = _existing_entry(data.match, data.starts_at, exclude_pk=session.pk)
    if existing is not None:
        raise DuplicateSession(existing)
    old_values = session.snapshot()
    old_match_id = session.match_id
    _apply(session, data)
    if not session.is_late and not user.is_program_staff:
        # A correction in the minutes after saving belongs to that save: an entry made on
        # time does not turn late because its typo was fixed just after the deadline.
        entered = (
            session.entered_at
            if rules.in_correction_window(entered_at=session.entered_at, now=now)
            else now
        )
        session.is_late = _late_check(data, program=program, now=entered)
    new_values = session.snapshot()
    if new_values == old_values:
        return session
    try:
        with transaction.atomic():
            session.save()
            refresh_match_activity(old_match_id, session.match_id)
            _keep_in_history(
                session,
                RevisionAction.UPDATED,
                user=user,
                now=now,
                reason=reason,
                before=old_values,
                after=new_values,
            )
            if user.is_program_staff:
                log_action(
                    actor=user,
                    action="session.corrected",
                    obj=session,
                    old=old_values,
                    new=new_values,
                    note=reason,
                )
            if session.match_id != old_match_id:
                session_records_move(session=session, user=user, now=now)
            concern_sync_from_session(
                session=session, user=user, was_ticked=old_values["safety_concern"], now=now
            )
            needs_sync_from_session(session=session, user=user)
    except IntegrityError:
        existing = _existing_entry(data.match, data.starts_at, exclude_pk=session.pk)
        if existing is not None:
            raise DuplicateSession(existing) from None
        raise
    return session


def session_log_delete(
    *, session: SessionLog, user: User, reason: str = "", now: dt.datetime | None = None
) -> None:
    """Delete an entry from the logs. The row and its history are kept, marked deleted."""
    now = now or timezone.now()
    _check_may_change(session, user=user, now=now)
    check_lengths(reason=(reason.strip(), REVISION_REASON_MAX))
    with transaction.atomic():
        session.deleted_at = now
        session.deleted_by = user
        session.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        refresh_match_activity(session.match_id)
        _keep_in_history(
            session,
            RevisionAction.DELETED,
            user=user,
            now=now,
            reason=reason,
            before=session.snapshot(),
        )
        log_action(actor=user, action="session.deleted", obj=session, note=reason)


def default_choice(list_name: str) -> Choice | None:
    return Choice.objects.filter(list=list_name, is_default=True, is_retired=False).first()


def session_log_add_flags(
    *,
    session: SessionLog,
    user: User,
    needs: list[str] | None = None,
    concern_details: str = "",
    now: dt.datetime | None = None,
) -> SessionLog:
    """Add a child safety concern or resource needs to an entry.

    Reporting is never blocked: a mentor may add these to their own entry even after its
    deadline or review. Nothing already there is removed.
    """
    now = now or timezone.now()
    if session.is_deleted:
        raise EntryLocked("This entry was deleted.")
    if not user.is_program_staff and session.match.mentor.user_id != user.pk:
        raise EntryLocked("This is not your entry.")
    needs = [kind for kind in (needs or []) if kind not in session.resource_needs]
    if set(needs) - set(ResourceNeedKind.values):
        raise ValidationError({"resource_needs": "Choose resource needs from the list."})
    # Sent by a small form of its own, straight from the page: the text rules apply here.
    concern_details = clean_text(concern_details)
    check_lengths(safety_concern_details=(concern_details.strip(), DETAILS_MAX))
    add_concern = bool(concern_details.strip()) and not session.safety_concern
    if not needs and not add_concern:
        raise ValidationError(
            {"safety_concern_details": "Describe the child safety concern, or choose a need."}
        )
    old_values = session.snapshot()
    if add_concern:
        session.safety_concern = True
        session.safety_concern_details = concern_details.strip()
    if needs:
        session.resource_needs = [
            k for k in ResourceNeedKind.values if k in set(session.resource_needs) | set(needs)
        ]
        session.__dict__.pop("resource_need_labels", None)
    with transaction.atomic():
        session.save()
        _keep_in_history(
            session,
            RevisionAction.UPDATED,
            user=user,
            now=now,
            reason="Added after saving",
            before=old_values,
            after=session.snapshot(),
        )
        concern_sync_from_session(session=session, user=user)
        needs_sync_from_session(session=session, user=user)
    return session


# --- "No session this month" (RULES 4.15) and reminder preferences -------------------------


def no_session_month_declare(
    *,
    mentor: Mentor,
    year: int,
    month: int,
    reason: str,
    details: str = "",
    user: User,
    now: dt.datetime | None = None,
) -> NoSessionMonth:
    """Record that a mentor did not meet at all in a month, with the reason.

    Only this month or last month, only when nothing is logged for it, once. It stops
    that month's reminders and shows in staff compliance.
    """
    now = now or timezone.now()
    program = ProgramSettings.load()
    this_month = rules.Month.of(now, program.tz)
    try:
        asked = rules.Month(year, month)
    except rules.MonthError as error:
        raise ValidationError({"month": str(error)}) from None
    label = asked.label
    if asked not in (this_month, this_month.previous()):
        raise ValidationError({"month": "You can say this for this month or last month only."})
    if reason not in NoSessionReason.values:
        raise ValidationError({"reason": "Choose why you did not meet."})
    details = " ".join(details.split())
    if reason == NoSessionReason.OTHER and not details:
        raise ValidationError({"details": "Tell the program in a few words why you did not meet."})
    start, end = asked.bounds(program.tz)
    logged = SessionLog.objects.live().filter(
        match__mentor=mentor, starts_at__gte=start, starts_at__lt=end
    )
    if logged.exists():
        raise ValidationError(
            {"month": f"You have sessions logged in {label}, so it is not a month without any."}
        )
    if not mentor.matches.filter(start_date__lt=end.date()).exists():
        raise ValidationError({"month": f"You had no match in {label}."})
    try:
        with transaction.atomic():
            declared = NoSessionMonth.objects.create(
                mentor=mentor,
                year=year,
                month=month,
                reason=reason,
                details=details[:500],
                declared_by=user,
                declared_at=now,
            )
            log_action(
                actor=user,
                action="no_session_month.declared",
                obj=declared,
                new={"month": f"{year:04d}-{month:02d}", "reason": reason, "details": details},
            )
    except IntegrityError:
        raise ValidationError(
            {"month": f"You have already told the program you did not meet in {label}."}
        ) from None
    return declared


def mentor_set_weekly_reminders(*, mentor: Mentor, enabled: bool, actor: User | None) -> Mentor:
    """Turn the weekly reminder on or off. Deadline reminders cannot be turned off."""
    with transaction.atomic():
        changed = Mentor.objects.filter(pk=mentor.pk).exclude(weekly_reminders=enabled)
        if changed.update(weekly_reminders=enabled):
            log_action(
                actor=actor,
                action="mentor.weekly_reminders_" + ("on" if enabled else "off"),
                obj=mentor,
                new={"weekly_reminders": enabled},
            )
    mentor.weekly_reminders = enabled
    return mentor


def mentor_set_language(*, user: User, language: str) -> User:
    """The language of a mentor's pages and emails: "en" or "es"."""
    if language not in ("en", "es"):
        raise ValueError(f"Unknown language: {language!r}")
    with transaction.atomic():
        if User.objects.filter(pk=user.pk).exclude(language=language).update(language=language):
            log_action(actor=user, action="mentor.language", obj=user, new={"language": language})
    user.language = language
    return user


def mentor_hours_export_record(*, user: User, file_format: str):
    """ "Download my hours" leaves an audit entry, as every export does (RULES 6)."""
    return log_action(
        actor=user,
        action="export.my_hours",
        obj=user.mentor,
        new={"report": "my_hours", "format": file_format},
    )
