"""Nightly collection of the success stories institutions published (pairs app's api)."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import get_public_schema_name, schema_context

from config.db import tenant_connection
from config.tasks import PublicTask, TenantScopedTask, enqueue_on_commit
from regional.practices import services
from tenants.models import Institution


@shared_task(base=PublicTask, name="practices.collect_region")
def collect_region() -> int:
    """Send one collection task per institution with a schema."""
    institutions = list(Institution.objects.with_schema().values_list("pk", "schema_name"))
    for pk, schema_name in institutions:
        enqueue_on_commit(collect_institution, schema_name=schema_name, institution_id=pk)
    return len(institutions)


@shared_task(base=TenantScopedTask, name="practices.collect_institution")
def collect_institution(institution_id: int) -> int:
    from schools.pairs import api as pairs

    schema_name = tenant_connection().schema_name
    with schema_context(get_public_schema_name()):
        if not Institution.objects.filter(pk=institution_id, schema_name=schema_name).exists():
            return 0
    stories = pairs.success_stories_published()
    return services.practice_cases_collect(institution_id=institution_id, stories=stories)
