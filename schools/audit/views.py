"""The audit log, read-only, for the coordinator."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers

from accounts.actor import Actor
from config.api.base import INSTITUTION_MANAGERS, TenantViewSet
from schools.audit import access
from schools.audit.models import AuditEntry


class AuditEntryOutput(serializers.ModelSerializer[AuditEntry]):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "actor",
            "action",
            "model_label",
            "object_id",
            "changed_fields",
            "values",
            "created_at",
        ]


class AuditEntryViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Who changed which personal data and when (names of fields; values of sensitive fields
    are never kept)."""

    read_roles = INSTITUTION_MANAGERS
    # No write routes exist; naming the roles makes other methods answer 405, not 403.
    write_roles = INSTITUTION_MANAGERS
    serializer_class = AuditEntryOutput
    filterset_fields = ["actor", "action", "model_label", "object_id"]
    ordering_fields = ["created_at"]

    def scoped_queryset(self) -> QuerySet[AuditEntry]:
        return AuditEntry.objects.all()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.audit_entries_visible_to(actor, queryset)
