"""django-tenants' migrate_schemas, aware of the template schema and of institutions whose
schema is not made yet, and reporting per schema.

Tenant migrations run over every provisioned institution, one after another or with
``--executor multiprocessing`` in parallel, and then over the template schema -- only if every
institution succeeded, so that a failed release never leaves the template (the source of new
institutions) ahead of the institutions that exist. With ``NASTAVNIK_CITUS`` each schema is
migrated with ``citus.enable_unsafe_triggers`` on (a migration creating a trigger needs it).
Each schema's outcome is printed (applied N, up to
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
                outcomes += self._institutions_then_template(parallel)
        self._report(outcomes)

    def _institutions_then_template(self, parallel: int) -> list[SchemaOutcome]:
        """Institutions first, the template last and only when every institution succeeded:
        a failed release never leaves the template (what new institutions are cloned from)
        ahead of the institutions that exist."""
        template = template_schema_name()
        if not schema_exists(template):
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{template}"')
        institutions = list(
            Institution.objects.with_schema().order_by("pk").values_list("schema_name", flat=True)
        )
        outcomes = migrate_schemas(
            institutions, args=self.args, options=self.options, parallel=parallel
        )
        failed = sum(1 for outcome in outcomes if outcome.error)
        if failed:
            return [*outcomes, SchemaOutcome(schema=template, skipped=f"{failed} failed")]
        return [*outcomes, *migrate_schemas([template], args=self.args, options=self.options)]

    def _report(self, outcomes: list[SchemaOutcome]) -> None:
        failed = [o.schema for o in outcomes if o.error]
        if int(self.options.get("verbosity", 1)) < 1 and not failed:
            return
        self.stdout.write("")
        self.stdout.write("Migrations by schema:")
        for outcome in outcomes:
            if outcome.error:
                line = self.style.ERROR(f"  {outcome.schema}: FAILED — {outcome.error}")
            elif outcome.skipped:
                line = self.style.WARNING(
                    f"  {outcome.schema}: not migrated — institutions {outcome.skipped}"
                )
            elif outcome.applied:
                line = self.style.SUCCESS(f"  {outcome.schema}: applied {outcome.applied}")
            else:
                line = f"  {outcome.schema}: up to date"
            self.stdout.write(line)
        applied = sum(1 for o in outcomes if o.applied and not o.error)
        skipped = sum(1 for o in outcomes if o.skipped)
        self.stdout.write(
            f"{len(outcomes)} schemas: {applied} migrated, "
            f"{len(outcomes) - applied - len(failed) - skipped} up to date, "
            f"{len(failed)} failed" + (f", {skipped} not migrated" if skipped else "")
        )
        if failed:
            raise CommandError(f"Migrations failed in {len(failed)} schema(s): {', '.join(failed)}")
