"""Invitations: the link that lets an invited mentor or school site contact choose a
password, once."""

from django.db import models
from django.utils import timezone

from portal.accounts.models import User


class InvitationState(models.TextChoices):
    PENDING = "pending", "Waiting for the mentor"
    ACCEPTED = "accepted", "Accepted"
    EXPIRED = "expired", "Expired"
    RETIRED = "retired", "Replaced by a newer invitation"


class InvitationQuerySet(models.QuerySet):
    def pending(self, now):
        return self.filter(accepted_at__isnull=True, retired_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """A link that lets one invited mentor (or school site contact) choose a password,
    once, before it expires.

    Only a hash of the token is stored: the token itself exists in the invitation email.
    Resending retires the old invitation and makes a new one with a new token.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        db_table = "accounts_invitation"  # made by the accounts app, before enrollment had one
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "created_at"]),
            # The invitations list: those not retired (its default), newest first.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(retired_at__isnull=True),
                name="invitation_live_created_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(retired_at__isnull=True),
                name="invitation_accepted_or_retired_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.user.email}"

    def state_at(self, now) -> str:
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.retired_at is not None:
            return InvitationState.RETIRED
        if now >= self.expires_at:
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    def get_state_display(self) -> str:
        return InvitationState(self.state).label
