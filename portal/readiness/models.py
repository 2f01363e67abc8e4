"""Volunteer readiness (SPEC 8): what the program requires of a mentor, each mentor's
records of it, the training they log, and the versions of the mentor agreement.

No identity document is stored: a record keeps a short note or a reference to where the
document is kept (a file number, "seen by J. Ortiz"), never a scan.
"""

from django.conf import settings
from django.db import models
from django.utils import translation

from portal.lib.constraints import one_of
from portal.lib.text import SHORT_TEXT_MAX, at_most
from portal.mentoring.models import Match, Mentor
from portal.mentoring.rules import quarters_to_hours
from portal.readiness import rules

NAME_MAX = 120
NOTE_MAX = 250
TOPIC_MAX = SHORT_TEXT_MAX
AGREEMENT_MAX = 20_000
FLAG_REASONS_MAX = 1000


class WhoRecords(models.TextChoices):
    STAFF = "staff", "Program staff"
    TRAINING = "training", "The mentor, by logging the training"


class ReadinessItem(models.Model):
    """A requirement the program sets: a background check, references, a training..."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("name", "name_es", "who_records")

    name = models.CharField(max_length=NAME_MAX, unique=True)
    # Filled in by an administrator; where it is empty, Spanish-speaking mentors read the
    # English name.
    name_es = models.CharField(
        "name in Spanish", max_length=NAME_MAX, blank=True, default="", db_default=""
    )
    required = models.BooleanField(default=True)
    valid_months = models.PositiveSmallIntegerField(
        "valid for (months)", null=True, blank=True, help_text="Empty: it does not expire."
    )
    who_records = models.CharField(
        "who records it", max_length=20, choices=WhoRecords.choices, default=WhoRecords.STAFF
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            at_most("name", NAME_MAX, name="readinessitem_name_max_length"),
            at_most("name_es", NAME_MAX, name="readinessitem_name_es_max_length"),
            one_of("who_records", WhoRecords, name="readinessitem_who_records_valid"),
            models.CheckConstraint(
                condition=models.Q(valid_months__isnull=True)
                | models.Q(valid_months__gte=1, valid_months__lte=120),
                name="readinessitem_valid_months_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str | None) -> str:
        """The name for a reader of ``language``: the Spanish one when there is one."""
        if (language or "").startswith("es") and self.name_es.strip():
            return self.name_es
        return self.name

    @property
    def name_shown(self) -> str:
        """The name in the language of the page (mentor-facing pages)."""
        return self.name_in(translation.get_language())

    @property
    def validity_label(self) -> str:
        if not self.valid_months:
            return "Does not expire"
        return f"{self.valid_months} month{'' if self.valid_months == 1 else 's'}"


class RecordSource(models.TextChoices):
    STAFF = "staff", "Recorded by staff"
    TRAINING = "training", "Logged training"
    IMPORT = "import", "Imported"


class TrainingLog(models.Model):
    """Training a mentor attended: apart from sessions and not tied to a match."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("topic",)

    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="trainings")
    on_date = models.DateField("day")
    quarter_hours = models.PositiveSmallIntegerField()
    topic = models.CharField(max_length=TOPIC_MAX)
    # The readiness item this training completes, if the program lets training do so.
    item = models.ForeignKey(
        ReadinessItem, on_delete=models.PROTECT, null=True, blank=True, related_name="trainings"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trainings_entered"
    )
    entered_at = models.DateTimeField()
    # The same form sent twice (a double tap, a reload) saves one training.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-on_date", "-pk"]
        constraints = [
            at_most("topic", TOPIC_MAX, name="traininglog_topic_max_length"),
            models.CheckConstraint(
                condition=models.Q(
                    quarter_hours__gte=1, quarter_hours__lte=rules.TRAINING_MAX_QUARTERS
                ),
                name="traininglog_quarter_hours_range",
            ),
        ]
        indexes = [models.Index(fields=["mentor", "-on_date"])]

    def __str__(self) -> str:
        return f"{self.topic} on {self.on_date}"

    @property
    def hours(self):
        return quarters_to_hours(self.quarter_hours)


