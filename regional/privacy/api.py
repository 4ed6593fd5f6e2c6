"""Public interface of the privacy rules: the one place the regional layer takes k from, and
the suppression primitives (``rules``) that KPIs, survey results and the employers' board use,
and the text anonymiser (``text``) that free text passes before it leaves an institution.

``min_group_size()`` is the region's k: its setting (``RegionSettings``), never below
``MIN_GROUP_SIZE_FLOOR`` (a CHECK constraint and the validator keep the row there; the floor
is applied again here, so a value can never slip under it)."""

from __future__ import annotations

from accounts.actor import Actor
from regional.privacy import services
from regional.privacy.models import RegionSettings
from regional.privacy.rules import (
    DEFAULT_MIN_GROUP_SIZE,
    MIN_GROUP_SIZE_FLOOR,
    REGION,
    SHARE_BAND,
    Cell,
    Family,
    KeyCell,
    Network,
    Protected,
    ShareCell,
    check_min_group_size,
    components_of,
    determined,
    is_small,
    protect,
    ratio,
    release_series,
    share_cell,
    small_visible_change,
    suppress_cells,
)
from regional.privacy.text import HIDDEN, Anonymised, Hidden, anonymise_text


def min_group_size() -> int:
    """The region's minimum group size k (the setting; the default when the row is missing)."""
    value = RegionSettings.objects.filter(pk=1).values_list("min_group_size", flat=True).first()
    return max(int(value or DEFAULT_MIN_GROUP_SIZE), MIN_GROUP_SIZE_FLOOR)


def region_settings_update(*, min_group_size: int, actor: Actor) -> int:
    """Set the region's k (validated, audited); returns the k now in force."""
    row = services.region_settings_update(min_group_size=min_group_size, actor=actor)
    return max(row.min_group_size, MIN_GROUP_SIZE_FLOOR)


__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "HIDDEN",
    "MIN_GROUP_SIZE_FLOOR",
    "REGION",
    "SHARE_BAND",
    "Anonymised",
    "Cell",
    "Family",
    "Hidden",
    "KeyCell",
    "Network",
    "Protected",
    "ShareCell",
    "anonymise_text",
    "check_min_group_size",
    "components_of",
    "determined",
    "is_small",
    "min_group_size",
    "protect",
    "ratio",
    "region_settings_update",
    "release_series",
    "share_cell",
    "small_visible_change",
    "suppress_cells",
]
