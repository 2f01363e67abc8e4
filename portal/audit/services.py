"""One way to write the audit trail, so every sensitive change reads the same."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

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


@contextmanager
def audited(
    obj: models.Model,
    *,
    actor,
    action: str,
    values: Callable[[models.Model], dict],
    note: str = "",
) -> Iterator[None]:
    """Record ``action`` on ``obj`` with ``values(obj)`` before and after the change the
    block makes; a block that raises leaves no entry."""
    old = values(obj)
    yield
    log_action(actor=actor, action=action, obj=obj, old=old, new=values(obj), note=note)


def status_values(obj: models.Model) -> dict:
    return {"status": obj.status}


def events_for(obj: models.Model):
    return AuditEvent.objects.filter(
        object_type=object_type_of(obj), object_id=obj.pk
    ).select_related("actor")
