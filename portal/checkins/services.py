"""Recording a check-in and setting the cadence: each change audited, in one transaction."""

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.audit.services import log_action
from portal.checkins import rules
from portal.checkins.models import CheckIn, CheckInCadence
from portal.mentoring.models import Match
from portal.safeguarding.services import concern_raise


def _audit_values(checkin: CheckIn) -> dict:
    # The notes are about the child: they stay in the record, never in the audit trail.
    return {
        "match": checkin.match_id,
        "with_whom": checkin.with_whom,
        "how": checkin.how,
        "on_date": checkin.on_date.isoformat(),
        "strength": checkin.strength,
        "safety_concern": checkin.safety_concern,
        "concern": checkin.concern_id,
    }


def checkin_record(
    *,
    match: Match,
    user,
    with_whom: str,
    how: str,
    on_date: dt.date,
    at_time: dt.time | None = None,
    notes: str = "",
    strength: int | None = None,
    safety_concern: bool = False,
    concern_description: str = "",
    submission_token: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> CheckIn:
    """Record a check-in; a safety concern raises one concern (SPEC 4.8: staff and the
    school's contacts are told). The same submission sent twice records it once."""
    now = now or timezone.now()
    if submission_token is not None:
        already = CheckIn.objects.filter(submission_token=submission_token).first()
        if already is not None:
            return already
    checkin = CheckIn(
        match=match,
        recorded_by=user,
        recorded_at=now,
        with_whom=with_whom,
        how=how,
        on_date=on_date,
        at_time=at_time,
        notes=notes.strip(),
        strength=strength,
        safety_concern=safety_concern,
        submission_token=submission_token,
    )
    try:
        with transaction.atomic():
            checkin.save()
            if safety_concern:
                checkin.concern = concern_raise(
                    match=match, description=concern_description, raised_by=user, now=now
                )
                checkin.save(update_fields=["concern"])
            log_action(
                actor=user, action="checkin.recorded", obj=checkin, new=_audit_values(checkin)
            )
    except IntegrityError:
        # Two copies of one submission raced: the first one stored is the check-in.
        if submission_token is None:
            raise
        return CheckIn.objects.get(submission_token=submission_token)
    return checkin


def cadence_update(*, user, months: dict[str, int | None]) -> None:
    """Set the months between check-ins of each kind (None: no regular check-in)."""
    with transaction.atomic():
        for kind, value in months.items():
            row = CheckInCadence.objects.filter(kind=kind).first()
            old = row.months if row else rules.DEFAULT_CADENCE_MONTHS.get(kind)
            if old == value:
                continue
            row, _ = CheckInCadence.objects.update_or_create(kind=kind, defaults={"months": value})
            log_action(
                actor=user,
                action="checkin.cadence_changed",
                obj=row,
                old={"months": old},
                new={"months": value},
            )
