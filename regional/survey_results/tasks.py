"""Publishing the institutions' anonymous survey results: nightly (beat, in public) and on
demand (regional staff). The public task fans out one task per institution, run in that
institution's schema; each reads its numbers through ``schools.monitoring.api`` and replaces
its rows in the public schema, suppressed."""

from __future__ import annotations

from celery import shared_task

from config.db import tenant_connection
from config.tasks import PublicTask, TenantScopedTask, enqueue_on_commit
from regional.survey_results import services
from schools.monitoring import api as monitoring_api
from tenants.api import provisioned_schema_names
from tenants.models import Institution


@shared_task(base=TenantScopedTask, name="survey_results.publish_institution")
def publish_institution() -> int:
    """Idempotent: the institution's rows are replaced as a whole."""
    schema_name = tenant_connection().schema_name
    institution_id = (
        Institution.objects.filter(schema_name=schema_name).values_list("pk", flat=True).first()
    )
    if institution_id is None:  # the schema of no institution: nothing to publish
        return 0
    return services.institution_results_replace(
        institution_id=institution_id, rows=monitoring_api.regional_aggregates()
    )


@shared_task(base=PublicTask, name="survey_results.publish_all")
def publish_all() -> int:
    schemas = provisioned_schema_names()
    for schema_name in schemas:
        enqueue_on_commit(publish_institution, schema_name=schema_name)
    return len(schemas)
