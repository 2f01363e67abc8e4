"""Opting in and out of texts, STOP and START replies, and queueing a text.

Every change of consent is audited (who, the number, the wording, when). A text is an
outbox row (``portal.notifications``), queued in the transaction of its event like an
email, only to a mentor whose texts are on; during quiet hours it waits for their end.
Stopping texts also cancels the texts still waiting for that number, and the worker
checks consent again just before it sends (portal/texts/delivery.py).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.services import log_action
from portal.mentoring.models import Mentor, ProgramSettings
from portal.notifications.models import Channel, Notification, NotificationState
from portal.notifications.services import notification_queue
from portal.texts import rules
from portal.texts.backends import texts_enabled
from portal.texts.models import StoppedBy, TextSubscription

logger = logging.getLogger("portal.texts")

STOPPED_BEFORE_SENDING = "Not sent: texts to this number were stopped before it went out."


def quiet_hours() -> tuple[dt.time, dt.time] | None:
    return rules.parse_quiet_hours(getattr(settings, "TEXT_QUIET_HOURS", ""))


def subscription_for(user: User) -> TextSubscription | None:
    """The mentor's subscription when their texts are on (and texts are offered at all);
    none for a mentor whose account was deactivated."""
    if not texts_enabled():
        return None
    return TextSubscription.objects.filter(
        mentor__user=user, mentor__user__is_active=True, active=True
    ).first()


def active_subscription(mentor: Mentor) -> TextSubscription | None:
    """For a mentor read with ``select_related("text_subscription")`` (no query)."""
    subscription = getattr(mentor, "text_subscription", None)
    if subscription is None or not subscription.active or not texts_enabled():
        return None
    return subscription


def text_queue(
    *,
    subscription: TextSubscription | None,
    template: str,
    context: dict,
    subject_type: str,
    subject_id: int | None,
    now: dt.datetime | None = None,
    program: ProgramSettings | None = None,
) -> Notification | None:
    """Queue ``texts/<template>.txt`` to the mentor of ``subscription`` if their texts are
    on; nothing otherwise. Call inside the transaction of the event. ``context`` holds
    nothing about a child: the texts say what to do and link to the page."""
    if subscription is None or not subscription.active or not texts_enabled():
        return None
    now = now or timezone.now()
    program = program or ProgramSettings.load()
    return notification_queue(
        channel=Channel.TEXT,
        to=subscription.phone,
        template=template,
        context=context,
        recipient_user=subscription.mentor.user,
        subject_type=subject_type,
        subject_id=subject_id,
        not_before=rules.next_send_time(now, tz=program.tz, quiet=quiet_hours()),
    )


def texts_opt_in(
    *, mentor: Mentor, phone: str, wording: str, actor: User, now: dt.datetime | None = None
) -> TextSubscription:
    """Texts on, to ``phone`` (E.164), with the consent ``wording`` the mentor ticked."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription, _ = TextSubscription.objects.update_or_create(
            mentor=mentor,
            defaults={
                "phone": phone,
                "active": True,
                "consent_wording": wording,
                "consented_at": now,
                "stopped_at": None,
                "stopped_by": "",
                "updated_at": now,
            },
        )
        log_action(
            actor=actor,
            action="texts.opted_in",
            obj=subscription,
            new={"phone": phone, "consent_wording": wording, "consented_at": now.isoformat()},
        )
    return subscription


def texts_opt_out(
    *, mentor: Mentor, actor: User, now: dt.datetime | None = None
) -> TextSubscription | None:
    """Texts off, from the preferences page. The consent stays on record."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = (
            TextSubscription.objects.select_for_update().filter(mentor=mentor, active=True).first()
        )
        if subscription is None:
            return None
        _stop(subscription, by=StoppedBy.MENTOR, now=now, actor=actor)
        _cancel_waiting(subscription.phone)
    return subscription


def texts_stop_number(*, phone: str, by: str, now: dt.datetime | None = None) -> int:
    """Texts off for every mentor at ``phone`` (a STOP reply, or the provider saying the
    number stopped texts). Returns how many subscriptions it turned off."""
    now = now or timezone.now()
    with transaction.atomic():
        stopped = 0
        for subscription in TextSubscription.objects.select_for_update().filter(
            phone=phone, active=True
        ):
            _stop(subscription, by=by, now=now, actor=None)
            stopped += 1
        _cancel_waiting(phone)
    return stopped


def texts_start_number(*, phone: str, now: dt.datetime | None = None) -> int:
    """A START reply: texts on again for the mentors at ``phone`` whose texts a STOP
    reply (or the provider) ended. A mentor who turned texts off on their page turns them
    on there, with their consent. Returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        started = 0
        for subscription in TextSubscription.objects.select_for_update().filter(
            phone=phone, active=False, stopped_by__in=[StoppedBy.REPLY, StoppedBy.PROVIDER]
        ):
            before = {"stopped_by": subscription.stopped_by}
            subscription.active = True
            subscription.stopped_at = None
            subscription.stopped_by = ""
            subscription.updated_at = now
            subscription.save(update_fields=["active", "stopped_at", "stopped_by", "updated_at"])
            log_action(
                actor=None,
                action="texts.started_by_reply",
                obj=subscription,
                old=before,
                new={"active": True, "at": now.isoformat()},
            )
            started += 1
    return started


def text_reply_received(*, phone: str, body: str, now: dt.datetime | None = None) -> str | None:
    """What a reply to a text does: STOP and its synonyms stop texts to that number, START
    and UNSTOP start them again. Anything else changes nothing (and is not kept)."""
    number = rules.normalize_phone(phone)
    keyword = rules.reply_keyword(body)
    if number is None or keyword is None:
        return None
    if keyword == rules.STOP:
        changed = texts_stop_number(phone=number, by=StoppedBy.REPLY, now=now)
    else:
        changed = texts_start_number(phone=number, now=now)
    logger.info("text reply %s: %s subscription(s) changed", keyword, changed)
    return keyword


def _stop(subscription: TextSubscription, *, by: str, now: dt.datetime, actor) -> None:
    subscription.active = False
    subscription.stopped_at = now
    subscription.stopped_by = by
    subscription.updated_at = now
    subscription.save(update_fields=["active", "stopped_at", "stopped_by", "updated_at"])
    log_action(
        actor=actor,
        action=f"texts.stopped_by_{by}",
        obj=subscription,
        old={"active": True},
        new={"active": False, "stopped_by": by, "at": now.isoformat()},
    )


def _cancel_waiting(phone: str) -> int:
    """Texts to ``phone`` not yet claimed are not sent (one claimed meanwhile is checked
    again by the worker before it goes)."""
    return Notification.objects.filter(
        channel=Channel.TEXT, to=phone, state=NotificationState.PENDING
    ).update(state=NotificationState.FAILED, last_error=STOPPED_BEFORE_SENDING)
