"""The program's own settings and its lists of choices (RULES 4.4, 4.7, 4.8)."""

import contextvars
import hashlib
import zoneinfo
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.lib.text import LONG_TEXT_MAX, SHORT_TEXT_MAX
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
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
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
        "mentor_agreement_es",
        "help_video_links_es",
        "prompt_words_es",
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
    # Spanish versions, filled in by an administrator; where one is empty, Spanish-speaking
    # mentors see the English text.
    mentor_agreement_es = models.TextField(
        "mentor agreement (Spanish)", blank=True, max_length=20_000, default="", db_default=""
    )
    help_video_links_es = models.TextField(
        "help videos (Spanish)",
        blank=True,
        max_length=5_000,
        default="",
        db_default="",
        help_text="Like the help videos above, for mentors who read Spanish. Empty: the same.",
    )
    prompt_words_es = models.TextField(
        "words that prompt a question (Spanish)",
        blank=True,
        max_length=5_000,
        default="",
        db_default="",
        help_text="Spanish words, written like the list above; both lists are used on every entry.",
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

    def save(self, *args, **kwargs):
        # The reports' monthly counters are months of this time zone: another one recounts
        # them, in the same transaction (a few seconds for a million sessions).
        from portal.mentoring import month_summaries

        fields = kwargs.get("update_fields")
        if self._state.adding or (fields is not None and "time_zone" not in fields):
            return super().save(*args, **kwargs)
        stored = ProgramSettings.objects.filter(pk=self.pk).values_list("time_zone", flat=True)
        before = stored.first()
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            if before is not None and before != self.time_zone:
                month_summaries.rebuild(tz=self.tz)

    save.alters_data = True

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

    @classmethod
    def load_for_request(cls) -> "ProgramSettings":
        """The row for one request (portal/mentoring/middleware.py), with the current
        mentor agreement version's fingerprint read in the same query
        (``current_agreement_fingerprint``, None before the first version): the mentor's
        pages compare it with the mentor's own, not with a query of their own."""
        versions = apps.get_model("readiness", "AgreementVersion").objects
        latest = versions.order_by("-number").values("fingerprint")[:1]
        obj = (
            cls.objects.annotate(current_agreement_fingerprint=models.Subquery(latest))
            .filter(pk=1)
            .first()
        )
        return obj if obj is not None else cls.load()

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
        """A fingerprint of the agreement texts: it changes whenever either one does.
        Without a Spanish text it is the English text's alone, as before there was one."""
        text = " ".join(self.mentor_agreement.split())
        text_es = " ".join(self.mentor_agreement_es.split())
        if text_es:
            text = f"{text}\n--- es ---\n{text_es}"
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @property
    def mentor_agreement_shown(self) -> str:
        """The agreement in the language of the page: Spanish when there is a Spanish one."""
        if _spanish() and self.mentor_agreement_es.strip():
            return self.mentor_agreement_es
        return self.mentor_agreement

    @property
    def all_prompt_words(self) -> str:
        """The English and the Spanish prompt words: a mentor may write notes in either."""
        return "\n".join(t for t in (self.prompt_words, self.prompt_words_es) if t.strip())

    def help_videos(self) -> list[tuple[str, str]]:
        videos = []
        links = self.help_video_links
        if _spanish() and self.help_video_links_es.strip():
            links = self.help_video_links_es
        for line in links.splitlines():
            title, _, url = line.partition("|")
            if url.strip().startswith(("https://", "http://")):
                videos.append((title.strip() or url.strip(), url.strip()))
        return videos


class ChoiceList(models.TextChoices):
    TYPE_OF_MENTORING = "type_of_mentoring", "Type of mentoring"
    INTERACTION = "interaction", "Interaction"
    # Why a match closed (SPEC 8): the closure form offers these.
    CLOSURE_REASON = "closure_reason", "Why a match closed"


class Choice(models.Model):
    """An entry of one of the program's lists. Retired entries stay on old sessions."""

    CHILD_TEXT_FIELDS = ()
    OTHER_TEXT_FIELDS = ("list", "label", "label_es")

    list = models.CharField(max_length=30, choices=ChoiceList.choices)
    label = models.CharField(max_length=60)
    # What Spanish-speaking mentors see; empty: the English label.
    label_es = models.CharField(
        "label (Spanish)", max_length=60, blank=True, default="", db_default=""
    )
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

    @property
    def shown_label(self) -> str:
        """The label in the language of the page (Spanish when there is one)."""
        if _spanish() and self.label_es:
            return self.label_es
        return self.label


def _spanish() -> bool:
    return (translation.get_language() or "").startswith("es")


STARTING_LISTS = {
    ChoiceList.TYPE_OF_MENTORING: ["Mentoring Hours", "Group Activity", "Training"],
    ChoiceList.INTERACTION: ["In-Person", "Virtual", "Phone"],
    ChoiceList.CLOSURE_REASON: [
        "Mentor moved or schedule changed",
        "Mentee changed school",
        "Family request",
        "Program ended",
        "Mentor no longer available",
        "Other",
    ],
}
# Lists whose first entry is picked for the user: a closure reason is always chosen.
_NO_DEFAULT = {ChoiceList.CLOSURE_REASON}


def ensure_starting_lists() -> None:
    """The lists of RULES 4.4, with the first entry as the default, for an empty list."""
    for list_name, labels in STARTING_LISTS.items():
        if Choice.objects.filter(list=list_name).exists():
            continue
        Choice.objects.bulk_create(
            Choice(
                list=list_name,
                label=label,
                position=position,
                is_default=position == 0 and list_name not in _NO_DEFAULT,
            )
            for position, label in enumerate(labels)
        )
