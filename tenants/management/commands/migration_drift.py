"""``nastavnik migration-drift``: institutions whose recorded migrations differ from the
template's (a migration failed there, or was applied by hand). Exit 1 when any differ."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tenants.migrations_report import drift
from tenants.models import Institution
from tenants.schemas import template_schema_name


class Command(BaseCommand):
    help = "List institution schemas whose migration state differs from the template's."

    def handle(self, *args: Any, **options: Any) -> None:
        schemas = list(
            Institution.objects.with_schema().order_by("pk").values_list("schema_name", flat=True)
        )
        found = drift(template_schema_name(), schemas)
        for item in found:
            parts = []
            if item.missing:
                parts.append(f"{len(item.missing)} behind ({', '.join(item.missing[:5])})")
            if item.extra:
                parts.append(f"{len(item.extra)} not in the template ({', '.join(item.extra[:5])})")
            self.stdout.write(f"{item.schema}: {'; '.join(parts)}")
        self.stdout.write(f"{len(schemas)} institutions, {len(found)} differ from the template")
        if found:
            raise CommandError(
                "Schemas differ from the template: " + ", ".join(i.schema for i in found)
            )