class ReadinessRecord(models.Model):
    """A mentor's record of one item: the day it was done, who recorded it, a note."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("note", "source")

    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="readiness_records")
    item = models.ForeignKey(ReadinessItem, on_delete=models.PROTECT, related_name="records")
    done_on = models.DateField("day done")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="readiness_recorded"
    )
    recorded_at = models.DateTimeField()
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    source = models.CharField(
        max_length=20, choices=RecordSource.choices, default=RecordSource.STAFF
    )
    training = models.OneToOneField(
        TrainingLog,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="readiness_record",
    )

    class Meta:
        ordering = ["-done_on", "-pk"]
        constraints = [
            # The same item done the same day is one record (a double click, an import
            # run twice).
            models.UniqueConstraint(
                fields=["mentor", "item", "done_on"], name="readinessrecord_one_per_day"
            ),
            at_most("note", NOTE_MAX, name="readinessrecord_note_max_length"),
            one_of("source", RecordSource, name="readinessrecord_source_valid"),
        ]
        indexes = [models.Index(fields=["item", "mentor", "-done_on"])]

    def __str__(self) -> str:
        return f"{self.item} for {self.mentor} on {self.done_on}"


class NotReadyPolicy(models.TextChoices):
    WARN = "warn", "Warn staff, and let the match go ahead"
    BLOCK = "block", "Refuse the match, with the reason"


class ReadinessSettings(models.Model):
    """The program's choice for matches of a mentor who is not ready. One row (pk=1)."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("not_ready_matches",)

    not_ready_matches = models.CharField(
        "a match for a mentor who is not ready",
        max_length=20,
        choices=NotReadyPolicy.choices,
        default=NotReadyPolicy.WARN,
    )

    class Meta:
        verbose_name = "readiness settings"
        verbose_name_plural = "readiness settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="readinesssettings_single_row"),
            one_of("not_ready_matches", NotReadyPolicy, name="readinesssettings_policy_valid"),
        ]

    def __str__(self) -> str:
        return self.get_not_ready_matches_display()

    @classmethod
    def load(cls) -> "ReadinessSettings":
        # Unsaved until an administrator changes it: reading a page writes nothing.
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def blocks(self) -> bool:
        return self.not_ready_matches == NotReadyPolicy.BLOCK


class ExpiryReminder(models.Model):
    """The one reminder a mentor gets before a record expires: unique per record, written
    in the same transaction as its email, so the job can run any number of times."""

    record = models.OneToOneField(
        ReadinessRecord, on_delete=models.CASCADE, related_name="expiry_reminder"
    )
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Reminder for {self.record}"


class MatchReadinessFlag(models.Model):
    """The nightly check's finding: an active match whose mentor is not ready. Removed
    once the mentor is ready again or the match closes; its coordinator is told once."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("reasons", "policy")

    match = models.OneToOneField(Match, on_delete=models.CASCADE, related_name="readiness_flag")
    flagged_on = models.DateField()
    reasons = models.CharField(max_length=FLAG_REASONS_MAX)
    # The program setting when it was flagged: "block" holds the match (no new sessions).
    policy = models.CharField(max_length=20, choices=NotReadyPolicy.choices)

    class Meta:
        constraints = [
            at_most("reasons", FLAG_REASONS_MAX, name="matchreadinessflag_reasons_max_length"),
            one_of("policy", NotReadyPolicy, name="matchreadinessflag_policy_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.match}: {self.reasons}"

    @property
    def holds(self) -> bool:
        return self.policy == NotReadyPolicy.BLOCK


class AgreementVersion(models.Model):
    """Each change of the mentor agreement's text is a new version."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("fingerprint", "text", "text_es")

    number = models.PositiveIntegerField(unique=True)
    # ProgramSettings.agreement_version: what a mentor's enrollment records. Taken over
    # both texts, so a change of either one is a new version.
    fingerprint = models.CharField(max_length=40)
    text = models.TextField(max_length=AGREEMENT_MAX, blank=True)
    # The Spanish text of the same version; empty when the program had none.
    text_es = models.TextField(
        "text in Spanish", max_length=AGREEMENT_MAX, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            at_most("text", AGREEMENT_MAX, name="agreementversion_text_max_length"),
            at_most("text_es", AGREEMENT_MAX, name="agreementversion_text_es_max_length"),
        ]

    def __str__(self) -> str:
        return f"Version {self.number}"

    def language_for(self, language: str | None) -> str:
        """Which text a reader of ``language`` is shown: "es" when this version has a
        Spanish text and the reader reads Spanish, else "en"."""
        if (language or "").startswith("es") and self.text_es.strip():
            return "es"
        return "en"

    def text_in(self, language: str) -> str:
        return self.text_es if language == "es" else self.text


class AcceptedLanguage(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


class AgreementAcceptance(models.Model):
    """Which version a mentor accepted, in which language, and when."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("language",)

    mentor = models.ForeignKey(
        Mentor, on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="acceptances"
    )
    accepted_at = models.DateTimeField()
    # Which of the version's texts the mentor was shown and accepted.
    language = models.CharField(
        max_length=2, choices=AcceptedLanguage.choices, default="en", db_default="en"
    )

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "version"], name="agreementacceptance_once_per_version"
            ),
            one_of("language", AcceptedLanguage, name="agreementacceptance_language_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} accepted {self.version}"
