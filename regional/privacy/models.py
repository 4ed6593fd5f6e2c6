"""The region's setting for publishing numbers about people (one row, public schema)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from regional.privacy.rules import DEFAULT_MIN_GROUP_SIZE, MIN_GROUP_SIZE_FLOOR


class RegionSettings(models.Model):
    """The region's minimum group size k: counts of fewer people are never published."""

    min_group_size = models.PositiveSmallIntegerField(
        _("minimum group size"),
        default=DEFAULT_MIN_GROUP_SIZE,
        validators=[MinValueValidator(MIN_GROUP_SIZE_FLOOR)],
        help_text=_("Counts below it are not published (never less than 5)."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table was created by the KPI app, which held this setting first.
        db_table = "kpis_regionsettings"
        verbose_name = _("publication settings")
        verbose_name_plural = _("publication settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_group_size__gte=MIN_GROUP_SIZE_FLOOR),
                name="region_min_group_size_floor",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Publication settings"))
