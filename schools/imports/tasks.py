"""Background checking and committing of large files. Tasks take the batch id only, run in
the schema the message names, and are idempotent (the services look at the batch status)."""

from __future__ import annotations

from celery import shared_task

from config.tasks import TenantScopedTask
from schools.imports import services


@shared_task(base=TenantScopedTask, name="imports.import_batch_validate")
def import_batch_validate_task(batch_id: int) -> str:
    return str(services.import_batch_validate(batch_id=batch_id, resume=True).status)


@shared_task(base=TenantScopedTask, name="imports.import_batch_commit")
def import_batch_commit_task(batch_id: int) -> str:
    return str(services.import_batch_run_commit(batch_id=batch_id).status)
