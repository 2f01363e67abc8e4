"""What mentors report that staff must act on: child safety concerns and family needs.

A concern is never deleted. Its steps (New, Acknowledged, Closed) each keep who, when and
a note; every view and change is also written to the audit trail.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from portal.lib.constraints import one_of
from portal.lib.text import LONG_TEXT_MAX, NOTE_TEXT_MAX, at_most
from portal.mentoring.models import Match, ResourceNeedKind, SchoolSite, SessionLog


class ConcernStatus(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CLOSED = "closed", "Closed"


class SafetyConcernQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionDenied("Safety concerns are never deleted.")

    def open(self):
        return self.exclude(status=ConcernStatus.CLOSED)

    def oldest_open_first(self):
        """Open concerns first, oldest first; then closed ones, newest first."""
        return self.annotate(
            is_closed=models.Case(
                models.When(status=ConcernStatus.CLOSED, then=models.Value(1)),
                default=models.Value(0),
                output_field=models.IntegerField(),
            )
        ).order_by("is_closed", "raised_at", "pk")


class SafetyConcern(models.Model):
    # What was written about the child (see SessionLog.CHILD_TEXT_FIELDS).
    CHILD_TEXT_FIELDS = ("description", "acknowledgement_note", "outcome")
    OTHER_TEXT_FIELDS = ("status",)

    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="concerns")
    site = models.ForeignKey(SchoolSite, on_delete=models.PROTECT, related_name="concerns")
    session = models.OneToOneField(
        SessionLog,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="concern",
        help_text="Empty when staff raised the concern themselves.",
    )
    description = models.TextField(max_length=LONG_TEXT_MAX)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.NEW
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(blank=True, max_length=NOTE_TEXT_MAX)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, max_length=NOTE_TEXT_MAX)
    escalated_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was raised again for lack of acknowledgement."
    )
    moved_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it last moved to another school with its session: that school's "
        "time to acknowledge it starts then.",
    )
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When the box was unticked on its session."
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = SafetyConcernQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            one_of("status", ConcernStatus, name="concern_status_known"),
            models.CheckConstraint(condition=~models.Q(description=""), name="concern_described"),
            models.CheckConstraint(
                condition=models.Q(status=ConcernStatus.NEW)
                | models.Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="concern_acknowledged_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ConcernStatus.CLOSED)
                | models.Q(closed_at__isnull=False, closed_by__isnull=False),
                name="concern_closed_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | models.Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="concern_withdrawn_has_who_and_when",
            ),
            at_most("description", LONG_TEXT_MAX, name="concern_description_max_length"),
            at_most(
                "acknowledgement_note", NOTE_TEXT_MAX, name="concern_acknowledgement_max_length"
            ),
            at_most("outcome", NOTE_TEXT_MAX, name="concern_outcome_max_length"),
        ]
        # The concern list (portal/safeguarding/selectors.py): those not closed, oldest
        # first (the default), and one status oldest first, each read in the list's order.
        indexes = [
            models.Index(
                fields=["raised_at", "id"],
                condition=~models.Q(status=ConcernStatus.CLOSED),
                name="concern_open_raised_idx",
            ),
            models.Index(fields=["status", "raised_at", "id"], name="concern_status_raised_idx"),
        ]

    def __str__(self) -> str:
        return f"Concern #{self.pk} at {self.site}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def withdrawn_by_mentor(self) -> bool:
        """Whether the match's own mentor unticked the box (not staff correcting the entry)."""
        return self.is_withdrawn and self.withdrawn_by_id == self.match.mentor.user_id

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Safety concerns are never deleted: close them with an outcome.")


class ConcernNote(models.Model):
    CHILD_TEXT_FIELDS = ("text",)
    OTHER_TEXT_FIELDS = ()

    concern = models.ForeignKey(SafetyConcern, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=NOTE_TEXT_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [at_most("text", NOTE_TEXT_MAX, name="concern_note_max_length")]

    def __str__(self) -> str:
        return f"Note on concern #{self.concern_id}"


class NeedStatus(models.TextChoices):
    OPEN = "open", "Open"
    REFERRED = "referred", "Referred"
    CLOSED = "closed", "Closed"


class ResourceNeed(models.Model):
    """One kind of help a family needs, raised from a session, for staff to follow up."""

    CHILD_TEXT_FIELDS = ("details",)
    OTHER_TEXT_FIELDS = ("kind", "status")

    session = models.ForeignKey(SessionLog, on_delete=models.PROTECT, related_name="needs")
    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="needs")
    kind = models.CharField(max_length=30, choices=ResourceNeedKind.choices)
    details = models.TextField(blank=True, max_length=LONG_TEXT_MAX)
    status = models.CharField(max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    raised_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "kind"], name="need_one_per_session_kind"),
            one_of("kind", ResourceNeedKind, name="need_kind_known"),
            one_of("status", NeedStatus, name="need_status_known"),
            at_most("details", LONG_TEXT_MAX, name="need_details_max_length"),
        ]
        # The needs list, as the concern list's: not closed, or one status, oldest first;
        # every one oldest first (and the counts by month since a date).
        indexes = [
            models.Index(fields=["raised_at", "id"], name="need_raised_idx"),
            models.Index(
                fields=["raised_at", "id"],
                condition=~models.Q(status=NeedStatus.CLOSED),
                name="need_open_raised_idx",
            ),
            models.Index(fields=["status", "raised_at", "id"], name="need_status_raised_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} need #{self.pk}"


class NeedNote(models.Model):
    CHILD_TEXT_FIELDS = ("text",)
    OTHER_TEXT_FIELDS = ("status_from", "status_to")

    need = models.ForeignKey(ResourceNeed, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True, max_length=NOTE_TEXT_MAX)
    status_from = models.CharField(max_length=20, choices=NeedStatus.choices)
    status_to = models.CharField(max_length=20, choices=NeedStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [at_most("text", NOTE_TEXT_MAX, name="need_note_max_length")]

    def __str__(self) -> str:
        return f"Note on need #{self.need_id}"
