"""The records of a mentoring program: settings, schools, people, matches and session logs.

Values are stored so that a bad one cannot exist: hours as a whole number of quarter
hours, one entry per match and start time, zero hours exactly when the pair did not meet.
The database enforces these; forms only explain them.

Longer than 500 lines: the program's records refer to one another, and each declares
which of its text fields are about a child (CHILD_TEXT_FIELDS).
"""

import contextvars
import datetime as dt
import hashlib
import zoneinfo
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from portal.lib.text import LONG_TEXT_MAX, SHORT_TEXT_MAX, at_most
from portal.mentoring import rules

# Limits of free text kept as database constraints too (portal.lib.text has the others).
CLOSURE_REASON_MAX = 250
REVISION_REASON_MAX = 500
ACTIVITY_MAX = SHORT_TEXT_MAX
DETAILS_MAX = LONG_TEXT_MAX  # a session's concern and need details


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone such as America/Chicago.")


class ActivityMode(models.TextChoices):
    HIDDEN = rules.ACTIVITY_HIDDEN, "Hidden"
    READ_ONLY = rules.ACTIVITY_READ_ONLY, "Shown blank and read-only"
    OPTIONAL = rules.ACTIVITY_OPTIONAL, "Optional"
    REQUIRED = rules.ACTIVITY_REQUIRED, "Required"


class DeadlineRule(models.TextChoices):
    FIRST_WEEKDAY = rules.FIRST_WEEKDAY, "First <weekday> of the following month"
    DAY_OF_MONTH = rules.DAY_OF_MONTH, "Day N of the following month"


class LatePolicy(models.TextChoices):
    ACCEPT = "accept", "Accept and mark Late"
    REFUSE = "refuse", "Refuse (contact your coordinator)"


WEEKDAY_CHOICES = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


# The program settings of the request being answered (set by ProgramTimeZoneMiddleware).
_request_program: contextvars.ContextVar = contextvars.ContextVar("program", default=None)


