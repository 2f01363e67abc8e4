"""Session logs and their history: the heart of the program's records."""

import datetime as dt
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.lib.constraints import one_of
from portal.lib.text import at_most
from portal.mentoring import rules
from portal.mentoring.models.people import Match
from portal.mentoring.models.program import (
    ACTIVITY_MAX,
    DETAILS_MAX,
    REVISION_REASON_MAX,
    Choice,
)


class Attendance(models.TextChoices):
    MET = "met", _("We met")
    MENTEE_ABSENT = "mentee_absent", _("Mentee absent or no-show")
    MENTOR_ABSENT = "mentor_absent", _("Mentor absent")
    CANCELLED = "cancelled", _("School closed or cancelled")


class ResourceNeedKind(models.TextChoices):
    FOOD = "food", _("Food")
    SHELTER = "shelter", _("Shelter or housing")
    CLOTHING = "clothing", _("Clothing")
    HOUSEHOLD = "household", _("Household")
    HEALTH = "health", _("Health")
    SCHOOL_SUPPLIES = "school_supplies", _("School supplies")
    OTHER = "other", _("Other")


class SessionLogQuerySet(models.QuerySet):
    """Bulk writes keep the monthly counters of the reports in the same transaction
    (portal/mentoring/month_summaries.py); a write of other fields costs nothing more."""

    def live(self):
        """Entries that have not been deleted."""
        return self.filter(deleted_at__isnull=True)

    def update(self, **kwargs):
        from portal.mentoring import month_summaries

        if not month_summaries.touches(kwargs):
            return super().update(**kwargs)
        with month_summaries.sessions_changing(self.values_list("pk", flat=True)):
            return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        from portal.mentoring import month_summaries

        with month_summaries.sessions_changing(self.values_list("pk", flat=True)):
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_create(self, objs, *args, **kwargs):
        from portal.mentoring import month_summaries

        with transaction.atomic(savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            if all(session.pk is not None for session in created):
                month_summaries.sessions_added(session.pk for session in created)
            else:  # conflicts ignored: which rows were written is not known
                month_summaries.rebuild()
        return created


class SessionLog(models.Model):
    """One mentoring session: one meeting (or missed meeting) of one match."""

    # What is written about the child, declared once: the de-identified export leaves it
    # out, the retention purge and the erasure blank it (portal/lifecycle/services.py),
    # the logs redact it. Every other text field is in OTHER_TEXT_FIELDS, and
    # tests/test_child_text.py fails for a text field in neither.
    CHILD_TEXT_FIELDS = ("notes", "activity", "safety_concern_details", "resource_needs_details")
    OTHER_TEXT_FIELDS = ("attendance", "resource_needs")  # choices and the needs' codes
    # What a mentor (or staff, correcting) enters, in the form's order: the services take
    # each one in (portal/mentoring/services.py), the history keeps each one (snapshot()),
    # the form has a field for each. A text field needs nothing more than its place here
    # and in the lists above. Every other field is set by the portal, never entered, and
    # tests/test_session_fields.py fails for a field in neither list.
    ENTERED_FIELDS = (
        "match",
        "starts_at",
        "quarter_hours",
        "type_of_mentoring",
        "interaction",
        "activity",
        "attendance",
        "notes",
        "safety_concern",
        "safety_concern_details",
        "resource_needs",
        "resource_needs_details",
    )
    SET_BY_PORTAL = (
        "id",
        "entered_by",
        "entered_at",
        "updated_at",
        "is_late",
        "submission_token",
        "reviewed_at",
        "reviewed_by",
        "deleted_at",
        "deleted_by",
    )

    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField("date & time")
    quarter_hours = models.PositiveSmallIntegerField(
        help_text="Hours times four: 2 means half an hour."
    )
    type_of_mentoring = models.ForeignKey(
        Choice, on_delete=models.PROTECT, related_name="+", verbose_name="type of mentoring"
    )
    interaction = models.ForeignKey(Choice, on_delete=models.PROTECT, related_name="+")
    activity = models.CharField(max_length=ACTIVITY_MAX, blank=True)
    attendance = models.CharField(max_length=20, choices=Attendance.choices)
    notes = models.TextField()
    safety_concern = models.BooleanField("child safety concern", default=False)
    safety_concern_details = models.TextField(blank=True, max_length=DETAILS_MAX)
    resource_needs = models.JSONField(default=list, blank=True)
    resource_needs_details = models.TextField(blank=True, max_length=DETAILS_MAX)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    is_late = models.BooleanField("late", default=False)
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = SessionLogQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = "session log"
        constraints = [
            models.UniqueConstraint(
                fields=["match", "starts_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="session_one_entry_per_match_and_time",
                violation_error_message="This session has already been logged.",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter_hours__lte=rules.MAX_QUARTER_HOURS_EVER),
                name="session_hours_at_most_a_day",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(attendance=Attendance.MET, quarter_hours__gte=1)
                    | (~models.Q(attendance=Attendance.MET) & models.Q(quarter_hours=0))
                ),
                name="session_hours_zero_exactly_when_not_met",
            ),
            one_of("attendance", Attendance, name="session_attendance_known"),
            models.CheckConstraint(condition=~models.Q(notes=""), name="session_notes_required"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("notes"), rules.NOTES_MAX_LENGTH),
                name="session_notes_max_length",
            ),
            models.CheckConstraint(
                condition=models.Q(safety_concern=False) | ~models.Q(safety_concern_details=""),
                name="session_concern_described",
            ),
            at_most("activity", ACTIVITY_MAX, name="session_activity_max_length"),
            at_most(
                "safety_concern_details", DETAILS_MAX, name="session_concern_details_max_length"
            ),
            at_most("resource_needs_details", DETAILS_MAX, name="session_need_details_max_length"),
        ]
        # Entries by time are read through migration 0007's index of live entries (on
        # PostgreSQL a covering one: the month reports never touch the table).
        indexes = [
            models.Index(fields=["match", "starts_at"]),
            # The weekly reminder counts an entry made in the past week, whenever it was
            # held: without this, a sequential scan of every session (portal/schedule.py).
            models.Index(
                fields=["entered_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="session_live_entered",
            ),
            # The admin's session list: every entry (deleted ones too), newest first, then
            # by number, one page at a time; and its choice of dates.
            models.Index(fields=["starts_at", "id"], name="session_starts_idx"),
            # The staff list of live entries, newest first: a deep page skips entries of
            # this index only (portal/lib/paging.py's KeysFirstPaginator).
            models.Index(
                fields=["starts_at", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="session_live_starts_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.match.mentee} on {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        # The reports' monthly counters change with the entry, in its transaction.
        from portal.mentoring import month_summaries

        fields = kwargs.get("update_fields")
        if fields is not None and not month_summaries.touches(fields):
            return super().save(*args, **kwargs)
        existing = None if self._state.adding else self.pk
        with month_summaries.sessions_changing([existing]) as change:
            super().save(*args, **kwargs)
            change.include(self.pk)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        from portal.mentoring import month_summaries

        with month_summaries.sessions_changing([self.pk]):
            return super().delete(*args, **kwargs)

    delete.alters_data = True

    @property
    def hours(self) -> Decimal:
        return rules.quarters_to_hours(self.quarter_hours)

    @property
    def met(self) -> bool:
        return self.attendance == Attendance.MET

    @cached_property
    def resource_need_labels(self) -> list[str]:
        labels = dict(ResourceNeedKind.choices)
        return [labels.get(kind, kind) for kind in self.resource_needs]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def snapshot(self) -> dict:
        """The entered values (ENTERED_FIELDS), as plain data for the history of changes:
        each as it is stored, unless ``_SHOWN_IN_HISTORY`` says otherwise."""
        values = {}
        # Kept in English, whoever made the change: the page shows it in its reader's.
        with translation.override(settings.LANGUAGE_CODE):
            for name in self.ENTERED_FIELDS:
                key, shown = _SHOWN_IN_HISTORY.get(name, (name, None))
                values[key] = shown(self) if shown else getattr(self, name)
        return values


def _utc_iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment else None


# The entered values that the history keeps in another form than the stored one: (key, how).
_SHOWN_IN_HISTORY = {
    # The match by number: its child's name is read when the history is shown, so erasing
    # a child's records leaves no name in the history.
    "match": ("match", lambda session: session.match_id),
    # In UTC: the same moment read from the form (local) or the database compares equal.
    "starts_at": ("starts_at", lambda session: _utc_iso(session.starts_at)),
    "quarter_hours": ("hours", lambda session: str(session.hours)),
    "type_of_mentoring": ("type_of_mentoring", lambda session: session.type_of_mentoring.label),
    "interaction": ("interaction", lambda session: session.interaction.label),
    "attendance": ("attendance", lambda session: str(session.get_attendance_display())),
    "resource_needs": (
        "resource_needs",
        lambda session: [str(label) for label in session.resource_need_labels],
    ),
}


# How the history of changes names each value of ``snapshot()``: the words of the form and
# of the entry's page, never the code's (tests/test_session_history.py checks every key).
HISTORY_LABELS = {
    "match": _("Mentee"),
    "starts_at": _("Date & time"),
    "hours": _("Hours"),
    "type_of_mentoring": _("Type of mentoring"),
    "interaction": _("Interaction"),
    "activity": _("Activity"),
    "attendance": _("Attendance"),
    "notes": _("Notes"),
    "safety_concern": _("Child safety concern"),
    "safety_concern_details": _("About the concern"),
    "resource_needs": _("Resource needs"),
    "resource_needs_details": _("About the needs"),
}


def _shown_value(name: str, value) -> str:
    """One value of the history as a person reads it: "Yes", "We met", "Food, Health"."""
    if name == "starts_at" and isinstance(value, str) and value:
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return date_format(timezone.localtime(moment), gettext("l j F Y, g:i A"))
    if name == "attendance" and value in Attendance.values:
        return Attendance(value).label
    if name == "resource_needs":
        labels = dict(ResourceNeedKind.choices)
        return ", ".join(str(labels.get(kind, kind)) for kind in value or []) or gettext("None")
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if value is None or value == "":
        return gettext("(blank)")
    return str(value)


class RevisionAction(models.TextChoices):
    CREATED = "created", _("Logged")
    UPDATED = "updated", _("Changed")
    DELETED = "deleted", _("Deleted")


class SessionLogRevision(models.Model):
    """One change to a session log, with the values before and after it."""

    # Both hold a session's ``snapshot()``: its CHILD_TEXT_FIELDS among other values. The
    # reason says why staff corrected an entry.
    CHILD_TEXT_FIELDS = ("old_values", "new_values")
    OTHER_TEXT_FIELDS = ("action", "reason")

    session = models.ForeignKey(SessionLog, on_delete=models.PROTECT, related_name="revisions")
    action = models.CharField(max_length=20, choices=RevisionAction.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=REVISION_REASON_MAX, blank=True)
    old_values = models.JSONField(default=dict, blank=True)
    new_values = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        constraints = [
            at_most("reason", REVISION_REASON_MAX, name="session_revision_reason_max_length")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.changed_by} at {self.changed_at}"

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each value that changed."""
        names = sorted(set(self.old_values) | set(self.new_values))
        changed = [
            (name, self.old_values.get(name), self.new_values.get(name))
            for name in names
            if self.old_values.get(name) != self.new_values.get(name)
        ]
        if any(name == "match" for name, _, _ in changed):
            labels = {
                match.pk: f"{match.mentee.display_name} at {match.site.name}"
                for match in Match.objects.filter(
                    pk__in=[self.old_values.get("match"), self.new_values.get("match")]
                ).select_related("mentee", "site")
            }
            changed = [
                (name, labels.get(before, before), labels.get(after, after))
                if name == "match"
                else (name, before, after)
                for name, before, after in changed
            ]
        return changed

    def shown_changes(self) -> list[tuple[str, str, str]]:
        """(label, before, after) for each value that changed, in the form's order and in
        its words: "Hours", "1.00", "1.50"; "Attendance", "We met", "Mentor absent"."""
        order = list(HISTORY_LABELS)
        return [
            (
                HISTORY_LABELS.get(name) or name.replace("_", " ").capitalize(),
                _shown_value(name, before),
                _shown_value(name, after),
            )
            for name, before, after in sorted(
                self.changes(),
                key=lambda change: order.index(change[0]) if change[0] in order else len(order),
            )
        ]
