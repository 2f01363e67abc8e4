"""Readiness writes: the program's items and setting, a mentor's records and training,
the nightly check, the expiry reminders and the agreement versions. Each change is
audited in the transaction that makes it; emails are queued in the same transaction."""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from portal.audit.services import log_action
from portal.lib.text import check_lengths, clean_text
from portal.mentoring.models import Mentor, MentorStatus, ProgramSettings
from portal.mentoring.rules import format_day
from portal.notifications.services import notification_queue
from portal.readiness import rules, selectors
from portal.readiness.models import (
    FLAG_REASONS_MAX,
    NOTE_MAX,
    TOPIC_MAX,
    ExpiryReminder,
    MatchReadinessFlag,
    NotReadyPolicy,
    ReadinessItem,
    ReadinessRecord,
    ReadinessSettings,
    RecordSource,
    TrainingLog,
    WhoRecords,
)

logger = logging.getLogger("portal.readiness")


def _item_values(item: ReadinessItem) -> dict:
    return {
        "name": item.name,
        "name_es": item.name_es,
        "required": item.required,
        "valid_months": item.valid_months,
        "who_records": item.who_records,
        "is_retired": item.is_retired,
    }


@transaction.atomic
def item_save(
    *,
    user,
    item: ReadinessItem | None = None,
    name: str,
    required: bool,
    valid_months: int | None,
    who_records: str,
    is_retired: bool = False,
    name_es: str = "",
) -> ReadinessItem:
    """Add an item to the program's requirements, or change one (audited, old and new)."""
    creating = item is None
    if creating:
        top = ReadinessItem.objects.aggregate(top=models.Max("position"))["top"] or 0
        item = ReadinessItem(position=top + 1)
    old = {} if creating else _item_values(item)
    item.name = " ".join(name.split())
    item.name_es = " ".join(name_es.split())
    item.required = required
    item.valid_months = valid_months
    item.who_records = who_records
    item.is_retired = is_retired
    item.full_clean()
    item.save()
    log_action(
        actor=user,
        action="readiness.item_created" if creating else "readiness.item_changed",
        obj=item,
        old=old,
        new=_item_values(item),
    )
    return item


@transaction.atomic
def settings_update(*, user, not_ready_matches: str) -> ReadinessSettings:
    row = ReadinessSettings.load()
    if row.not_ready_matches != not_ready_matches:
        old = row.not_ready_matches
        row.not_ready_matches = not_ready_matches
        row.full_clean()
        row.save()
        log_action(
            actor=user,
            action="readiness.settings_changed",
            obj=row,
            old={"not_ready_matches": old},
            new={"not_ready_matches": not_ready_matches},
        )
    return row


def _record_values(record: ReadinessRecord) -> dict:
    return {
        "mentor": record.mentor_id,
        "item": record.item_id,
        "done_on": record.done_on.isoformat(),
        "note": record.note,
        "source": record.source,
    }


def record_add(
    *,
    mentor: Mentor,
    item: ReadinessItem,
    done_on: dt.date,
    user,
    note: str = "",
    source: str = RecordSource.STAFF,
    training: TrainingLog | None = None,
    now: dt.datetime | None = None,
) -> ReadinessRecord:
    """Record that ``mentor`` did ``item`` on ``done_on``. The same item on the same day
    recorded twice (a double click, an import repeated) is one record. Lifts the nightly
    check's flag of the mentor's matches once they are ready."""
    now = now or timezone.now()
    note = clean_text(note, multiline=False).strip()
    check_lengths(note=(note, NOTE_MAX))
    problem = rules.done_date_problem(done_on, today=timezone.localdate(now, _tz()))
    if problem:
        raise ValidationError({"done_on": problem})
    existing = ReadinessRecord.objects.filter(mentor=mentor, item=item, done_on=done_on).first()
    if existing is not None:
        return existing
    record = ReadinessRecord(
        mentor=mentor,
        item=item,
        done_on=done_on,
        recorded_by=user,
        recorded_at=now,
        note=note,
        source=source,
        training=training,
    )
    try:
        with transaction.atomic():
            record.save()
            log_action(
                actor=user, action="readiness.recorded", obj=record, new=_record_values(record)
            )
            _lift_flags_if_ready(mentor, today=timezone.localdate(now, _tz()))
    except IntegrityError:
        # Two copies of one submission raced: the first one stored is the record.
        return ReadinessRecord.objects.get(mentor=mentor, item=item, done_on=done_on)
    return record


