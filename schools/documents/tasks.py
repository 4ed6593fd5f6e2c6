"""Tasks of the documents app: a bulk generation, in its institution's schema."""

from __future__ import annotations

from celery import shared_task

from config.tasks import TenantScopedTask


@shared_task(base=TenantScopedTask, name="documents.document_job_run")
def document_job_run_task(*, job_id: int) -> str:
    """Idempotent: a job that is done or failed is left alone (see the service)."""
    from schools.documents.services import document_job_run

    return document_job_run(job_id=job_id)
