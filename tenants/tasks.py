"""Background work of the tenants app. Tasks take ids, are idempotent, and run in public."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from config.tasks import PublicTask, enqueue_on_commit
from tenants import services
from tenants.models import Institution, InstitutionStatus


@shared_task(
    base=PublicTask,
    name="tenants.provision_institution",
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def provision_institution(self: PublicTask, institution_id: int) -> str:
    institution = services.institution_provision(institution_id=institution_id)
    return str(institution.status) if institution else "gone"


@shared_task(base=PublicTask, name="tenants.retry_stuck_provisioning")
def retry_stuck_provisioning() -> int:
    """Re-send provisioning for institutions stuck in it whose task is no longer pending (it
    failed, or was abandoned after its worker was lost again and again)."""
    stale = timezone.now() - timedelta(minutes=10)
    ids = list(
        Institution.objects.filter(
            status=InstitutionStatus.PROVISIONING, updated_at__lt=stale
        ).values_list("pk", flat=True)
    )
    from config import jobs

    # one whose provisioning task is still to run (the outbox sends it again) is left alone
    ids = [
        pk
        for pk in ids
        if jobs.task_state(provision_institution, institution_id=pk) != jobs.PENDING
    ]
    for institution_id in ids:
        enqueue_on_commit(
            provision_institution, schema_name="public", institution_id=institution_id
        )
    return len(ids)
