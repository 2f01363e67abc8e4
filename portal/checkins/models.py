"""Support check-ins: a coordinator's contact about a match, and the program's cadence."""

from django.conf import settings
from django.db import models

from portal.lib.constraints import one_of
from portal.lib.text import LONG_TEXT_MAX, at_most
from portal.mentoring.models import Match
from portal.safeguarding.models import SafetyConcern

NOTES_MAX = LONG_TEXT_MAX


class WithWhom(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"
    GUARDIAN = "guardian", "Parent or guardian"
    SCHOOL = "school", "School"


class How(models.TextChoices):
    CALL = "call", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"


class Strength(models.IntegerChoices):
    STRUGGLING = 1, "1 - Struggling"
    SHAKY = 2, "2 - Having a hard time"
    OKAY = 3, "3 - Okay"
    STRONG = 4, "4 - Strong"
    VERY_STRONG = 5, "5 - Very strong"


# The people in the match can say how it is going; a parent or the school may not know.
STRENGTH_REQUIRED_FOR = frozenset({WithWhom.MENTOR, WithWhom.MENTEE})


class CheckIn(models.Model):
    # What the coordinator heard ("she is worried about her grades") is about the child.
    CHILD_TEXT_FIELDS = ("notes",)
    OTHER_TEXT_FIELDS = ("with_whom", "how")

    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="checkins")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkins_recorded"
    )
    recorded_at = models.DateTimeField()
    with_whom = models.CharField("with whom", max_length=20, choices=WithWhom.choices)
    how = models.CharField(max_length=20, choices=How.choices)
    on_date = models.DateField("day")
    at_time = models.TimeField("time", null=True, blank=True)
    notes = models.TextField(blank=True, max_length=NOTES_MAX)
    strength = models.PositiveSmallIntegerField(
        "match strength", choices=Strength.choices, null=True, blank=True
    )
    safety_concern = models.BooleanField("any safety concern?", default=False)
    # The concern this check-in raised: one at most, and never two check-ins for one concern.
    concern = models.OneToOneField(
        SafetyConcern,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkin",
    )
    # The same form sent twice (a double click, a reload) records one check-in.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-on_date", "-at_time", "-pk"]
        constraints = [
            at_most("notes", NOTES_MAX, name="checkin_notes_max_length"),
            one_of("with_whom", WithWhom, name="checkin_with_whom_valid"),
            one_of("how", How, name="checkin_how_valid"),
            models.CheckConstraint(
                condition=models.Q(strength__isnull=True)
                | models.Q(strength__gte=1, strength__lte=5),
                name="checkin_strength_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["match", "with_whom", "-on_date"])]

    def __str__(self) -> str:
        return f"Check-in with the {self.get_with_whom_display().lower()} on {self.on_date}"


class CheckInCadence(models.Model):
    """How often the program checks in with each kind of person, in months (empty: no
    cadence). A kind without a row keeps the default of ``rules.DEFAULT_CADENCE_MONTHS``."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("kind",)

    kind = models.CharField(max_length=20, choices=WithWhom.choices, unique=True)
    months = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            one_of("kind", WithWhom, name="checkincadence_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(months__isnull=True) | models.Q(months__gte=1, months__lte=24),
                name="checkincadence_months_1_to_24",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: every {self.months} months"
