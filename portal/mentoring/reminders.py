"""Reminders to mentors (RULES 4.11), queued through the notification outbox.

- **Weekly**: on the program's reminder day, from its reminder hour, a mentor with an
  active match who has logged nothing in the past 7 days (no session held in them and no
  entry made in them) gets a friendly nudge. They can turn it off from the email.
- **Deadline**: N days before a month's deadline (default 3) and on the morning of the
  deadline, a mentor with an active match who has logged nothing for that month gets a
  reminder. These cannot be turned off.

A mentor who said "no session this month" (RULES 4.15) gets no reminder about that month.

``reminders_send`` runs every 15 minutes from the worker (or from cron through
``manage.py send_reminders``). Each reminder is a ``ReminderSent`` row, unique per mentor,
kind and period, written in the same transaction as its email (and its text, for a mentor
who opted in to texts: portal/texts): however often the job runs,
in however many processes, a mentor gets each reminder at most once. A window that a
stopped worker missed is caught up while it is still open (the rest of the week; until the
deadline), never after.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation

from portal.mentoring import rules
from portal.mentoring.models import (
    Match,
    MatchStatus,
    Mentor,
    MentorStatus,
    NoSessionMonth,
    ProgramSettings,
    ReminderKind,
    ReminderSent,
    SessionLog,
)
from portal.notifications.services import notification_queue
from portal.texts.services import active_subscription, text_queue

logger = logging.getLogger("portal.reminders")

WEEKLY_OFF_SALT = "portal.reminders.weekly-off"


# --- The signed link that turns the weekly reminder off ----------------------------------


def weekly_off_token(mentor: Mentor) -> str:
    """A signed token naming the mentor, good for nothing but the weekly reminder setting."""
    return signing.Signer(salt=WEEKLY_OFF_SALT).sign(str(mentor.pk))


def mentor_from_weekly_off_token(token: str) -> Mentor | None:
    try:
        pk = signing.Signer(salt=WEEKLY_OFF_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Mentor.objects.select_related("user").filter(pk=pk).first() if pk.isdigit() else None


def weekly_off_path(mentor: Mentor) -> str:
    return reverse("mentoring:weekly_reminders", args=[weekly_off_token(mentor)])


# --- When each reminder is due -----------------------------------------------------------


@dataclass(frozen=True)
class DueReminder:
    kind: str
    period: str
    deadline: rules.Deadline | None = None


def weekly_due(now: dt.datetime, program: ProgramSettings) -> DueReminder | None:
    """The weekly reminder of this ISO week, from the reminder day and hour to Sunday."""
    local = now.astimezone(program.tz)
    if (local.weekday(), local.hour) < (program.weekly_reminder_weekday, program.reminder_hour):
        return None
    year, week, _ = local.isocalendar()
    return DueReminder(ReminderKind.WEEKLY, f"{year}-W{week:02d}")


def deadline_due(now: dt.datetime, program: ProgramSettings) -> DueReminder | None:
    """The deadline reminder whose window ``now`` is in, if any.

    "Before": from the reminder hour N days before the due date; "day": from the reminder
    hour of the due date. Both end when the deadline passes.
    """
    policy = program.deadline_policy
    deadline = rules.next_deadline(now, policy)
    at_hour = dt.time(program.reminder_hour, 0)
    day_starts = dt.datetime.combine(deadline.due_date, at_hour, tzinfo=program.tz)
    before_starts = day_starts - dt.timedelta(days=program.deadline_reminder_days_before)
    period = deadline.of_month.key
    if day_starts <= now < deadline.due_by:
        return DueReminder(ReminderKind.DEADLINE_DAY, period, deadline)
    if program.deadline_reminder_days_before and before_starts <= now < day_starts:
        return DueReminder(ReminderKind.DEADLINE_BEFORE, period, deadline)
    return None


# --- Who gets them -----------------------------------------------------------------------


def _enrolled_mentors():
    return Mentor.objects.filter(status=MentorStatus.ACTIVE, user__is_active=True)


def _not_yet_sent(mentors, due: DueReminder):
    return mentors.exclude(
        Exists(ReminderSent.objects.filter(mentor=OuterRef("pk"), kind=due.kind, period=due.period))
    )


def _declared(year: int, month: int, now: dt.datetime):
    return Exists(
        NoSessionMonth.objects.filter(
            mentor=OuterRef("pk"), year=year, month=month, declared_at__lte=now
        )
    )


def _logged_by(now: dt.datetime):
    """Live entries of the mentor (OuterRef) that existed at ``now``."""
    return SessionLog.objects.live().filter(match__mentor=OuterRef("pk"), entered_at__lte=now)


def weekly_recipients(now: dt.datetime, program: ProgramSettings, due: DueReminder):
    local = now.astimezone(program.tz)
    week_ago = now - dt.timedelta(days=7)
    active_for_a_week = Match.objects.filter(
        mentor=OuterRef("pk"),
        status=MatchStatus.ACTIVE,
        start_date__lte=local.date() - dt.timedelta(days=7),
    )
    logged = _logged_by(now).filter(
        Q(starts_at__gte=week_ago, starts_at__lte=now) | Q(entered_at__gte=week_ago)
    )
    # The month of this week's reminder day decides, so a weekend that starts a new month
    # does not bring back a reminder the mentor already stopped.
    reminder_day = local.date() - dt.timedelta(
        days=local.weekday() - program.weekly_reminder_weekday
    )
    mentors = (
        _enrolled_mentors()
        .filter(weekly_reminders=True)
        .filter(Exists(active_for_a_week))
        .exclude(Exists(logged))
        .exclude(_declared(reminder_day.year, reminder_day.month, now))
    )
    return _not_yet_sent(mentors, due)


def deadline_recipients(now: dt.datetime, program: ProgramSettings, due: DueReminder):
    deadline = due.deadline
    start, end = deadline.of_month.bounds(program.tz)
    last_day = (end - dt.timedelta(days=1)).date()
    matched_that_month = Match.objects.filter(
        mentor=OuterRef("pk"), status=MatchStatus.ACTIVE, start_date__lte=last_day
    )
    logged = _logged_by(now).filter(starts_at__gte=start, starts_at__lt=end)
    mentors = (
        _enrolled_mentors()
        .filter(Exists(matched_that_month))
        .exclude(Exists(logged))
        .exclude(_declared(deadline.year, deadline.month, now))
    )
    return _not_yet_sent(mentors, due)


# --- Sending -----------------------------------------------------------------------------


def _context(mentor: Mentor, due: DueReminder, now: dt.datetime, program) -> dict:
    deadline = due.deadline or rules.next_deadline(now, program.deadline_policy)
    context = {
        "first_name": mentor.user.get_short_name(),
        "log_path": reverse("mentoring:session_create"),
        "home_path": reverse("mentoring:home"),
        "month_label": deadline.month_label,
        "due_on": rules.format_day(deadline.due_date),
        "due_today": due.kind == ReminderKind.DEADLINE_DAY,
    }
    if due.kind == ReminderKind.WEEKLY:
        context["weekly_off_path"] = weekly_off_path(mentor)
    return context


def _text_context(due: DueReminder, now: dt.datetime, program) -> dict:
    """A text carries no name and no setting link: the month, the day and the form."""
    deadline = due.deadline or rules.next_deadline(now, program.deadline_policy)
    return {
        "log_path": reverse("mentoring:session_create"),
        "month_label": deadline.month_label,
        "due_on": rules.format_day(deadline.due_date),
        "due_today": due.kind == ReminderKind.DEADLINE_DAY,
    }


TEMPLATES = {
    ReminderKind.WEEKLY: "reminder-weekly",
    ReminderKind.DEADLINE_BEFORE: "reminder-deadline",
    ReminderKind.DEADLINE_DAY: "reminder-deadline",
}


def _send(mentors, due: DueReminder, now: dt.datetime, program) -> int:
    # Who is due, in one query planned for all of them: read through a cursor, PostgreSQL
    # plans for the first rows and loops over every mentor's sessions instead (1.4 s
    # rather than 70 ms at real size, portal/schedule.py).
    due_pks = list(mentors.order_by("pk").values_list("pk", flat=True))
    sent = 0
    for start in range(0, len(due_pks), 500):
        chunk = due_pks[start : start + 500]
        mentors_of_chunk = Mentor.objects.select_related("user", "text_subscription")
        for mentor in mentors_of_chunk.filter(pk__in=chunk).order_by("pk"):
            sent += _send_one(mentor, due, now, program)
    return sent


def _in_language(user, function, *args):
    with translation.override(user.language or settings.LANGUAGE_CODE):
        return function(*args)


def _send_one(mentor: Mentor, due: DueReminder, now: dt.datetime, program) -> int:
    try:
        with transaction.atomic():
            record = ReminderSent.objects.create(
                mentor=mentor, kind=due.kind, period=due.period, sent_at=now
            )
            notification_queue(
                to=mentor.user.email,
                template=TEMPLATES[due.kind],
                # Its dates and month names in the mentor's language, like the email.
                context=_in_language(mentor.user, _context, mentor, due, now, program),
                recipient_user=mentor.user,
                subject_type="reminder",
                subject_id=record.pk,
            )
            text_queue(
                subscription=active_subscription(mentor),
                template=TEMPLATES[due.kind],
                context=_in_language(mentor.user, _text_context, due, now, program),
                subject_type="reminder",
                subject_id=record.pk,
                now=now,
                program=program,
            )
    except IntegrityError:
        return 0  # another run sent this one a moment ago
    return 1


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Queue every reminder due at ``now`` that has not gone yet. Returns how many."""
    now = now or timezone.now()
    program = ProgramSettings.load()
    sent = 0
    weekly = weekly_due(now, program)
    if weekly is not None:
        sent += _send(weekly_recipients(now, program, weekly), weekly, now, program)
    deadline = deadline_due(now, program)
    if deadline is not None:
        sent += _send(deadline_recipients(now, program, deadline), deadline, now, program)
    return sent
