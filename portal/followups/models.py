"""A question from staff about one session entry, to the entry's mentor (SPEC 8).

Asked by staff, answered by the mentor of the entry, resolved by staff (who may also
resolve a question the mentor never answered, saying why). The mentor is always the
entry's own: when staff move an entry to another match of the same mentor, its
follow-ups go with it, and the new match's coordinator sees them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.lib.constraints import one_of
from portal.lib.text import LONG_TEXT_MAX, NOTE_TEXT_MAX, at_most
from portal.mentoring.models import SessionLog

QUESTION_MAX = NOTE_TEXT_MAX
ANSWER_MAX = LONG_TEXT_MAX
RESOLUTION_NOTE_MAX = NOTE_TEXT_MAX


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Waiting for the mentor"
    ANSWERED = "answered", "Answered"
    RESOLVED = "resolved", "Resolved"


class FollowUp(models.Model):
    # The question and the answer are about the child of the entry, like its notes.
    CHILD_TEXT_FIELDS = ("question", "answer", "resolution_note")
    OTHER_TEXT_FIELDS = ("status",)

    session = models.ForeignKey(SessionLog, on_delete=models.PROTECT, related_name="followups")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    question = models.TextField(max_length=QUESTION_MAX)
    status = models.CharField(
        max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    answer = models.TextField(blank=True, max_length=ANSWER_MAX)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True, max_length=RESOLUTION_NOTE_MAX)

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            one_of("status", FollowUpStatus, name="followup_status_known"),
            models.CheckConstraint(condition=~models.Q(question=""), name="followup_asked"),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True, answered_by__isnull=True, answer="")
                | (
                    models.Q(answered_at__isnull=False, answered_by__isnull=False)
                    & ~models.Q(answer="")
                ),
                name="followup_answer_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=FollowUpStatus.ANSWERED)
                | models.Q(answered_at__isnull=False),
                name="followup_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status=FollowUpStatus.RESOLVED)
                    & models.Q(resolved_at__isnull=False, resolved_by__isnull=False)
                )
                | (
                    ~models.Q(status=FollowUpStatus.RESOLVED)
                    & models.Q(resolved_at__isnull=True, resolved_by__isnull=True)
                ),
                name="followup_resolved_has_who_and_when",
            ),
            at_most("question", QUESTION_MAX, name="followup_question_max_length"),
            at_most("answer", ANSWER_MAX, name="followup_answer_max_length"),
            at_most("resolution_note", RESOLUTION_NOTE_MAX, name="followup_resolution_max_length"),
        ]
        indexes = [models.Index(fields=["status", "asked_at"])]

    def __str__(self) -> str:
        return f"Follow-up #{self.pk} on session #{self.session_id}"

    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.OPEN

    @property
    def mentor_user_id(self) -> int:
        """Who answers: the mentor of the entry's match, wherever the entry now is."""
        return self.session.match.mentor.user_id
