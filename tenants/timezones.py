"""Time zones of institutions: the zones of Russia offered in the pages, and activating an
institution's zone for a request or a task (times are stored in UTC and shown in it)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

# Russia's eleven zones (and the zones of its regions' capitals people pick by city name).
RUSSIAN_TIME_ZONES: list[tuple[str, Any]] = [
    ("Europe/Kaliningrad", _("Kaliningrad (UTC+2)")),
    ("Europe/Moscow", _("Moscow (UTC+3)")),
    ("Europe/Samara", _("Samara (UTC+4)")),
    ("Asia/Yekaterinburg", _("Yekaterinburg (UTC+5)")),
    ("Asia/Omsk", _("Omsk (UTC+6)")),
    ("Asia/Novosibirsk", _("Novosibirsk (UTC+7)")),
    ("Asia/Krasnoyarsk", _("Krasnoyarsk (UTC+7)")),
    ("Asia/Irkutsk", _("Irkutsk (UTC+8)")),
    ("Asia/Yakutsk", _("Yakutsk (UTC+9)")),
    ("Asia/Vladivostok", _("Vladivostok (UTC+10)")),
    ("Asia/Magadan", _("Magadan (UTC+11)")),
    ("Asia/Kamchatka", _("Petropavlovsk-Kamchatsky (UTC+12)")),
]


def zone_named(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone called ``name``; the project's TIME_ZONE for none or an unknown one."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def institution_zone(tenant: Any) -> zoneinfo.ZoneInfo:
    """The zone of ``tenant`` (an Institution; the region's stand-in or None: the project's)."""
    return zone_named(getattr(tenant, "time_zone", None))


def schema_zone(schema_name: str) -> zoneinfo.ZoneInfo:
    """The zone of the institution owning ``schema_name``, read afresh (a worker keeps no copy
    that a change on the settings page would leave stale)."""
    from tenants.models import Institution

    name = (
        Institution.objects.filter(schema_name=schema_name)
        .values_list("time_zone", flat=True)
        .first()
    )
    return zone_named(name)


def validate_time_zone(value: str) -> None:
    """An IANA time zone name that zoneinfo knows (e.g. «Asia/Vladivostok»)."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("«%(value)s» is not a known time zone."), code="time_zone", params={"value": value}
        )


@transaction.atomic
def institution_set_time_zone(*, institution_id: int, time_zone: str, actor: Any) -> None:
    """Set the zone the institution ``institution_id``'s times are shown in (validated
    against zoneinfo)."""
    from tenants.audit import public_audit_record
    from tenants.models import Institution, PublicAuditAction

    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        raise ValidationError({"time_zone": exc.messages}) from None
    institution = Institution.objects.select_for_update().get(pk=institution_id)
    if institution.time_zone == time_zone:
        return
    institution.time_zone = time_zone
    institution.save(update_fields=["time_zone", "updated_at"])
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.UPDATE,
        instance=institution,
        changed_fields=["time_zone"],
        label=institution.short_name,
    )