@transaction.atomic
def record_remove(*, record: ReadinessRecord, user, reason: str) -> None:
    """Remove a record entered by mistake (the wrong mentor, item or day); the audit entry
    keeps what it said and why it went."""
    reason = clean_text(reason, multiline=False).strip()
    if not reason:
        raise ValidationError({"reason": "Say why the record is removed."})
    check_lengths(reason=(reason, NOTE_MAX))
    log_action(
        actor=user,
        action="readiness.record_removed",
        obj=record,
        old=_record_values(record),
        note=reason,
    )
    record.delete()


def _tz():
    return ProgramSettings.load().tz


def _lift_flags_if_ready(mentor: Mentor, *, today: dt.date) -> None:
    flags = list(MatchReadinessFlag.objects.filter(match__mentor=mentor))
    if not flags or not selectors.mentor_readiness_brief(mentor, today=today).ready:
        return
    for flag in flags:
        log_action(actor=None, action="readiness.flag_lifted", obj=flag.match)
        flag.delete()


def training_log(
    *,
    mentor: Mentor,
    user,
    on_date: dt.date,
    quarter_hours: int,
    topic: str,
    item: ReadinessItem | None = None,
    submission_token=None,
    now: dt.datetime | None = None,
) -> TrainingLog:
    """A mentor's training (date, quarter hours, topic). When the program lets this
    training complete an item, the item is recorded as done that day. The same submission
    sent twice (its ``submission_token``) saves one training."""
    now = now or timezone.now()
    if submission_token is not None:
        mine = TrainingLog.objects.filter(submission_token=submission_token)
        if (already := mine.filter(mentor=mentor).first()) is not None:
            return already
        if mine.exists():  # not this mentor's form: never theirs to return
            submission_token = None
    topic = clean_text(topic, multiline=False).strip()
    problems = {}
    if not topic:
        problems["topic"] = gettext("Say what the training was about.")
    if problem := rules.training_hours_problem(quarter_hours):
        problems["hours"] = problem
    if problem := rules.training_date_problem(on_date, today=timezone.localdate(now, _tz())):
        problems["on_date"] = problem
    if item is not None and (item.who_records != WhoRecords.TRAINING or item.is_retired):
        problems["item"] = gettext("Choose a requirement that a training completes, or none.")
    if problems:
        raise ValidationError(problems)
    check_lengths(topic=(topic, TOPIC_MAX))
    try:
        return _training_save(
            mentor=mentor,
            user=user,
            on_date=on_date,
            quarter_hours=quarter_hours,
            topic=topic,
            item=item,
            submission_token=submission_token,
            now=now,
        )
    except IntegrityError:
        # Two copies of one submission raced: the first one stored is the training.
        twin = TrainingLog.objects.filter(submission_token=submission_token, mentor=mentor)
        if submission_token is None or not twin.exists():
            raise
        return twin.get()


def _training_save(*, mentor, user, on_date, quarter_hours, topic, item, submission_token, now):
    with transaction.atomic():
        training = TrainingLog.objects.create(
            mentor=mentor,
            on_date=on_date,
            quarter_hours=quarter_hours,
            topic=topic,
            item=item,
            entered_by=user,
            entered_at=now,
            submission_token=submission_token,
        )
        log_action(
            actor=user,
            action="readiness.training_logged",
            obj=training,
            new={
                "mentor": mentor.pk,
                "on_date": on_date.isoformat(),
                "quarter_hours": quarter_hours,
                "topic": topic,
                "item": item.pk if item else None,
            },
        )
        if item is not None:
            record_add(
                mentor=mentor,
                item=item,
                done_on=on_date,
                user=user,
                note=f"Training: {topic}"[:NOTE_MAX],
                source=RecordSource.TRAINING,
                training=training,
                now=now,
            )
    return training


# --- The nightly check -------------------------------------------------------------------


