"""Schools and their contacts, mentors, mentees and their matches."""

from django.conf import settings
from django.db import models

from portal.lib.text import at_most
from portal.mentoring import rules
from portal.mentoring.models.program import CLOSURE_REASON_MAX, Choice, ChoiceList


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
        # The staff list of mentees, in name order: a page is read from here, not sorted.
        indexes = [
            models.Index(fields=["first_name", "last_initial", "id"], name="mentee_name_idx"),
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


class ClosureInitiator(models.TextChoices):
    """Who asked for a match to end (SPEC 8)."""

    MENTOR = "mentor", "The mentor"
    FAMILY = "family", "The mentee or their family"
    SCHOOL = "school", "The school"
    PROGRAM = "program", "The program"


class MatchQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # A match's entries count for its mentor and site in the reports' monthly counters.
        from portal.mentoring import month_summaries

        if not month_summaries.touches(kwargs, month_summaries.MATCH_FIELDS):
            return super().update(**kwargs)
        with month_summaries.matches_changing(self.values_list("pk", flat=True)):
            return super().update(**kwargs)

    update.alters_data = True


class Match(models.Model):
    # The closure notes ("moved to another school") are about the child. The column keeps
    # its first name, closure_reason; the reason from the program's list is closure_choice.
    CHILD_TEXT_FIELDS = ("closure_reason",)
    OTHER_TEXT_FIELDS = ("status", "last_attendance", "previous_attendance", "closed_by_whom")

    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="matches")
    mentee = models.ForeignKey(Mentee, on_delete=models.PROTECT, related_name="matches")
    site = models.ForeignKey(SchoolSite, on_delete=models.PROTECT, related_name="matches")
    # The staff member who supports this match (SPEC 8): their caseload. Empty only until
    # someone is assigned; administrators see the unassigned ones listed.
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caseload",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    closure_reason = models.CharField("closure notes", max_length=CLOSURE_REASON_MAX, blank=True)
    # How the match closed (SPEC 8), asked by the closure form; empty on an open match and
    # on matches closed before the form asked.
    closed_by_whom = models.CharField(
        "who asked to close it",
        max_length=20,
        choices=ClosureInitiator.choices,
        blank=True,
        db_default="",  # rows written in bulk (imports, the benchmark) leave it out
    )
    closure_choice = models.ForeignKey(
        Choice,
        verbose_name="why it closed",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"list": ChoiceList.CLOSURE_REASON},
    )
    last_meeting_on = models.DateField("last meeting", null=True, blank=True)
    closure_talk_with_mentor = models.BooleanField(null=True, blank=True)
    closure_talk_with_family = models.BooleanField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=MatchStatus.choices, default=MatchStatus.ACTIVE
    )
    # The match's two latest live entries, kept by ``activity.refresh_match_activity`` on
    # every change to its sessions: "matches needing support" (two absences in a row,
    # nothing for 30 days) reads them instead of looking up 20,000 matches' sessions.
    last_session_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_attendance = models.CharField(max_length=20, blank=True, editable=False, db_default="")
    previous_attendance = models.CharField(max_length=20, blank=True, editable=False, db_default="")

    objects = MatchQuerySet.as_manager()

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
        indexes = [
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["coordinator", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} with {self.mentee}"

    def save(self, *args, **kwargs):
        # Another mentor or site moves the match's entries in the reports' monthly counters,
        # in the same transaction. Saves of other fields cost no extra query.
        from portal.mentoring import month_summaries

        fields = kwargs.get("update_fields")
        watched = month_summaries.MATCH_FIELDS
        if self._state.adding or (
            fields is not None and not month_summaries.touches(fields, watched)
        ):
            return super().save(*args, **kwargs)
        stored = Match.objects.filter(pk=self.pk).values_list("mentor_id", "site_id").first()
        if stored is None or stored == (self.mentor_id, self.site_id):
            return super().save(*args, **kwargs)
        with month_summaries.matches_changing([self.pk]):
            return super().save(*args, **kwargs)

    save.alters_data = True

    @property
    def is_active(self) -> bool:
        return self.status == MatchStatus.ACTIVE

    @property
    def closure_notes(self) -> str:
        return self.closure_reason

    @property
    def length(self) -> "rules.MatchLength | None":
        """How long a closed match lasted, start to end (for reports); None while open."""
        if self.end_date is None:
            return None
        return rules.match_length(self.start_date, self.end_date)
