from __future__ import annotations

from celery import shared_task

from config.db import tenant_connection
from config.tasks import TenantScopedTask
from regional.employers import services


@shared_task(base=TenantScopedTask, name="employers.placement_tenant_account_create")
def placement_tenant_account_create(placement_id: int) -> bool:
    """Create the placed mentor's invitation (and participant) inside the institution's
    schema, which the message names. Safe to run twice."""
    return services.placement_tenant_account_create(
        placement_id=placement_id, schema_name=tenant_connection().schema_name
    )