def readiness_check(*, now: dt.datetime | None = None) -> int:
    """Flag every active match whose mentor is not ready, and lift the flags of those who
    are ready again (or whose match closed). Each new flag tells the match's coordinator
    once. With the program's "refuse" setting a flag holds the match: no new session can be
    logged for it until the mentor is ready. Returns how many flags it added or lifted."""
    now = now or timezone.now()
    today = timezone.localdate(now, _tz())
    policy = ReadinessSettings.load().not_ready_matches
    found = {m.pk: (m, r) for m, r in selectors.not_ready_active_matches(today=today)}
    existing = {f.match_id: f for f in MatchReadinessFlag.objects.all()}
    changes = 0
    for match_id, flag in existing.items():
        if match_id not in found:
            with transaction.atomic():
                log_action(actor=None, action="readiness.flag_lifted", obj=flag.match)
                flag.delete()
            changes += 1
    for match_id, (match, readiness) in found.items():
        reasons = readiness.sentence[:FLAG_REASONS_MAX]
        flag = existing.get(match_id)
        if flag is not None:
            if (flag.reasons, flag.policy) != (reasons, policy):
                MatchReadinessFlag.objects.filter(pk=flag.pk).update(reasons=reasons, policy=policy)
            continue
        try:
            with transaction.atomic():
                flag = MatchReadinessFlag.objects.create(
                    match=match, flagged_on=today, reasons=reasons, policy=policy
                )
                log_action(
                    actor=None,
                    action="readiness.flagged",
                    obj=match,
                    new={"reasons": reasons, "policy": policy},
                )
                _tell_coordinator(match, reasons, policy)
        except IntegrityError:
            continue  # another worker flagged it meanwhile
        changes += 1
    if changes:
        logger.info("readiness check: %s flag(s) added or lifted", changes)
    return changes


def _tell_coordinator(match, reasons: str, policy: str) -> None:
    coordinator = match.coordinator
    if coordinator is None or not coordinator.is_active:
        return
    notification_queue(
        to=coordinator.email,
        template="readiness-match-flagged",
        context={
            "first_name": coordinator.get_short_name(),
            "mentor_name": match.mentor.user.full_name,
            "reasons": reasons,
            "held": policy == NotReadyPolicy.BLOCK,
            "match_path": reverse("staff:match_detail", args=[match.pk]),
            "record_path": reverse("readiness:record", args=[match.mentor_id]),
        },
        recipient_user=coordinator,
        subject_type="match",
        subject_id=match.pk,
    )


# --- Expiry reminders --------------------------------------------------------------------


def expiry_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind each mentor once about each item expiring in the next 30 days (the latest
    record of an item in use). An ``ExpiryReminder`` row per record, written with its
    email, makes a second run send nothing. Returns how many were queued."""
    now = now or timezone.now()
    today = timezone.localdate(now, _tz())
    sent = 0
    for item in selectors.items():
        if not item.valid_months:
            continue
        # Done in this window can be expiring today (months are 28 to 31 days long).
        earliest = today - dt.timedelta(days=31 * item.valid_months + 1)
        latest = today - dt.timedelta(days=28 * item.valid_months - rules.EXPIRING_DAYS - 1)
        candidates = (
            ReadinessRecord.objects.filter(
                item=item,
                done_on__gte=earliest,
                done_on__lte=latest,
                expiry_reminder__isnull=True,
                mentor__status=MentorStatus.ACTIVE,
                mentor__user__is_active=True,
            )
            .exclude(
                models.Exists(
                    ReadinessRecord.objects.filter(
                        mentor=models.OuterRef("mentor"),
                        item=item,
                        done_on__gt=models.OuterRef("done_on"),
                    )
                )
            )
            .select_related("mentor__user")
        )
        for record in candidates:
            state = rules.status(
                done_on=record.done_on, valid_months=item.valid_months, today=today
            )
            if state != rules.Status.EXPIRING:
                continue
            until = rules.valid_until(record.done_on, item.valid_months)
            try:
                with transaction.atomic():
                    ExpiryReminder.objects.create(record=record, sent_at=now)
                    user = record.mentor.user
                    notification_queue(
                        to=user.email,
                        template="reminder-readiness-expiring",
                        context={
                            "first_name": user.get_short_name(),
                            "item": rules.in_sentence(
                                item.name_in(user.language or settings.LANGUAGE_CODE)
                            ),
                            "by_training": item.who_records == WhoRecords.TRAINING,
                            # In the mentor's language, like the email (portal/notifications).
                            "valid_until": _day_in_language(user, until),
                            "readiness_path": reverse("readiness:mine"),
                        },
                        recipient_user=user,
                        subject_type="readinessrecord",
                        subject_id=record.pk,
                    )
            except IntegrityError:
                continue  # another run sent it
            sent += 1
    return sent


def _day_in_language(user, day: dt.date) -> str:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        return format_day(day)
