"""Caseloads (SPEC 8): the staff member who supports each match, assigned one by one or in
bulk. Other parts of the portal (the digest, the reports) read a coordinator's matches
through ``matches_of``."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal.accounts.models import STAFF_ROLES, User
from portal.audit.models import AuditEvent
from portal.audit.services import object_type_of
from portal.mentoring.models import Match, MatchStatus


def coordinators() -> QuerySet:
    """Who may be given a caseload: staff and administrators who can sign in."""
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("full_name", "pk")


def is_coordinator(user: User) -> bool:
    return user.is_authenticated and user.is_program_staff and user.is_active


def matches_of(coordinator: User) -> QuerySet:
    """The active matches in ``coordinator``'s caseload."""
    return Match.objects.filter(coordinator=coordinator, status=MatchStatus.ACTIVE)


def unassigned_matches() -> QuerySet:
    """Active matches nobody supports yet: administrators see them listed."""
    return Match.objects.filter(coordinator__isnull=True, status=MatchStatus.ACTIVE)


def has_caseload(user: User) -> bool:
    return is_coordinator(user) and matches_of(user).exists()


def _check_coordinator(coordinator: User | None) -> None:
    if coordinator is not None and not is_coordinator(coordinator):
        raise ValidationError(
            {"coordinator": "Choose a staff member who can sign in: only staff support matches."}
        )


def _name(user: User | None) -> str | None:
    return user.full_name or user.email if user is not None else None


@transaction.atomic
def assign_coordinator(*, matches: QuerySet, coordinator: User | None, actor: User) -> int:
    """Give the active ``matches`` to ``coordinator`` (None: to nobody). One UPDATE and one
    audit entry per match whose coordinator changes (old and new); returns how many."""
    _check_coordinator(coordinator)
    new_id = coordinator.pk if coordinator is not None else None
    changing = list(
        matches.filter(status=MatchStatus.ACTIVE)
        .exclude(coordinator_id=new_id)
        .select_for_update(of=("self",))
        .values_list("pk", "coordinator_id", "coordinator__full_name", "coordinator__email")
    )
    if not changing:
        return 0
    Match.objects.filter(pk__in=[pk for pk, *_ in changing]).update(coordinator=coordinator)
    now = timezone.now()
    new = {"coordinator": _name(coordinator), "coordinator_id": new_id}
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            action="match.coordinator_changed",
            object_type=object_type_of(Match()),
            object_id=pk,
            old_values={"coordinator": old_name or old_email, "coordinator_id": old_id},
            new_values=new,
            created_at=now,
        )
        for pk, old_id, old_name, old_email in changing
    )
    return len(changing)
