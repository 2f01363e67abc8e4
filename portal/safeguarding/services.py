"""The workflow of safety concerns and resource needs.

Each change is one transaction: the record, its audit entry and the emails it causes are
stored together, then the notification worker delivers the emails.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import STAFF_ROLES, User
from portal.audit.services import audited, log_action, status_values
from portal.lib.text import LONG_TEXT_MAX, NOTE_TEXT_MAX, check_lengths
from portal.mentoring import rules
from portal.mentoring.models import Match, ProgramSettings, SessionLog, SiteContact
from portal.notifications.services import notification_queue
from portal.safeguarding.models import (
    ConcernNote,
    ConcernStatus,
    NeedNote,
    NeedStatus,
    ResourceNeed,
    SafetyConcern,
)


class InvalidStep(ValidationError):
    """The concern or need is not at a step where this change makes sense."""


def _concern_values(concern: SafetyConcern) -> dict:
    return {
        "status": concern.status,
        "description": concern.description,
        "acknowledgement_note": concern.acknowledgement_note,
        "outcome": concern.outcome,
    }


def _staff_recipients():
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("pk")


def _moment(value: dt.datetime, tz) -> str:
    """'Monday 2 November 2026, 3:30 PM' in the program's time zone."""
    local = timezone.localtime(value, tz)
    return f"{rules.format_day(local.date())}, {local:%I:%M %p}".replace(" 0", " ")


def _concern_email_context(concern: SafetyConcern) -> dict:
    # No notes and no child details: the recipient signs in to read the concern. The day of
    # the session (not its time) and how soon to acknowledge tell them how urgent it is.
    program = ProgramSettings.load()
    hours = program.concern_acknowledge_hours
    session_day = ""
    if concern.session_id:
        session_day = rules.format_day(
            timezone.localtime(concern.session.starts_at, program.tz).date()
        )
    return {
        "concern_id": concern.pk,
        "site_name": concern.site.name,
        "raised_on": _moment(concern.raised_at, program.tz),
        "session_on": session_day,
        "acknowledge_hours": hours,
        "acknowledge_by": _moment(concern.raised_at + dt.timedelta(hours=hours), program.tz),
        "path": reverse("safeguarding:concern_detail", args=[concern.pk]),
        "raised_by_staff": concern.raised_by.is_program_staff,
    }


def _notify_concern(concern: SafetyConcern, *, template: str, include_site: bool) -> None:
    context = _concern_email_context(concern)
    sent_to: set[str] = set()
    for user in _staff_recipients():
        sent_to.add(user.email)
        notification_queue(
            to=user.email,
            template=template,
            context={**context, "audience": "staff"},
            recipient_user=user,
            subject_type="concern",
            subject_id=concern.pk,
        )
    if not include_site:
        return
    for contact in SiteContact.objects.filter(site=concern.site).select_related("user"):
        if contact.email.lower() in sent_to:
            continue
        sent_to.add(contact.email.lower())
        notification_queue(
            to=contact.email,
            template=template,
            context={**context, "audience": "site", "contact_name": contact.name},
            recipient_user=contact.user,
            subject_type="concern",
            subject_id=concern.pk,
        )


def concern_raise(
    *,
    match: Match,
    description: str,
    raised_by: User,
    session: SessionLog | None = None,
    now: dt.datetime | None = None,
) -> SafetyConcern:
    """Record a concern and notify staff and the school's site contacts at once."""
    if not description.strip():
        raise ValidationError({"description": "Describe the child safety concern."})
    check_lengths(description=(description.strip(), LONG_TEXT_MAX))
    with transaction.atomic():
        concern = SafetyConcern.objects.create(
            match=match,
            site=match.site,
            session=session,
            description=description.strip(),
            raised_by=raised_by,
            raised_at=now or timezone.now(),
        )
        log_action(
            actor=raised_by, action="concern.raised", obj=concern, new=_concern_values(concern)
        )
        _notify_concern(concern, template="concern-raised", include_site=True)
    return concern


def concern_sync_from_session(
    *, session: SessionLog, user: User, was_ticked: bool = False, now: dt.datetime | None = None
) -> SafetyConcern | None:
    """Keep a session's concern record in step with the session after it is saved.

    Ticking the box opens a concern; a description changed while the concern is still New
    updates it. Unticking never deletes a concern: it is marked as withdrawn, for staff to
    decide whether to close it; ticking the box again clears the withdrawal.
    """
    concern = SafetyConcern.objects.filter(session=session).first()
    if concern is None:
        if session.safety_concern:
            return concern_raise(
                match=session.match,
                description=session.safety_concern_details,
                raised_by=user,
                session=session,
            )
        return None
    if session.safety_concern and concern.is_withdrawn:
        _concern_clear_withdrawal(concern, user=user)
    details = session.safety_concern_details.strip()
    if (
        session.safety_concern
        and concern.status == ConcernStatus.NEW
        and details != concern.description
    ):
        with audited(
            concern, actor=user, action="concern.description_changed", values=_concern_values
        ):
            concern.description = details
            concern.save(update_fields=["description"])
    elif not session.safety_concern and was_ticked and not concern.is_withdrawn:
        _concern_withdraw(concern, user=user, now=now or timezone.now())
    return concern


