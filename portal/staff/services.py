"""Writes of the staff workspace. Each runs in a transaction and leaves an audit entry."""

import datetime as dt
from collections.abc import Iterable

from django.db import models, transaction
from django.utils import timezone

from portal.accounts import people
from portal.accounts.models import User
from portal.audit.services import audited, log_action
from portal.lib.text import check_lengths
from portal.mentoring.models import (
    CLOSURE_REASON_MAX,
    Choice,
    Match,
    MatchStatus,
    Mentor,
    MentorStatus,
    ProgramSettings,
    SessionLog,
)
from portal.readiness import agreements as readiness_agreements


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    return {name: _plain(getattr(obj, name)) for name in fields}


@transaction.atomic
def record_save(*, user: User, form, action_prefix: str) -> models.Model:
    """Save a ModelForm's record, auditing the fields that changed (old and new values)."""
    instance = form.instance
    creating = instance.pk is None
    old = {}
    if not creating:
        before = type(instance).objects.get(pk=instance.pk)
        old = snapshot(before, form.changed_data)
    obj = form.save()
    log_action(
        actor=user,
        action=f"{action_prefix}.{'created' if creating else 'changed'}",
        obj=obj,
        old=old,
        new=snapshot(obj, form.changed_data if not creating else form.fields),
    )
    return obj


# What the audit keeps of a closure: the answers, never the notes (they are about a child
# and the erasure could not reach them in the trail); only whether there were any.
CLOSURE_FIELDS = [
    "status",
    "end_date",
    "closed_by_whom",
    "closure_choice",
    "last_meeting_on",
    "closure_talk_with_mentor",
    "closure_talk_with_family",
]


def closure_values(match: Match) -> dict:
    return {**snapshot(match, CLOSURE_FIELDS), "notes_given": bool(match.closure_reason)}


@transaction.atomic
def match_close(
    *,
    match: Match,
    user: User,
    end_date: dt.date,
    reason: Choice | None = None,
    closed_by_whom: str = "",
    last_meeting_on: dt.date | None = None,
    talk_with_mentor: bool | None = None,
    talk_with_family: bool | None = None,
    notes: str = "",
) -> Match:
    """Close a match on ``end_date`` with the closure's answers (SPEC 8). Its entries stay
    in every report; its mentor can log nothing dated after ``end_date``."""
    check_lengths(notes=(notes.strip(), CLOSURE_REASON_MAX))
    with audited(match, actor=user, action="match.closed", values=closure_values):
        match.status = MatchStatus.CLOSED
        match.end_date = end_date
        match.closure_choice = reason
        match.closed_by_whom = closed_by_whom
        match.last_meeting_on = last_meeting_on
        match.closure_talk_with_mentor = talk_with_mentor
        match.closure_talk_with_family = talk_with_family
        match.closure_reason = notes.strip()
        match.full_clean()
        match.save(update_fields=[*CLOSURE_FIELDS, "closure_reason"])
    return match


@transaction.atomic
def match_reopen(*, match: Match, user: User) -> Match:
    """Undo a closure made by mistake: the match is active again, its closure answers go
    (the audit entry keeps them, without the notes)."""
    with audited(match, actor=user, action="match.reopened", values=closure_values):
        match.status = MatchStatus.ACTIVE
        match.end_date = None
        match.closure_choice = None
        match.closed_by_whom = ""
        match.last_meeting_on = None
        match.closure_talk_with_mentor = None
        match.closure_talk_with_family = None
        match.closure_reason = ""
        match.save(update_fields=[*CLOSURE_FIELDS, "closure_reason"])
    return match


@transaction.atomic
def mentor_deactivate(*, mentor: Mentor, user: User, reason: str = "") -> Mentor:
    """Mark a mentor inactive and stop their sign-in. Their records stay."""
    with audited(
        mentor,
        actor=user,
        action="mentor.deactivated",
        values=lambda record: {"status": record.status, "is_active": record.user.is_active},
        note=reason,
    ):
        mentor.status = MentorStatus.INACTIVE
        mentor.save(update_fields=["status"])
        mentor.user.is_active = False
        mentor.user.save(update_fields=["is_active"])
    return mentor


@transaction.atomic
def sessions_mark_reviewed(*, sessions, user: User, now: dt.datetime | None = None) -> int:
    """Mark entries reviewed (they lock for their mentors). One UPDATE, one audit entry each.

    Entries already reviewed keep their first review.
    """
    now = now or timezone.now()
    pending = list(sessions.filter(reviewed_at__isnull=True).values_list("pk", flat=True))
    if not pending:
        return 0
    SessionLog.objects.filter(pk__in=pending, reviewed_at__isnull=True).update(
        reviewed_at=now, reviewed_by=user, updated_at=now
    )
    from portal.audit.models import AuditEvent

    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=user,
            action="session.reviewed",
            object_type="mentoring.sessionlog",
            object_id=pk,
            new_values={"reviewed_at": now.isoformat()},
            created_at=now,
        )
        for pk in pending
    )
    return len(pending)


