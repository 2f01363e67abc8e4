"""What the portal forgets, and when: notes past the program's retention time, one
child's records when their school asks, and expired sign-in sessions (with the drafts
kept in them). Each is safe to run twice; the first two are audited."""

import datetime as dt
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.services import log_action
from portal.checkins.models import CheckIn
from portal.followups.services import followups_blank
from portal.lifecycle import forgetting
from portal.lifecycle.forgetting import (
    ERASED_NAME,
    ERASED_PLACEHOLDER,
    RETENTION_PLACEHOLDER,
    without_name,
)
from portal.mentoring.models import (
    Match,
    MatchStatus,
    Mentee,
    MenteeStatus,
    NoSessionMonth,
    ProgramSettings,
    SessionLog,
    SessionLogRevision,
)
from portal.safeguarding.models import ConcernNote, NeedNote, ResourceNeed, SafetyConcern

# Sessions blanked per run of the purge: a few seconds, so emails never wait long behind it.
PURGE_BATCH = 500
# Text the database requires while a box is ticked (constraint "session_concern_described"):
# like a required field, it keeps the placeholder then.
REQUIRED_WHILE = {(SessionLog, "safety_concern_details"): "safety_concern"}

# Which fields hold text about a child is declared on each model (CHILD_TEXT_FIELDS):
# everything below reads those declarations, never a list of its own.


def _blanked(obj, placeholder: str) -> list[str]:
    """Replace the child text fields of ``obj``: by ``placeholder`` where the record must
    still say something (a required field), by nothing elsewhere. Returns their names."""
    model = type(obj)
    names = list(model.CHILD_TEXT_FIELDS)
    for name in names:
        ticked = REQUIRED_WHILE.get((model, name))
        required = not model._meta.get_field(name).blank or (ticked and getattr(obj, ticked))
        setattr(obj, name, placeholder if required else "")
    return names


def _blank_session(session: SessionLog, placeholder: str) -> None:
    """Replace what was written in a session, its history and its needs by ``placeholder``.

    Hours, dates, attendance and the ticked boxes stay: they are the mentor's record of
    service and the program's counts, and say nothing about the child.
    """
    session.save(update_fields=[*_blanked(session, placeholder), "updated_at"])
    for revision in SessionLogRevision.objects.filter(session=session):
        for name in SessionLogRevision.CHILD_TEXT_FIELDS:
            values = getattr(revision, name)  # a session's snapshot()
            for key in SessionLog.CHILD_TEXT_FIELDS:
                if values.get(key):
                    values[key] = placeholder
        revision.save(update_fields=list(SessionLogRevision.CHILD_TEXT_FIELDS))
    for need in ResourceNeed.objects.filter(session=session):
        need.save(update_fields=_blanked(need, placeholder))
    followups_blank(session, placeholder)


def _de_identified(obj, name: str) -> None:
    """The child's first name replaced by "[the child]" in every child text field of
    ``obj``, which is kept."""
    names = type(obj).CHILD_TEXT_FIELDS
    for field in names:
        setattr(obj, field, without_name(getattr(obj, field), name))
    obj.save(update_fields=list(names))


def retention_cutoff(program: ProgramSettings, now: dt.datetime) -> dt.datetime | None:
    years = program.session_notes_retention_years
    if not years:
        return None
    local = timezone.localtime(now, program.tz)
    try:
        return local.replace(year=local.year - years)
    except ValueError:  # 29 February
        return local.replace(year=local.year - years, day=28)


def _purge_beyond_the_session(session: SessionLog, program: ProgramSettings) -> None:
    """Staff's notes on the session's needs, and the audit trail's copies of what was
    written (a staff correction keeps the notes before and after), go with the notes."""
    forgetting.session_records_purge(
        session,
        RETENTION_PLACEHOLDER,
        note=f"Older than {program.session_notes_retention_years} years.",
    )


