"""Public interface of the audit app: every app writes its audit entries through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from schools.audit.models import AuditAction, AuditEntry

# Field names whose values never enter the log, in any model: only "it changed" is kept.
SENSITIVE_FIELDS = frozenset(
    {
        "last_name",
        "first_name",
        "middle_name",
        "full_name",
        "birth_date",
        "email",
        "phone",
        "address",
        "health",
        "health_notes",
        "disability",
        "passport",
        "snils",
        "guardian_name",
        "scan",
        "request",
        "experience",
        "motivation",
        "training",
        "notes",
        "comment",
        "password",
    }
)


def _loggable_value(field: models.Field[Any, Any] | None, value: Any) -> tuple[bool, Any]:
    """(True, json-able value) for a structured non-personal field; (False, None) otherwise.

    Free text is never logged, even when its field name is not on the sensitive list: a
    comment box can hold anything."""
    if field is None:
        return False, None
    if field.is_relation:
        return (True, value) if isinstance(value, int | None) else (False, None)
    if field.choices:
        return True, value
    if isinstance(
        field, models.BooleanField | models.IntegerField | models.DateField | models.DecimalField
    ):
        if isinstance(value, bool | int | None):
            return True, value
        return True, str(value)
    return False, None


class AuditChange(NamedTuple):
    """One change to log with ``audit_record_many``."""

    action: str
    instance: models.Model
    changed_fields: Iterable[str]


def _entry(
    *, actor: Any, action: str, instance: models.Model, changed_fields: Iterable[str]
) -> AuditEntry:
    """The unsaved entry for ``instance``; values only of non-sensitive fields."""
    if action not in AuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}")
    names = sorted(set(changed_fields))
    values: dict[str, Any] = {}
    meta = instance._meta
    for name in names:
        if name in SENSITIVE_FIELDS:
            continue
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist:  # a computed name such as ``needs`` on a profile
            field = None
        concrete = field if isinstance(field, models.Field) else None
        attname = concrete.attname if concrete is not None else name
        ok, value = _loggable_value(concrete, getattr(instance, attname, None))
        if ok:
            values[name] = value
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry(
        actor=user,
        action=action,
        model_label=meta.label_lower,
        object_id=str(instance.pk),
        changed_fields=names,
        values=values,
    )


def audit_record(
    *,
    actor: Any,
    action: str,
    instance: models.Model,
    changed_fields: Iterable[str],
) -> AuditEntry:
    """Write one audit entry for ``instance``; values only of non-sensitive fields."""
    entry = _entry(actor=actor, action=action, instance=instance, changed_fields=changed_fields)
    entry.save()
    return entry


AUDIT_BATCH_SIZE = 1000


def audit_record_many(*, actor: Any, changes: Iterable[AuditChange]) -> list[AuditEntry]:
    """Write the entries of many changes by one actor at once (``bulk_create``), with the same
    rules as ``audit_record``. Every instance must already be saved (have its pk)."""
    entries = [
        _entry(
            actor=actor,
            action=change.action,
            instance=change.instance,
            changed_fields=change.changed_fields,
        )
        for change in changes
    ]
    if any(entry.object_id == "None" for entry in entries):
        raise ValueError("audit_record_many() needs saved instances")
    return AuditEntry.objects.bulk_create(entries, batch_size=AUDIT_BATCH_SIZE)


__all__ = ["SENSITIVE_FIELDS", "AuditAction", "AuditChange", "audit_record", "audit_record_many"]