class ProgramSettings(models.Model):
    """The one organization this deployment serves. There is exactly one row (pk=1)."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = (
        "name",
        "time_zone",
        "activity_mode",
        "deadline_rule",
        "late_policy",
        "contact_email",
        "contact_phone",
        "help_video_links",
        "mentor_agreement",
        "prompt_words",
    )

    name = models.CharField(max_length=120, default="Mentoring Program")
    time_zone = models.CharField(
        max_length=64,
        default=settings.PROGRAM_DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text="All dates are shown and all deadlines computed in this time zone.",
    )
    activity_mode = models.CharField(
        max_length=20, choices=ActivityMode.choices, default=ActivityMode.READ_ONLY
    )
    max_hours = models.DecimalField(
        "maximum hours per session", max_digits=4, decimal_places=2, default=Decimal("8.00")
    )
    deadline_rule = models.CharField(
        max_length=20, choices=DeadlineRule.choices, default=DeadlineRule.FIRST_WEEKDAY
    )
    deadline_weekday = models.PositiveSmallIntegerField(
        choices=WEEKDAY_CHOICES, default=0, help_text="Used by the 'first <weekday>' rule."
    )
    deadline_day = models.PositiveSmallIntegerField(
        default=5, help_text="Used by the 'day N' rule (1 to 28)."
    )
    late_policy = models.CharField(
        max_length=20, choices=LatePolicy.choices, default=LatePolicy.ACCEPT
    )
    concern_acknowledge_hours = models.PositiveSmallIntegerField(
        default=24, help_text="A concern not acknowledged in this time is raised again."
    )
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    help_video_links = models.TextField(
        blank=True, help_text="One per line: a title, a vertical bar, then the link."
    )
    # Longer than other texts: an agreement runs to a few pages.
    mentor_agreement = models.TextField(blank=True, max_length=20_000)
    invitation_valid_days = models.PositiveSmallIntegerField(
        "days an invitation link works",
        default=14,
        help_text="An invitation link (a mentor's or a school contact's) stops working after "
        "this many days.",
    )
    weekly_reminder_weekday = models.PositiveSmallIntegerField(
        choices=WEEKDAY_CHOICES,
        default=4,
        help_text="The day the weekly reminder goes to mentors who logged nothing for 7 days.",
    )
    reminder_hour = models.PositiveSmallIntegerField(
        default=8, help_text="Reminders go out from this hour (0 to 23), in the time zone above."
    )
    deadline_reminder_days_before = models.PositiveSmallIntegerField(
        default=3,
        help_text="A first deadline reminder goes this many days before the deadline; "
        "a second one the morning of the deadline.",
    )
    session_notes_retention_years = models.PositiveSmallIntegerField(
        "keep session notes (years)",
        null=True,
        blank=True,
        help_text=(
            "Empty: keep them. Otherwise the notes of older sessions are blanked (dates "
            "and hours stay); safety concerns are kept."
        ),
    )
    prompt_words = models.TextField(
        "words that prompt a question",
        default=rules.DEFAULT_PROMPT_WORDS,
        help_text=(
            "One per line: words in the notes, an equals sign, then the box to suggest "
            "(concern, food, shelter, clothing, household, health, school_supplies, other)."
        ),
    )

    class Meta:
        verbose_name = "program settings"
        verbose_name_plural = "program settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="program_settings_single_row"),
            models.CheckConstraint(
                condition=models.Q(max_hours__gte=Decimal("0.25"), max_hours__lte=24),
                name="program_settings_max_hours_range",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline_weekday__lte=6), name="program_settings_weekday"
            ),
            models.CheckConstraint(
                condition=models.Q(deadline_day__gte=1, deadline_day__lte=28),
                name="program_settings_deadline_day",
            ),
            models.CheckConstraint(
                condition=models.Q(invitation_valid_days__gte=1, invitation_valid_days__lte=90),
                name="program_settings_invitation_days",
            ),
            models.CheckConstraint(
                condition=models.Q(reminder_hour__lte=23, weekly_reminder_weekday__lte=6),
                name="program_settings_reminder_time",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline_reminder_days_before__lte=14),
                name="program_settings_reminder_days_before",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.max_hours is not None and (self.max_hours * 4) % 1 != 0:
            raise ValidationError({"max_hours": "Use quarter hours, like 8.00 or 7.75."})

    @classmethod
    def load(cls) -> "ProgramSettings":
        # Within a request, the row the middleware read (one query per request, not one
        # per view, selector and service that needs a setting).
        current = _request_program.get()
        if current is not None:
            return current
        obj, created = cls.objects.get_or_create(pk=1)
        if created:
            # A new (or emptied) database gets the starting lists with its settings row.
            ensure_starting_lists()
        return obj

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def max_quarter_hours(self) -> int:
        return int(self.max_hours * 4)

    @property
    def deadline_policy(self) -> rules.DeadlinePolicy:
        return rules.DeadlinePolicy(
            rule=self.deadline_rule,
            weekday=self.deadline_weekday,
            day=self.deadline_day,
            tz=self.tz,
        )

    @property
    def refuses_late_entries(self) -> bool:
        return self.late_policy == LatePolicy.REFUSE

    @property
    def agreement_version(self) -> str:
        """A fingerprint of the agreement text: it changes whenever the text does."""
        text = " ".join(self.mentor_agreement.split())
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def help_videos(self) -> list[tuple[str, str]]:
        videos = []
        for line in self.help_video_links.splitlines():
            title, _, url = line.partition("|")
            if url.strip().startswith(("https://", "http://")):
                videos.append((title.strip() or url.strip(), url.strip()))
        return videos


class ChoiceList(models.TextChoices):
    TYPE_OF_MENTORING = "type_of_mentoring", "Type of mentoring"
    INTERACTION = "interaction", "Interaction"


class Choice(models.Model):
    """An entry of one of the program's lists. Retired entries stay on old sessions."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("list", "label")

    list = models.CharField(max_length=30, choices=ChoiceList.choices)
    label = models.CharField(max_length=60)
    is_default = models.BooleanField(default=False)
    is_retired = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["list", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["list", "label"], name="choice_unique_label"),
            models.UniqueConstraint(
                fields=["list"],
                condition=models.Q(is_default=True),
                name="choice_one_default_per_list",
            ),
            models.CheckConstraint(
                condition=~models.Q(is_default=True, is_retired=True),
                name="choice_default_not_retired",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class SchoolSite(models.Model):
    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("name", "address")

    name = models.CharField(max_length=120, unique=True)
    address = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SiteContact(models.Model):
    """Someone at a school whom mentors tell about immediate safety concerns."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("name", "role", "email", "phone")

    site = models.ForeignKey(SchoolSite, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, blank=True, help_text="For example: Counselor")
    email = models.EmailField()
    phone = models.CharField(max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="site_contacts",
        help_text="The sign-in of this contact, if they have one.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["site", "position", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.site})"


class MentorStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"


class Mentor(models.Model):
    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("status", "agreement_version")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentor"
    )
    status = models.CharField(
        max_length=20, choices=MentorStatus.choices, default=MentorStatus.INVITED
    )
    enrolled_on = models.DateField(null=True, blank=True)
    agreement_accepted_at = models.DateTimeField(null=True, blank=True)
    agreement_version = models.CharField(
        max_length=40, blank=True, help_text="The version of the agreement text accepted."
    )
    weekly_reminders = models.BooleanField(
        default=True,
        help_text="Weekly reminder when nothing was logged for 7 days. Deadline reminders "
        "always go.",
    )

    class Meta:
        ordering = ["user__full_name"]

    def __str__(self) -> str:
        return str(self.user)


GRADE_CHOICES = [("K", "Kindergarten")] + [(str(n), f"Grade {n}") for n in range(1, 13)]


class MenteeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"


class Mentee(models.Model):
    """A child in the program. First name and last initial only: nothing more is needed."""

    # The child's name: left out of the de-identified export and redacted from the logs;
    # the erasure renames the child (the last initial stays: "Erased D.").
    CHILD_TEXT_FIELDS = ("first_name", "last_initial")
    OTHER_TEXT_FIELDS = ("grade", "status")

    first_name = models.CharField(max_length=60)
    last_initial = models.CharField(max_length=1)
    site = models.ForeignKey(SchoolSite, on_delete=models.PROTECT, related_name="mentees")
    grade = models.CharField(max_length=2, choices=GRADE_CHOICES)
    status = models.CharField(
        max_length=20, choices=MenteeStatus.choices, default=MenteeStatus.ACTIVE
    )

    class Meta:
        ordering = ["first_name", "last_initial"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_initial__regex=r"^[A-Z]$"),
                name="mentee_last_initial_one_capital",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        self.last_initial = self.last_initial.strip()[:1].upper()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_initial}."


class MatchStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Match(models.Model):
    # Why a match ended ("moved to another school") is about the child.
    CHILD_TEXT_FIELDS = ("closure_reason",)
    OTHER_TEXT_FIELDS = ("status", "last_attendance", "previous_attendance")

    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="matches")
    mentee = models.ForeignKey(Mentee, on_delete=models.PROTECT, related_name="matches")
    site = models.ForeignKey(SchoolSite, on_delete=models.PROTECT, related_name="matches")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=CLOSURE_REASON_MAX, blank=True)
    status = models.CharField(
        max_length=20, choices=MatchStatus.choices, default=MatchStatus.ACTIVE
    )
    # The match's two latest live entries, kept by ``activity.refresh_match_activity`` on
    # every change to its sessions: "matches needing support" (two absences in a row,
    # nothing for 30 days) reads them instead of looking up 20,000 matches' sessions.
    last_session_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_attendance = models.CharField(max_length=20, blank=True, editable=False, db_default="")
    previous_attendance = models.CharField(max_length=20, blank=True, editable=False, db_default="")

    class Meta:
        ordering = ["-start_date"]
        verbose_name_plural = "matches"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="match_ends_after_it_starts",
            ),
            at_most("closure_reason", CLOSURE_REASON_MAX, name="match_closure_reason_max_length"),
        ]
        indexes = [models.Index(fields=["mentor", "status"])]

    def __str__(self) -> str:
        return f"{self.mentor} with {self.mentee}"

    @property
    def is_active(self) -> bool:
        return self.status == MatchStatus.ACTIVE


class Attendance(models.TextChoices):
    MET = "met", "We met"
    MENTEE_ABSENT = "mentee_absent", "Mentee absent or no-show"
    MENTOR_ABSENT = "mentor_absent", "Mentor absent"
    CANCELLED = "cancelled", "School closed or cancelled"


class ResourceNeedKind(models.TextChoices):
    FOOD = "food", "Food"
    SHELTER = "shelter", "Shelter or housing"
    CLOTHING = "clothing", "Clothing"
    HOUSEHOLD = "household", "Household"
    HEALTH = "health", "Health"
    SCHOOL_SUPPLIES = "school_supplies", "School supplies"
    OTHER = "other", "Other"


class SessionLogQuerySet(models.QuerySet):
    def live(self):
        """Entries that have not been deleted."""
        return self.filter(deleted_at__isnull=True)


class SessionLog(models.Model):
    """One mentoring session: one meeting (or missed meeting) of one match."""

    # What is written about the child, declared once: the de-identified export leaves it
    # out, the retention purge and the erasure blank it (portal/lifecycle/services.py),
    # the logs redact it. Every other text field is in OTHER_TEXT_FIELDS, and
    # tests/test_child_text.py fails for a text field in neither.
    CHILD_TEXT_FIELDS = ("notes", "activity", "safety_concern_details", "resource_needs_details")
    OTHER_TEXT_FIELDS = ("attendance", "resource_needs")  # choices and the needs' codes

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
            models.CheckConstraint(
                condition=models.Q(attendance__in=[a.value for a in Attendance]),
                name="session_attendance_known",
            ),
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
        ]

    def __str__(self) -> str:
        return f"{self.match.mentee} on {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

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
        """The values a mentor can change, as plain data for the history of changes."""
        return {
            # The match by number: its child's name is read when the history is shown, so
            # erasing a child's records leaves no name in the history.
            "match": self.match_id,
            # In UTC: the same moment read from the form (local) or the database compares equal.
            "starts_at": self.starts_at.astimezone(dt.UTC).isoformat() if self.starts_at else None,
            "hours": str(self.hours),
            "type_of_mentoring": self.type_of_mentoring.label,
            "interaction": self.interaction.label,
            "activity": self.activity,
            "attendance": self.get_attendance_display(),
            "notes": self.notes,
            "safety_concern": self.safety_concern,
            "safety_concern_details": self.safety_concern_details,
            "resource_needs": list(self.resource_need_labels),
            "resource_needs_details": self.resource_needs_details,
        }


class RevisionAction(models.TextChoices):
    CREATED = "created", "Logged"
    UPDATED = "updated", "Changed"
    DELETED = "deleted", "Deleted"


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


STARTING_LISTS = {
    ChoiceList.TYPE_OF_MENTORING: ["Mentoring Hours", "Group Activity", "Training"],
    ChoiceList.INTERACTION: ["In-Person", "Virtual", "Phone"],
}


def ensure_starting_lists() -> None:
    """The lists of RULES 4.4, with the first entry as the default, for an empty list."""
    for list_name, labels in STARTING_LISTS.items():
        if Choice.objects.filter(list=list_name).exists():
            continue
        Choice.objects.bulk_create(
            Choice(list=list_name, label=label, position=position, is_default=position == 0)
            for position, label in enumerate(labels)
        )


class NoSessionReason(models.TextChoices):
    SCHOOL_BREAK = "school_break", "School break or holiday"
    MENTEE_UNAVAILABLE = "mentee_unavailable", "My mentee was away or not available"
    MENTOR_UNAVAILABLE = "mentor_unavailable", "I was away or not available"
    OTHER = "other", "Something else"


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
            models.CheckConstraint(
                condition=models.Q(reason__in=[r.value for r in NoSessionReason]),
                name="no_session_month_reason_known",
            ),
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
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in ReminderKind]),
                name="reminder_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.mentor} for {self.period}"
