"""The Django admin writes to the audit trail like every other page.

Django's own admin log keeps a sentence per change; the audit trail keeps who changed
which values from what to what, for every record, in one place (RULES 6).
"""

from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from portal.audit.services import events_for, log_action

# Never copied into the audit trail, whatever the model: hashes, one-time-code secrets,
# tokens. A change to one is recorded by name only.
SECRET_WORDS = ("password", "secret", "token", "code_hash", "last_step")


def is_secret(name: str) -> bool:
    return any(word in name for word in SECRET_WORDS)


def plain(value):
    """A value as the audit trail stores it: JSON, records by their name."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple, set)) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return [plain(item) for item in items]
    return str(value)


def _field_names(obj: models.Model, names) -> list[str]:
    concrete = {field.name for field in obj._meta.get_fields() if field.concrete}
    return [name for name in names if name in concrete]


def _values(obj: models.Model, names) -> dict:
    values = {}
    for name in _field_names(obj, names):
        if is_secret(name):
            values[name] = "(changed, not recorded)"
        else:
            values[name] = plain(getattr(obj, name))
    return values


def _all_names(obj: models.Model) -> list[str]:
    return [field.name for field in obj._meta.concrete_fields if not field.primary_key]


def log_admin_change(*, request, obj: models.Model, verb: str, old: dict, new: dict) -> None:
    log_action(
        actor=request.user,
        action=f"{obj._meta.model_name}.{verb}",
        obj=obj,
        old=old,
        new=new,
        note="In the admin.",
    )


class AuditedAdminMixin:
    """Every change saved here (the record, its inline rows, a deletion) is written to the
    audit trail with old and new values, which the page shows under "Record of changes"."""

    def save_model(self, request, obj, form, change):
        old = {}
        if change and obj.pk:
            before = type(obj)._default_manager.get(pk=obj.pk)
            old = _values(before, form.changed_data)
        super().save_model(request, obj, form, change)
        if change and not form.changed_data:
            return
        log_admin_change(
            request=request,
            obj=obj,
            verb="changed" if change else "created",
            old=old,
            new=_values(obj, form.changed_data if change else _all_names(obj)),
        )

    def save_formset(self, request, form, formset, change):
        """Inline rows (a school's site contacts) are audited one by one."""
        before = {}
        for inline_form in formset.initial_forms:
            instance = inline_form.instance
            if instance.pk and inline_form.has_changed():
                stored = type(instance)._default_manager.filter(pk=instance.pk).first()
                if stored is not None:
                    before[instance.pk] = stored
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            log_admin_change(
                request=request, obj=obj, verb="created", old={}, new=_values(obj, _all_names(obj))
            )
        for obj, changed in formset.changed_objects:
            stored = before.get(obj.pk, obj)
            log_admin_change(
                request=request,
                obj=obj,
                verb="changed",
                old=_values(stored, changed),
                new=_values(obj, changed),
            )
        for obj in formset.deleted_objects:
            stored = before.get(obj.pk, obj)
            log_admin_change(
                request=request,
                obj=stored,
                verb="deleted",
                old=_values(stored, _all_names(stored)),
                new={},
            )

    def delete_model(self, request, obj):
        old = _values(obj, _all_names(obj))
        log_admin_change(request=request, obj=obj, verb="deleted", old=old, new={})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            log_admin_change(
                request=request, obj=obj, verb="deleted", old=_values(obj, _all_names(obj)), new={}
            )
        super().delete_queryset(request, queryset)

    @admin.display(description="Record of changes")
    def audit_trail(self, obj):
        if obj is None or obj.pk is None:
            return "Nothing recorded yet."
        rows = [
            (
                timezone.localtime(event.created_at).strftime("%d %b %Y %H:%M"),
                event.actor or "The portal",
                event.action,
                ", ".join(
                    f"{name}: {event.old_values.get(name, '')!s} → {value!s}"
                    for name, value in event.new_values.items()
                ),
            )
            for event in events_for(obj)
        ]
        if not rows:
            return "Nothing recorded yet."
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )
