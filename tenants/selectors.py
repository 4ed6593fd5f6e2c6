"""Reads on institutions."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from tenants.models import Institution, Municipality, OnboardingApplication, PublicAuditEntry


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
