"""For migrations that add a length limit to text already stored."""

from django.db.models.functions import Length


def shorten_to_limits(apps, *, app_label: str, model_name: str, limits: dict[str, int]) -> None:
    """Shorten each stored value longer than its new limit, so the constraint can be
    added, and keep the full text in the audit trail (nothing a person wrote is lost).

    Uses the migration's historical models only.
    """
    model = apps.get_model(app_label, model_name)
    audit_event = apps.get_model("audit", "AuditEvent")
    object_type = f"{app_label}.{model_name.lower()}"
    for field, limit in limits.items():
        rows = model._base_manager.annotate(length=Length(field)).filter(length__gt=limit)
        for pk, text in rows.values_list("pk", field).iterator():
            audit_event.objects.create(
                action=f"{model_name.lower()}.text_shortened",
                object_type=object_type,
                object_id=pk,
                old_values={field: text},
                new_values={field: text[:limit]},
                note=f"Shortened to the new limit of {limit:,} characters; the full text is here.",
            )
            model._base_manager.filter(pk=pk).update(**{field: text[:limit]})
