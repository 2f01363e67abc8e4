"""Months a mentor did not meet at all, and the reminders already sent (RULES 4.15, 4.13)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.constraints import one_of
from portal.mentoring import rules
from portal.mentoring.models.people import Mentor


class NoSessionReason(models.TextChoices):
    SCHOOL_BREAK = "school_break", _("School break or holiday")
    MENTEE_UNAVAILABLE = "mentee_unavailable", _("My mentee was away or not available")
    MENTOR_UNAVAILABLE = "mentor_unavailable", _("I was away or not available")
    OTHER = "other", _("Something else")


class NoSessionMonth(models.Model):
    """A mentor's answer "we did not meet at all this month" (RULES 4.15).

    Zero hours becomes an answer rather than a silence; it also stops that month's reminders.
    """

    # "My mentee moved away": the mentor's explanation may be about the child.
    CHILD_TEXT_FIELDS = ("details",)
    OTHER_TEXT_FIELDS = ("reason",)

    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="no_session_months")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=30, choices=NoSessionReason.choices)
    details = models.CharField(max_length=500, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "-month", "mentor__user__full_name"]
        verbose_name = "month without sessions"
        verbose_name_plural = "months without sessions"
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "year", "month"], name="no_session_month_once_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="no_session_month_valid"
            ),
            one_of("reason", NoSessionReason, name="no_session_month_reason_known"),
            models.CheckConstraint(
                condition=~models.Q(reason=NoSessionReason.OTHER) | ~models.Q(details=""),
                name="no_session_month_other_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor}: no sessions in {self.month_label}"

    @property
    def month_label(self) -> str:
        return rules.Month(self.year, self.month).label


class ReminderKind(models.TextChoices):
    WEEKLY = "weekly", "Weekly reminder"
    DEADLINE_BEFORE = "deadline_before", "Deadline coming up"
    DEADLINE_DAY = "deadline_day", "Deadline today"


class ReminderSent(models.Model):
    """One reminder queued for one mentor for one period. The unique constraint is what
    makes the reminder job safe to run any number of times, in several processes."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("kind", "period")

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="reminders_sent")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    period = models.CharField(
        max_length=10, help_text="2026-W45 for a weekly reminder, 2026-10 for a deadline."
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = "reminder sent"
        verbose_name_plural = "reminders sent"
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "kind", "period"], name="reminder_once_per_mentor_and_period"
            ),
            one_of("kind", ReminderKind, name="reminder_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.mentor} for {self.period}"


class CoordinatorDigestSent(models.Model):
    """One weekly digest queued for one coordinator for one week (its Monday in the
    program's time zone). Unique, and written with its email: a second run, or a second
    worker, never sends the same week twice."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ()

    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests_sent"
    )
    week_of = models.DateField(help_text="The Monday of the week, in the program's time zone.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week_of", "-pk"]
        verbose_name = "coordinator digest sent"
        verbose_name_plural = "coordinator digests sent"
        constraints = [
            models.UniqueConstraint(
                fields=["coordinator", "week_of"], name="digest_once_per_coordinator_and_week"
            ),
        ]

    def __str__(self) -> str:
        return f"Digest to {self.coordinator_id} for the week of {self.week_of}"