def _withdrawal_values(concern: SafetyConcern) -> dict:
    return {
        "withdrawn_at": concern.withdrawn_at.isoformat() if concern.withdrawn_at else None,
        "withdrawn_by": concern.withdrawn_by_id,
    }


def _concern_withdraw(concern: SafetyConcern, *, user: User, now: dt.datetime) -> None:
    """The box was unticked on the session: the concern stays, marked for staff to decide."""
    concern.withdrawn_at, concern.withdrawn_by = now, user
    concern.save(update_fields=["withdrawn_at", "withdrawn_by"])
    log_action(
        actor=user,
        action="concern.withdrawn",
        obj=concern,
        new=_withdrawal_values(concern),
        note="The box was unticked on the session; the concern stays for staff to decide.",
    )


def _concern_clear_withdrawal(concern: SafetyConcern, *, user: User) -> None:
    with audited(
        concern,
        actor=user,
        action="concern.withdrawal_cleared",
        values=_withdrawal_values,
        note="The box was ticked again on the session.",
    ):
        concern.withdrawn_at = concern.withdrawn_by = None
        concern.save(update_fields=["withdrawn_at", "withdrawn_by"])


def _placement_values(concern: SafetyConcern) -> dict:
    return {
        **_concern_values(concern),
        "match": concern.match_id,
        "site": concern.site_id,
        "acknowledged_by": concern.acknowledged_by_id,
        "acknowledged_at": (
            concern.acknowledged_at.isoformat() if concern.acknowledged_at else None
        ),
    }


def _need_placement(need: ResourceNeed) -> dict:
    return {"match": need.match_id, "status": need.status}


def session_records_move(
    *, session: SessionLog, user: User, now: dt.datetime | None = None
) -> None:
    """Move a session's concern and needs to the match the session now belongs to.

    Called in the transaction that changes the session's match. A concern is about the
    child of its session: it takes the new match and school, so the old school's contacts
    can no longer open it (access follows the concern's school) and the new school's can.

    - An open concern moved to another school is told to that school's contacts and to
      staff. If it was acknowledged, it is New again: an acknowledgement from another
      school does not tell the program that this school has read it. The old
      acknowledgement stays on the audit entry of the move, and the new school's time to
      acknowledge starts at the move.
    - A closed concern moves too, so the record stays with the child, but nobody is emailed.
    - A move between two children of the same school changes the child only; the school's
      contacts already see the concern and nobody is emailed.
    - Every need of the session moves, whatever its status: needs belong to their session.
    """
    now = now or timezone.now()
    new_match = session.match
    concern = (
        SafetyConcern.objects.select_for_update()
        .select_related("site", "match")
        .filter(session=session)
        .exclude(match=new_match)
        .first()
    )
    if concern is not None:
        _concern_move(concern, match=new_match, user=user, now=now)
    for need in ResourceNeed.objects.filter(session=session).exclude(match=new_match):
        with audited(
            need,
            actor=user,
            action="need.moved",
            values=_need_placement,
            note="Moved with its session to another match.",
        ):
            need.match = new_match
            need.save(update_fields=["match", "updated_at"])


def _concern_move(concern: SafetyConcern, *, match: Match, user: User, now: dt.datetime) -> None:
    new_school = match.site_id != concern.site_id
    note = (
        f"Moved with its session from {concern.site.name} to {match.site.name}."
        if new_school
        else "Moved with its session to another child at the same school."
    )
    with audited(concern, actor=user, action="concern.moved", values=_placement_values, note=note):
        concern.match, concern.site = match, match.site
        if new_school and concern.status != ConcernStatus.CLOSED:
            concern.moved_at, concern.escalated_at = now, None
            if concern.status == ConcernStatus.ACKNOWLEDGED:
                concern.status = ConcernStatus.NEW
                concern.acknowledged_by = concern.acknowledged_at = None
                concern.acknowledgement_note = ""
        concern.save()
    if new_school and concern.status != ConcernStatus.CLOSED:
        _notify_concern(concern, template="concern-moved", include_site=True)


def concern_acknowledge(
    *, concern: SafetyConcern, user: User, note: str = "", now: dt.datetime | None = None
) -> SafetyConcern:
    if concern.status != ConcernStatus.NEW:
        raise InvalidStep("This concern has already been acknowledged.")
    check_lengths(note=(note.strip(), NOTE_TEXT_MAX))
    with (
        transaction.atomic(),
        audited(concern, actor=user, action="concern.acknowledged", values=_concern_values),
    ):
        # Conditional update: two people acknowledging at once record one acknowledgement.
        changed = SafetyConcern.objects.filter(pk=concern.pk, status=ConcernStatus.NEW).update(
            status=ConcernStatus.ACKNOWLEDGED,
            acknowledged_by=user,
            acknowledged_at=now or timezone.now(),
            acknowledgement_note=note.strip(),
        )
        if not changed:
            raise InvalidStep("This concern has already been acknowledged.")
        concern.refresh_from_db()
    return concern


