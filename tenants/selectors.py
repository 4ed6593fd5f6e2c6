"""Reads on institutions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name

from accounts.actor import actor_for
from tenants import access
from tenants.models import (
    Institution,
    InstitutionImport,
    MunicipalAccess,
    Municipality,
    OnboardingApplication,
    PublicAuditEntry,
)


@dataclass(frozen=True)
class Scope:
    """Which institutions of the region a public user oversees: the whole region (regional
    staff) or the institutions of some municipalities (a municipal education department;
    none at all for anyone else)."""

    municipality_ids: frozenset[int] | None  # None: the whole region

    @property
    def whole_region(self) -> bool:
        return self.municipality_ids is None

    def allows(self, municipality_id: int | None) -> bool:
        return self.municipality_ids is None or municipality_id in self.municipality_ids

    def filter(self, queryset: QuerySet[Any], field: str = "municipality_id") -> QuerySet[Any]:
        """``queryset`` narrowed to the scope (rows whose ``field`` is one of its
        municipalities)."""
        if self.municipality_ids is None:
            return queryset
        return queryset.filter(**{f"{field}__in": sorted(self.municipality_ids)})


REGION_SCOPE = Scope(municipality_ids=None)
NO_SCOPE = Scope(municipality_ids=frozenset())


def user_scope(user: Any) -> Scope:
    """The scope of a signed-in public user: regional roles see the region; a municipal user
    the municipalities granted to them (through their account or the invitation it came
    from); anyone else nothing. The rule is ``tenants.access.overseen_municipality_ids``."""
    ids = access.overseen_municipality_ids(actor_for(user, schema=get_public_schema_name()))
    return REGION_SCOPE if ids is None else Scope(municipality_ids=frozenset(ids))


def municipal_access_list() -> QuerySet[MunicipalAccess]:
    return MunicipalAccess.objects.select_related("municipality", "invitation", "user")


def institution_list() -> QuerySet[Institution]:
    return Institution.objects.select_related("municipality").order_by("short_name")


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.order_by("name")


def application_list() -> QuerySet[OnboardingApplication]:
    return OnboardingApplication.objects.select_related("municipality", "institution")


def public_audit_list(
    *,
    actor: str = "",
    action: str = "",
    model_label: str = "",
    object_id: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[PublicAuditEntry]:
    """The regional audit log, newest first, filtered by who acted (``actor_label``), the
    action, the kind of object (and one object), and the days (inclusive, local time)."""
    entries = PublicAuditEntry.objects.select_related("actor")
    if actor:
        entries = entries.filter(actor_label=actor)
    if action:
        entries = entries.filter(action=action)
    if model_label:
        entries = entries.filter(model_label=model_label)
        if object_id:
            entries = entries.filter(object_id=object_id)
    if since is not None:
        entries = entries.filter(created_at__date__gte=since)
    if until is not None:
        entries = entries.filter(created_at__date__lte=until)
    return entries.order_by("-created_at", "-id")


def public_audit_actors() -> list[str]:
    """Everyone who appears in the regional audit log (for the filter)."""
    return list(
        PublicAuditEntry.objects.exclude(actor_label="")
        .order_by("actor_label")
        .values_list("actor_label", flat=True)
        .distinct()
    )


def institution_import_list() -> QuerySet[InstitutionImport]:
    return InstitutionImport.objects.all()


def institution_import_progress(batch: InstitutionImport) -> dict[str, Any]:
    """How far the import's institutions are: by status, and the rows themselves."""
    institutions = list(
        Institution.objects.filter(pk__in=batch.institution_ids)
        .select_related("municipality")
        .order_by("short_name", "pk")
    )
    counts: dict[str, int] = {}
    for institution in institutions:
        counts[institution.status] = counts.get(institution.status, 0) + 1
    total = len(batch.institution_ids)
    ready = sum(counts.get(s, 0) for s in ("active", "suspended", "archived"))
    return {
        "institutions": institutions,
        "total": total,
        "ready": ready,
        "failed": counts.get("failed", 0),
        "waiting": counts.get("provisioning", 0),
        "invited": sum(
            1 for i in institutions if i.coordinator_email and i.provisioned_at is not None
        ),
        "percent": round(100 * ready / total) if total else 100,
        "running": counts.get("provisioning", 0) > 0,
    }
