"""One way to write the audit trail, so every sensitive change reads the same."""

from django.db import models

from portal.audit.models import AuditEvent


def object_type_of(obj: models.Model) -> str:
    return obj._meta.label_lower  # e.g. "safeguarding.safetyconcern"


def log_action(
    *,
    actor,
    action: str,
    obj: models.Model,
    old: dict | None = None,
    new: dict | None = None,
    note: str = "",
) -> AuditEvent:
    """Record that ``actor`` did ``action`` to ``obj`` (None actor: the portal itself)."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type_of(obj),
        object_id=obj.pk,
        old_values=old or {},
        new_values=new or {},
        note=note[:500],
    )


def events_for(obj: models.Model):
    return AuditEvent.objects.filter(
        object_type=object_type_of(obj), object_id=obj.pk
    ).select_related("actor")
