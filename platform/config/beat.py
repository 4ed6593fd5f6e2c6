"""Celery beat scheduler: tenant-aware, and able to run regional (public schema) tasks.

tenant-schemas-celery's scheduler sends an entry without ``tenant_schemas`` to every tenant
and looks named schemas up in the tenant table, where ``public`` has no row. Entries marked
``"tenant_schemas": ["public"]`` are sent once, in the public schema, and fan-out to
institutions only reaches those whose schema exists."""

from __future__ import annotations

import logging
from typing import Any

from celery.beat import ScheduleEntry
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name, schema_context
from tenant_schemas_celery.scheduler import TenantAwareScheduler

from tenants.models import Institution

logger = logging.getLogger(__name__)


class PlatformScheduler(TenantAwareScheduler):
    @classmethod
    def get_queryset(cls) -> QuerySet[Institution]:
        return Institution.objects.with_schema()

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
