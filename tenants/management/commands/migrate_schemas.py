"""django-tenants' migrate_schemas, aware of the template schema and of institutions whose
schema is not made yet, and reporting per schema.

Tenant migrations run over the template schema first (so that new institutions are cloned
from an up-to-date copy) and then over every provisioned institution, one after another or with
``--executor multiprocessing`` in parallel. Each schema's outcome is printed (applied N, up to
date, FAILED with its error); a failure never stops the other schemas, and the command exits
non-zero naming the failed ones (tenants/migrations_report.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.utils import get_public_schema_name, schema_exists

from tenants.migrations_report import SchemaOutcome, migrate_schemas
from tenants.models import Institution
from tenants.schemas import template_schema_name


class Command(MigrateSchemasCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        schema_name = options.get("schema_name")
        # Parse options the way django-tenants does, then pick the schemas ourselves.
        super(MigrateSchemasCommand, self).handle(*args, **options)
        executor_name = self.executor or getattr(settings, "TENANT_MIGRATION_EXECUTOR", "standard")
        parallel = (
            int(getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2))
            if executor_name == "multiprocessing"
            else 1
        )
        outcomes: list[SchemaOutcome] = []
        if schema_name:
            if schema_name != get_public_schema_name() and not schema_exists(schema_name):
                raise CommandError(f"Schema {schema_name!r} does not exist.")
            outcomes += migrate_schemas([schema_name], args=self.args, options=self.options)
        else:
            if self.sync_public:
                outcomes += migrate_schemas(
                    [get_public_schema_name()], args=self.args, options=self.options
                )
            if self.sync_tenant:
                template = template_schema_name()
                if not schema_exists(template):
                    with connection.cursor() as cursor:
                        cursor.execute(f'CREATE SCHEMA "{template}"')
                outcomes += migrate_schemas([template], args=self.args, options=self.options)
                institutions = list(
                    Institution.objects.with_schema()
                    .order_by("pk")
                    .values_list("schema_name", flat=True)
                )
                outcomes += migrate_schemas(
                    institutions, args=self.args, options=self.options, parallel=parallel
                )
        self._report(outcomes)

    def _report(self, outcomes: list[SchemaOutcome]) -> None:
        failed = [o.schema for o in outcomes if o.error]
        if int(self.options.get("verbosity", 1)) < 1 and not failed:
            return
        self.stdout.write("")
        self.stdout.write("Migrations by schema:")
        for outcome in outcomes:
            if outcome.error:
                line = self.style.ERROR(f"  {outcome.schema}: FAILED — {outcome.error}")
            elif outcome.applied:
                line = self.style.SUCCESS(f"  {outcome.schema}: applied {outcome.applied}")
            else:
                line = f"  {outcome.schema}: up to date"
            self.stdout.write(line)
        applied = sum(1 for o in outcomes if o.applied and not o.error)
        self.stdout.write(
            f"{len(outcomes)} schemas: {applied} migrated, "
            f"{len(outcomes) - applied - len(failed)} up to date, {len(failed)} failed"
        )
        if failed:
            raise CommandError(f"Migrations failed in {len(failed)} schema(s): {', '.join(failed)}")