def sessions_purge_expired(*, now: dt.datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Blank the notes of up to ``batch`` sessions held before the retention time; return
    how many (the worker runs it again at once after a full batch: portal/schedule.py).

    Off unless an administrator sets ``session_notes_retention_years``. Each session is
    claimed with a conditional update, so two workers never blank (or audit) it twice,
    and a second run finds nothing to do. Staff's notes on the session's needs, and the
    text in the audit entries of the session, its history, its needs and their notes
    (a staff correction keeps the notes before and after) are blanked with it; who did
    what, when, and which fields changed stay. Concerns and their notes are not touched:
    safeguarding records follow their own, longer, legal retention.
    """
    program = ProgramSettings.load()
    cutoff = retention_cutoff(program, now or timezone.now())
    if cutoff is None:
        return 0
    done = 0
    candidates = (
        SessionLog.objects.filter(starts_at__lt=cutoff)
        .exclude(notes=RETENTION_PLACEHOLDER)
        .exclude(notes=ERASED_PLACEHOLDER)
        .order_by("pk")  # not by date: no sort of every old session for a batch
        .values_list("pk", flat=True)[:batch]
    )
    for pk in list(candidates):
        with transaction.atomic():
            claimed = (
                SessionLog.objects.filter(pk=pk)
                .exclude(notes=RETENTION_PLACEHOLDER)
                .update(notes=RETENTION_PLACEHOLDER)
            )
            if not claimed:
                continue  # another worker took it
            session = SessionLog.objects.get(pk=pk)
            _blank_session(session, RETENTION_PLACEHOLDER)
            _purge_beyond_the_session(session, program)
            log_action(
                actor=None,
                action="session.notes_purged",
                obj=session,
                note=f"Older than {program.session_notes_retention_years} years.",
            )
            done += 1
    return done


@dataclass(frozen=True)
class ErasureSummary:
    sessions: int
    needs: int
    concerns: int
    matches: int

    def __str__(self) -> str:
        return (
            f"{self.sessions} sessions erased, {self.needs} needs erased, "
            f"{self.concerns} concerns kept and de-identified, {self.matches} matches"
        )


def signin_sessions_clear_expired(*, now: dt.datetime | None = None) -> int:
    """Delete expired sign-in sessions (Django's ``clearsessions``): each one may hold a
    draft typed while signed out. Returns how many went (0 when the sessions are not
    kept in the database: their store clears them its own way).

    The worker runs it once a day (portal/schedule.py), through Django's index on the
    expiry date; a second run finds nothing left to delete.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        store.clear_expired()
        return 0
    expired = store.get_model_class().objects.filter(expire_date__lt=now or timezone.now())
    deleted, _ = expired.delete()
    return deleted


def mentee_erase(*, mentee: Mentee, user: User, reason: str) -> ErasureSummary:
    """Erase what the portal holds about one child, at their school's request.

    What goes and what stays, and why:

    - **Session notes** about the child (and the history of changes to them, the
      details of family needs, and staff's check-in notes) are erased: they are the most
      personal record and the program no longer needs them once the school withdraws
      the child.
    - **Sessions** stay as rows, with dates, hours and attendance: they are the
      mentor's record of volunteering and the funders' totals, and without the notes
      and the name they say nothing about the child.
    - **Safety concerns are kept, de-identified**: a concern is safeguarding evidence
      the program may have to produce later (to the school, to child protection
      services), so it is never deleted (RULES 3). Its link to the child's name is cut
      (the mentee record is renamed) and the child's first name is replaced by
      "[the child]" in its description and notes; the who-did-what-when stays.
    - **Closed matches and months without sessions** lose the child's first name in their
      reason and details, like the concerns.
    - **The mentee** stays as an anonymous, inactive row ("Erased X.") so that the
      concerns and sessions above keep a valid match; their matches are closed.
    - **The audit trail** records the erasure (who, when, the reason, the counts) but
      not the name. Earlier audit entries about every kind of the child's records
      (``forgetting.records_about``: the mentee, matches, sessions and their history,
      needs and their notes, concerns and their notes, the mentors' months without
      sessions) lose the name; those about erased records (sessions, needs) lose their
      text too, as the records do.
    - **Contact messages** sent from the address of one of the child's mentors, staff's
      answers to them and their audit entries lose the child's first name; so do the
      **outbox** rows of emails about the child's concerns and those messages (an email
      still waiting goes out without the name). Not caught: a message about the child
      from another address, and everywhere a nickname or another spelling of the name
      (``forgetting.contact_messages_forget_child``, ``forgetting.outbox_forget_child``):
      staff should read the kept concerns and the Contact queue.

    Only administrators may do this. Running it again changes nothing more.
    """
    if not user.is_administrator:
        raise PermissionDenied("Only an administrator can erase a mentee's records.")
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why (for example: the school's request of 3 March).")
    name = mentee.first_name
    now = timezone.now()
    with transaction.atomic():
        mentee = Mentee.objects.select_for_update().get(pk=mentee.pk)
        matches = Match.objects.filter(mentee=mentee)
        sessions = SessionLog.objects.filter(match__in=matches)
        session_count = 0
        for session in sessions:
            if session.notes != ERASED_PLACEHOLDER:
                _blank_session(session, ERASED_PLACEHOLDER)
                session_count += 1
        needs = ResourceNeed.objects.filter(match__in=matches)
        for note in NeedNote.objects.filter(need__in=needs):
            if any(getattr(note, field) for field in NeedNote.CHILD_TEXT_FIELDS):
                for field in NeedNote.CHILD_TEXT_FIELDS:
                    setattr(note, field, ERASED_PLACEHOLDER)
                note.save(update_fields=list(NeedNote.CHILD_TEXT_FIELDS))
        # A coordinator's check-in notes about the child go like the session notes.
        for checkin in CheckIn.objects.filter(match__in=matches):
            written = [f for f in CheckIn.CHILD_TEXT_FIELDS if getattr(checkin, f)]
            for field in written:
                setattr(checkin, field, ERASED_PLACEHOLDER)
            if written:
                checkin.save(update_fields=written)
        concerns = SafetyConcern.objects.filter(match__in=matches)
        for concern in concerns:
            _de_identified(concern, name)
            for note in ConcernNote.objects.filter(concern=concern):
                _de_identified(note, name)
        mentors = matches.values("mentor")
        for month in NoSessionMonth.objects.filter(mentor__in=mentors).exclude(details=""):
            _de_identified(month, name)
        closed = 0
        for match in matches:
            if match.status == MatchStatus.ACTIVE:
                match.status = MatchStatus.CLOSED
                match.end_date = max(timezone.localdate(now), match.start_date)
                match.closure_reason = "Records erased at the school's request."
                match.save(update_fields=["status", "end_date", "closure_reason"])
                closed += 1
            else:
                _de_identified(match, name)
        # Every audit entry about any of the child's records, whatever its kind.
        audit_entries = forgetting.audit_trail_forget_child(mentee, name)
        messages = forgetting.contact_messages_forget_child(
            mentee, name, note="A child's records were erased at the school's request."
        )
        emails = forgetting.outbox_forget_child(name, concerns=concerns, contact_messages=messages)
        mentee.first_name = ERASED_NAME
        mentee.status = MenteeStatus.INACTIVE
        mentee.save()
        summary = ErasureSummary(
            sessions=session_count,
            needs=needs.count(),
            concerns=concerns.count(),
            matches=matches.count(),
        )
        log_action(
            actor=user,
            action="mentee.erased",
            obj=mentee,
            new={
                "sessions": summary.sessions,
                "needs": summary.needs,
                "concerns": summary.concerns,
                "matches_closed": closed,
                "audit_entries": audit_entries,
                "contact_messages": len(messages),
                "emails": emails,
            },
            note=reason,
        )
    return summary
