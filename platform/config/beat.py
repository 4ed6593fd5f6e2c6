"""Celery beat scheduler: persistent (django-celery-beat's database scheduler), tenant-aware,
and able to run regional (public schema) tasks.

The schedule lives in ``django_celery_beat``'s tables (public schema) with each entry's last
run, so a beat restarted after an entry was due sends it once on start (celery's ``is_due``
compares the last run with the schedule), and a second beat started by mistake sees the same
last runs. CELERY_BEAT_SCHEDULE is written into the tables at start; entries of ours that left
the settings are disabled, entries added in the admin are left alone.

tenant-schemas-celery's mixin sends an entry without ``tenant_schemas`` to every institution
with a schema; entries marked ``"tenant_schemas": ["public"]`` are sent once, in the public
schema (where ``public`` has no row in the tenant table)."""

from __future__ import annotations

import logging
from typing import Any

from celery.beat import ScheduleEntry
from django.db.models import QuerySet
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler
from django_tenants.utils import get_public_schema_name, schema_context
from tenant_schemas_celery.scheduler import TenantAwareSchedulerMixin

from tenants.models import Institution

logger = logging.getLogger(__name__)

# Entries written from CELERY_BEAT_SCHEDULE are named "<entry>@<schema or all>"
PLATFORM_ENTRY = "@"


class PlatformScheduler(TenantAwareSchedulerMixin, DatabaseScheduler):
    @classmethod
    def get_queryset(cls) -> QuerySet[Institution]:
        return Institution.objects.with_schema()

    def update_from_dict(self, mapping: dict[str, Any]) -> None:
        """Settings entries (with ``tenant_schemas``) into rows; ``expires`` in seconds, as
        celery's entries have it, becomes the row's ``expire_seconds``."""
        entries = self._tenant_aware_beat_schedule_to_dict(mapping)
        for entry in entries.values():
            options = entry.setdefault("options", {})
            if isinstance(options.get("expires"), int | float):
                options["expire_seconds"] = int(options.pop("expires"))
        super().update_from_dict(entries)

    def setup_schedule(self) -> None:
        super().setup_schedule()
        wanted = set(self._tenant_aware_beat_schedule_to_dict(self.app.conf.beat_schedule))
        gone = (
            PeriodicTask.objects.filter(name__contains=PLATFORM_ENTRY, enabled=True)
            .exclude(name__in=wanted)
            .update(enabled=False)
        )
        if gone:
            logger.info("beat: %s entries no longer in the settings were disabled", gone)

    def enabled_models_qs(self) -> Any:
        """Every enabled entry: django-celery-beat leaves out crontab entries more than two hours
        from now, which would skip the catch-up of one missed during a longer outage."""
        return self.Model.objects.enabled()

    def apply_entry(self, entry: ScheduleEntry, producer: Any = None) -> None:
        if entry.options is None:  # the stubs allow None; ScheduleEntry always sets a dict
            entry.options = {}
        headers = entry.options.setdefault("headers", {})
        if headers.get("_schema_name") == get_public_schema_name():
            with schema_context(get_public_schema_name()):
                try:
                    self.apply_async(entry, producer=producer, advance=False)
                except Exception:
                    logger.exception("Sending regional task %s failed", entry.task)
            return
        super().apply_entry(entry, producer=producer)
