"""The public schema's audit log: every write of the regional layer (institution lifecycle,
onboarding decisions, employers' decisions and placements, template publication, the region's
settings) records who did what to which object, in the same transaction as the write."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django_tenants.utils import get_public_schema_name

from accounts.actor import Actor
from accounts.models import Role, User
from config.audit import loggable_values
from config.db import tenant_connection
from tenants.models import Institution, PublicAuditAction, PublicAuditEntry


def _actor(actor: Actor | None) -> tuple[int | None, str]:
    """(the id of the public user to link, the label to keep) for an ``Actor`` (None: a
    system job without one). A user of an institution's schema acts from that institution's
    host: their id means nothing in the public schema, so the entry keeps their role and
    institution instead (no name: the regional layer sees no people)."""
    if actor is None:
        return None, ""
    user_id = actor.audit_user_id
    if user_id is None:
        return None, ""
    schema_name = tenant_connection().schema_name
    if schema_name == get_public_schema_name():
        username = actor.username or str(
            User.objects.filter(pk=user_id).values_list("username", flat=True).first() or ""
        )
        return user_id, username[:150]
    institution = Institution.objects.filter(schema_name=schema_name).first()
    role = str(Role(actor.role).label) if actor.role in Role.values else ""
    where = institution.short_name if institution is not None else schema_name
    return None, f"{role} · {where}"[:150]


def public_audit_record(
    *,
    actor: Actor | None,
    action: str,
    instance: models.Model,
    changed_fields: Iterable[str] = (),
    label: str = "",
) -> int:
    """Write one entry for ``instance`` (saved, in the public schema). ``actor`` is the acting
    user, or None for a system job; ``label`` names the object without personal data."""
    if action not in PublicAuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}")
    if instance.pk is None:
        raise ValueError("public_audit_record() needs a saved instance")
    names = sorted(set(changed_fields))
    user_id, actor_label = _actor(actor)
    entry = PublicAuditEntry.objects.create(
        actor_id=user_id,
        actor_label=actor_label,
        action=action,
        model_label=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=label[:300],
        changed_fields=names,
        values=loggable_values(instance, names),
    )
    return int(entry.pk)
