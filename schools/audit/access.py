"""Who may read the audit log of an institution: the coordinator (who answers for the
personal data of the programme). Nobody writes it by hand: the services record entries."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.actor import Actor
from schools.audit.models import AuditEntry


def audit_entries_visible_to(
    actor: Actor, queryset: QuerySet[AuditEntry] | None = None
) -> QuerySet[AuditEntry]:
    queryset = AuditEntry.objects.all() if queryset is None else queryset
    if actor.is_system or actor.is_coordinator:
        return queryset
    return queryset.none()


__all__ = ["audit_entries_visible_to"]
