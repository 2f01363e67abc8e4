"""Ask, answer and resolve a follow-up. Each step is audited and tells the one who acts next.

Every step is a conditional update on the follow-up's status, so two submits of the same
form (a double tap, a second tab) change it once: the second finds it already moved on
and gets a clear refusal, or, for the same answer sent twice, the first one's result.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from portal.accounts.models import User
from portal.audit.services import log_action
from portal.followups.models import (
    ANSWER_MAX,
    QUESTION_MAX,
    RESOLUTION_NOTE_MAX,
    FollowUp,
    FollowUpStatus,
)
from portal.lib.text import check_lengths, clean_text
from portal.mentoring.models import ProgramSettings, SessionLog
from portal.notifications.services import notification_queue
from portal.texts.services import subscription_for, text_queue

ALREADY_ANSWERED = "This question has already been answered. Thank you: your coordinator has it."
ALREADY_RESOLVED = "Your coordinator has already closed this question: no answer is needed now."
ALREADY_CLOSED_FOR_STAFF = "This follow-up was already resolved."


class FollowUpClosed(Exception):
    """The follow-up has moved past the step asked for; the message says where it is."""


def _entry_date(session: SessionLog, *, language: str = "") -> str:
    """The entry's day for an email, in its reader's language ("jueves 3 de diciembre de 2026")."""
    local = timezone.localtime(session.starts_at, ProgramSettings.load().tz)
    with translation.override(language or settings.LANGUAGE_CODE):
        return date_format(local, gettext("l j F Y"))


def _required(value: str, field: str, message: str, limit: int) -> str:
    value = clean_text(value or "").strip()
    if not value:
        raise ValidationError({field: message})
    check_lengths(**{field: (value, limit)})
    return value


def followup_ask(*, session: SessionLog, user: User, question: str) -> FollowUp:
    """Staff ask the entry's mentor ``question``; the mentor is emailed once (and sent a
    text, when they opted in to texts)."""
    if not user.is_program_staff:
        raise PermissionDenied("Only program staff ask mentors about their entries.")
    question = _required(question, "question", "Write your question to the mentor.", QUESTION_MAX)
    with transaction.atomic():
        session = (
            SessionLog.objects.select_for_update()
            .select_related("match__mentor__user")
            .get(pk=session.pk)
        )
        # The same question sent twice (a double click) is one question.
        existing = FollowUp.objects.filter(
            session=session, asked_by=user, question=question, status=FollowUpStatus.OPEN
        ).first()
        if existing is not None:
            return existing
        followup = FollowUp.objects.create(session=session, asked_by=user, question=question)
        log_action(
            actor=user,
            action="followup.asked",
            obj=followup,
            new={"status": followup.status, "question": question, "session": session.pk},
        )
        mentor = session.match.mentor.user
        notification_queue(
            to=mentor.email,
            template="followup-asked",
            context={
                "first_name": mentor.get_short_name(),
                "entry_date": _entry_date(session, language=mentor.language),
                "answer_path": reverse("followups:answer", args=[followup.pk]),
            },
            recipient_user=mentor,
            subject_type="followup",
            subject_id=followup.pk,
        )
        # By text too, to a mentor who opted in: the date and the link, never the question.
        text_queue(
            subscription=subscription_for(mentor),
            template="followup-asked",
            context={
                "entry_date": _entry_date(session, language=mentor.language),
                "answer_path": reverse("followups:answer", args=[followup.pk]),
            },
            subject_type="followup",
            subject_id=followup.pk,
        )
    return followup


def followup_answer(
    *, followup: FollowUp, user: User, answer: str, now: dt.datetime | None = None
) -> FollowUp:
    """The entry's mentor answers; whoever asked is emailed. Raises ``FollowUpClosed``
    when it was already answered or resolved (the same answer sent twice is not)."""
    if followup.session.match.mentor.user_id != user.pk:
        raise PermissionDenied("Only the mentor of the entry answers its follow-ups.")
    answer = _required(answer, "answer", "Write your answer.", ANSWER_MAX)
    now = now or timezone.now()
    with transaction.atomic():
        changed = FollowUp.objects.filter(pk=followup.pk, status=FollowUpStatus.OPEN).update(
            status=FollowUpStatus.ANSWERED, answer=answer, answered_by=user, answered_at=now
        )
        current = FollowUp.objects.select_related("session", "asked_by").get(pk=followup.pk)
        if not changed:
            if current.answered_by_id == user.pk and current.answer == answer:
                return current  # the same form sent twice: saved once
            if current.status == FollowUpStatus.RESOLVED and not current.answered_at:
                raise FollowUpClosed(ALREADY_RESOLVED)
            raise FollowUpClosed(ALREADY_ANSWERED)
        log_action(
            actor=user,
            action="followup.answered",
            obj=current,
            old={"status": FollowUpStatus.OPEN},
            new={"status": current.status, "answer": answer},
        )
        notification_queue(
            to=current.asked_by.email,
            template="followup-answered",
            context={
                "first_name": current.asked_by.get_short_name(),
                "mentor_name": user.full_name or user.email,
                "entry_date": _entry_date(current.session),
                "session_path": reverse("staff:session_detail", args=[current.session_id]),
            },
            recipient_user=current.asked_by,
            subject_type="followup",
            subject_id=current.pk,
        )
    return current


def followup_resolve(
    *, followup: FollowUp, user: User, note: str = "", now: dt.datetime | None = None
) -> FollowUp:
    """Staff close a follow-up: an answered one, or an open one the mentor need not answer
    any more (then a note says why)."""
    if not user.is_program_staff:
        raise PermissionDenied("Only program staff resolve follow-ups.")
    note = clean_text(note or "").strip()
    check_lengths(resolution_note=(note, RESOLUTION_NOTE_MAX))
    now = now or timezone.now()
    with transaction.atomic():
        current = FollowUp.objects.select_for_update().get(pk=followup.pk)
        if current.status == FollowUpStatus.RESOLVED:
            raise FollowUpClosed(ALREADY_CLOSED_FOR_STAFF)
        if current.status == FollowUpStatus.OPEN and not note:
            raise ValidationError(
                {"resolution_note": "The mentor has not answered yet: say why it can be closed."}
            )
        before = current.status
        current.status = FollowUpStatus.RESOLVED
        current.resolved_by = user
        current.resolved_at = now
        current.resolution_note = note
        current.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
        log_action(
            actor=user,
            action="followup.resolved",
            obj=current,
            old={"status": before},
            new={"status": current.status, "resolution_note": note},
        )
    return current


def followups_blank(session: SessionLog, placeholder: str) -> int:
    """What was asked and answered about ``session`` replaced by ``placeholder``, with its
    notes (the retention purge and the erasure). Who asked, answered and when stay."""
    done = 0
    for followup in FollowUp.objects.filter(session=session):
        for name in FollowUp.CHILD_TEXT_FIELDS:
            if getattr(followup, name):
                setattr(followup, name, placeholder)
        followup.save(update_fields=list(FollowUp.CHILD_TEXT_FIELDS))
        done += 1
    return done
