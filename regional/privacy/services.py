"""Writes of the region's publication setting."""

from __future__ import annotations

from django.db import transaction

from accounts.actor import Actor
from regional.privacy.models import RegionSettings
from tenants.api import PublicAuditAction, public_audit_record


@transaction.atomic
def region_settings_update(*, min_group_size: int, actor: Actor) -> RegionSettings:
    """Set k (validated: never below the floor; the CHECK constraint stands behind it). A
    change is audited with the old and new value."""
    row, _created = RegionSettings.objects.select_for_update().get_or_create(pk=1)
    before = row.min_group_size
    row.min_group_size = min_group_size
    row.full_clean()
    row.save()
    if before != min_group_size or _created:
        public_audit_record(
            actor=actor,
            action=PublicAuditAction.UPDATE,
            instance=row,
            changed_fields=["min_group_size"],
            label=f"k: {before} → {min_group_size}",
        )
    return row