def concern_close(
    *, concern: SafetyConcern, user: User, outcome: str, now: dt.datetime | None = None
) -> SafetyConcern:
    if not user.is_program_staff:
        raise InvalidStep("Only program staff close concerns.")
    if not outcome.strip():
        raise ValidationError({"outcome": "Say what was done, so the record is complete."})
    check_lengths(outcome=(outcome.strip(), NOTE_TEXT_MAX))
    if concern.status == ConcernStatus.CLOSED:
        raise InvalidStep("This concern is already closed.")
    now = now or timezone.now()
    with (
        transaction.atomic(),
        audited(concern, actor=user, action="concern.closed", values=_concern_values),
    ):
        if concern.status == ConcernStatus.NEW:
            concern.acknowledged_by, concern.acknowledged_at = user, now
        concern.status = ConcernStatus.CLOSED
        concern.closed_by, concern.closed_at, concern.outcome = user, now, outcome.strip()
        concern.save()
    return concern


def concern_add_note(*, concern: SafetyConcern, user: User, text: str) -> ConcernNote:
    if concern.status == ConcernStatus.CLOSED:
        raise InvalidStep("This concern is closed: notes can no longer be added.")
    if not text.strip():
        raise ValidationError({"text": "Write the note before adding it."})
    check_lengths(text=(text.strip(), NOTE_TEXT_MAX))
    with transaction.atomic():
        note = ConcernNote.objects.create(concern=concern, author=user, text=text.strip())
        log_action(actor=user, action="concern.note_added", obj=concern, new={"note": note.text})
    return note


def concern_record_view(*, concern: SafetyConcern, user: User) -> None:
    """Every look at a concern is on its record (RULES 6)."""
    log_action(actor=user, action="concern.viewed", obj=concern)


def concerns_escalate(*, now: dt.datetime | None = None) -> int:
    """Raise again to staff each concern not acknowledged in the program's time.

    Idempotent: a concern is claimed with a conditional update, so running this twice, or
    in two processes at once, raises each concern again only once.
    """
    now = now or timezone.now()
    program = ProgramSettings.load()
    cutoff = now - dt.timedelta(hours=program.concern_acknowledge_hours)
    # A concern moved to another school waits from the move: that school heard of it then.
    due = (
        SafetyConcern.objects.filter(
            status=ConcernStatus.NEW, escalated_at__isnull=True, raised_at__lte=cutoff
        )
        .filter(Q(moved_at__isnull=True) | Q(moved_at__lte=cutoff))
        .values_list("pk", flat=True)
    )
    escalated = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = SafetyConcern.objects.filter(
                pk=pk, status=ConcernStatus.NEW, escalated_at__isnull=True
            ).update(escalated_at=now)
            if not claimed:
                continue
            concern = SafetyConcern.objects.select_related("site", "session").get(pk=pk)
            log_action(
                actor=None,
                action="concern.escalated",
                obj=concern,
                note=f"Not acknowledged within {program.concern_acknowledge_hours} hours.",
            )
            _notify_concern(concern, template="concern-escalated", include_site=False)
            escalated += 1
    return escalated


# --- Resource needs -------------------------------------------------------------------


def needs_sync_from_session(*, session: SessionLog, user: User) -> list[ResourceNeed]:
    """Open a need for each kind newly ticked on a session. Unticking closes nothing."""
    existing = set(session.needs.values_list("kind", flat=True))
    opened = []
    for kind in session.resource_needs:
        if kind in existing:
            continue
        need = ResourceNeed.objects.create(
            session=session,
            match=session.match,
            kind=kind,
            details=session.resource_needs_details,
        )
        log_action(
            actor=user, action="need.opened", obj=need, new={"kind": kind, "status": need.status}
        )
        opened.append(need)
    return opened


NEED_STEPS = {
    NeedStatus.OPEN: {NeedStatus.REFERRED, NeedStatus.CLOSED},
    NeedStatus.REFERRED: {NeedStatus.CLOSED, NeedStatus.OPEN},
    NeedStatus.CLOSED: {NeedStatus.OPEN},
}


def need_update(*, need: ResourceNeed, user: User, status: str, note: str = "") -> ResourceNeed:
    """Move a need along (Open -> Referred -> Closed, or reopen it), with a note."""
    if status not in NEED_STEPS.get(need.status, set()) and status != need.status:
        raise InvalidStep("That step is not possible from here.")
    if status == need.status and not note.strip():
        raise ValidationError({"note": "Write a note, or choose a new status."})
    check_lengths(note=(note.strip(), NOTE_TEXT_MAX))
    with (
        transaction.atomic(),
        audited(need, actor=user, action="need.updated", values=status_values, note=note),
    ):
        NeedNote.objects.create(
            need=need, author=user, text=note.strip(), status_from=need.status, status_to=status
        )
        need.status = status
        need.save(update_fields=["status", "updated_at"])
    return need
