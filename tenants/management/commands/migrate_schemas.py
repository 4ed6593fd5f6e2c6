"""django-tenants' migrate_schemas, aware of the template schema and of institutions whose
schema is not made yet.

Tenant migrations run over the template schema first (so that new institutions are cloned
from an up-to-date copy) and then over every provisioned institution, with the executor named
by ``--executor`` (``multiprocessing`` runs them in parallel)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor
from django_tenants.utils import get_public_schema_name, schema_exists

from tenants.models import Institution
from tenants.schemas import template_schema_name


class Command(MigrateSchemasCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        schema_name = options.get("schema_name")
        if schema_name or (options.get("shared") and not options.get("tenant")):
            return super().handle(*args, **options)
        # Parse options the way django-tenants does, then pick the schemas ourselves.
        super(MigrateSchemasCommand, self).handle(*args, **options)
        executor_name = self.executor or getattr(settings, "TENANT_MIGRATION_EXECUTOR", "standard")
        executor = get_executor(codename=executor_name)(self.args, self.options)
        if self.sync_public:
            executor.run_migrations(tenants=[get_public_schema_name()])
        if self.sync_tenant:
            template = template_schema_name()
            if not schema_exists(template):
                with connection.cursor() as cursor:
                    cursor.execute(f'CREATE SCHEMA "{template}"')
            schemas = [
                template,
                *Institution.objects.with_schema()
                .order_by("pk")
                .values_list("schema_name", flat=True),
            ]
            executor.run_migrations(tenants=schemas)