@transaction.atomic
def program_settings_update(*, user: User, form) -> ProgramSettings:
    """Save the program settings; the audit entry keeps old and new values."""
    before = ProgramSettings.objects.get(pk=1)
    old = snapshot(before, form.changed_data)
    settings = form.save()
    if readiness_agreements.agreement_texts_changed(settings, form.changed_data):
        # Mentors accept the new version at their next sign-in (portal/readiness).
        readiness_agreements.agreement_version_record(user=user)
    if form.changed_data:
        log_action(
            actor=user,
            action="programsettings.changed",
            obj=settings,
            old=old,
            new=snapshot(settings, form.changed_data),
        )
    return settings


@transaction.atomic
def choice_add(*, user: User, list_name: str, label: str) -> Choice:
    position = (
        Choice.objects.filter(list=list_name).aggregate(top=models.Max("position"))["top"] or 0
    )
    choice = Choice(list=list_name, label=label.strip(), position=position + 1)
    choice.full_clean()
    choice.save()
    log_action(
        actor=user, action="choice.created", obj=choice, new=snapshot(choice, ["list", "label"])
    )
    return choice


@transaction.atomic
def choice_set_retired(*, user: User, choice: Choice, retired: bool) -> Choice:
    """Retire a choice (it stays on the entries that used it) or bring it back."""
    if retired and choice.is_default:
        from django.core.exceptions import ValidationError

        raise ValidationError("Make another choice the default before retiring this one.")
    with audited(
        choice,
        actor=user,
        action="choice.retired" if retired else "choice.restored",
        values=lambda record: {"is_retired": record.is_retired},
    ):
        choice.is_retired = retired
        choice.save(update_fields=["is_retired"])
    return choice


@transaction.atomic
def choice_set_spanish(*, user: User, choice: Choice, label_es: str) -> Choice:
    """The label Spanish-speaking mentors see (empty: the English one)."""
    with audited(
        choice,
        actor=user,
        action="choice.spanish_label",
        values=lambda record: {"label_es": record.label_es},
    ):
        choice.label_es = label_es.strip()
        choice.full_clean()
        choice.save(update_fields=["label_es"])
    return choice


@transaction.atomic
def choice_make_default(*, user: User, choice: Choice) -> Choice:
    if choice.is_retired:
        from django.core.exceptions import ValidationError

        raise ValidationError("A retired choice cannot be the default.")
    previous = Choice.objects.filter(list=choice.list, is_default=True).exclude(pk=choice.pk)
    old_default = previous.first()
    previous.update(is_default=False)
    choice.is_default = True
    choice.save(update_fields=["is_default"])
    log_action(
        actor=user,
        action="choice.made_default",
        obj=choice,
        old={"default": str(old_default) if old_default else ""},
        new={"default": choice.label},
    )
    return choice


def export_record(
    *,
    user: User,
    report: str,
    file_format: str,
    filters: dict,
    include_children: bool,
    date_range: tuple | None = None,
):
    """Every export leaves an audit entry; including children's names and notes is noted,
    and so is the range of days of a sessions export (as read: the address is in
    ``filters`` as it was typed)."""
    program = ProgramSettings.load()
    new = {
        "report": report,
        "format": file_format,
        "filters": filters,
        "include_children_names_and_notes": include_children,
    }
    if date_range is not None:
        new["date_range"] = {
            "from": date_range[0].isoformat() if date_range[0] else None,
            "to": date_range[1].isoformat() if date_range[1] else None,
        }
    return log_action(
        actor=user,
        action="export.with_children" if include_children else "export.deidentified",
        obj=program,
        new=new,
        note=(
            "Staff chose to include children's names and notes"
            if include_children
            else "De-identified export"
        ),
    )


@transaction.atomic
def mentor_save(*, user: User, mentor: Mentor | None, data: dict) -> Mentor:
    """Create a mentor (an account without a password: they enrol by invitation) or change one."""
    if mentor is None:
        mentor = people.mentor_create(
            email=data["email"],
            full_name=data["full_name"],
            phone=data.get("phone", ""),
            status=data["status"],
        )
        log_action(actor=user, action="mentor.created", obj=mentor, new=dict(data))
        return mentor
    old = {
        "full_name": mentor.user.full_name,
        "email": mentor.user.email,
        "phone": mentor.user.phone,
        "status": mentor.status,
    }
    mentor.user.full_name = data["full_name"]
    mentor.user.email = data["email"]
    mentor.user.phone = data.get("phone", "")
    mentor.user.save(update_fields=["full_name", "email", "phone"])
    mentor.status = data["status"]
    mentor.save(update_fields=["status"])
    new = {key: data.get(key, "") for key in old}
    changed = {k for k in old if old[k] != new[k]}
    if changed:
        log_action(
            actor=user,
            action="mentor.changed",
            obj=mentor,
            old={k: old[k] for k in changed},
            new={k: new[k] for k in changed},
        )
    return mentor
