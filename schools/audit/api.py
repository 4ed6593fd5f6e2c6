"""Public interface of the audit app: every app writes its audit entries through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.db import models

from accounts.actor import Actor, author_id
from config.audit import SENSITIVE_FIELDS, loggable_values
from schools.audit.models import AuditAction, AuditEntry


class AuditChange(NamedTuple):
    """One change to log with ``audit_record_many``."""

    action: str
    instance: models.Model
    changed_fields: Iterable[str]


def _entry(
    *, actor: Actor, action: str, instance: models.Model, changed_fields: Iterable[str]
) -> AuditEntry:
    """The unsaved entry for ``instance``; values only of non-sensitive fields."""
    if action not in AuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}")
    names = sorted(set(changed_fields))
    return AuditEntry(
        actor_id=author_id(actor),
        action=action,
        model_label=instance._meta.label_lower,
        object_id=str(instance.pk),
        changed_fields=names,
        values=loggable_values(instance, names),
    )


def audit_record(
    *,
    actor: Actor,
    action: str,
    instance: models.Model,
    changed_fields: Iterable[str],
) -> int:
    """Write one audit entry for ``instance``; values only of non-sensitive fields. The
    entry's id."""
    entry = _entry(actor=actor, action=action, instance=instance, changed_fields=changed_fields)
    entry.save()
    return int(entry.pk)


AUDIT_BATCH_SIZE = 1000


def audit_record_many(*, actor: Actor, changes: Iterable[AuditChange]) -> list[int]:
    """Write the entries of many changes by one actor at once (``bulk_create``), with the same
    rules as ``audit_record``. Every instance must already be saved (have its pk). The
    entries' ids, in order."""
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
    created = AuditEntry.objects.bulk_create(entries, batch_size=AUDIT_BATCH_SIZE)
    return [int(entry.pk) for entry in created]


__all__ = ["SENSITIVE_FIELDS", "AuditAction", "AuditChange", "audit_record", "audit_record_many"]
