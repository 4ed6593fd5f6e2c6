"""Writes of the region's publication setting."""

from __future__ import annotations

from django.db import transaction

from regional.privacy.models import RegionSettings


@transaction.atomic
def region_settings_update(*, min_group_size: int) -> RegionSettings:
    """Set k (validated: never below the floor; the CHECK constraint stands behind it)."""
    row, _created = RegionSettings.objects.select_for_update().get_or_create(pk=1)
    row.min_group_size = min_group_size
    row.full_clean()
    row.save()
    return row
