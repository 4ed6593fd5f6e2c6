from __future__ import annotations

from celery import shared_task

from accounts import services
from config.tasks import TenantScopedTask


@shared_task(base=TenantScopedTask, name="accounts.invitation_send")
def invitation_send(invitation_id: int) -> bool:
    """Mail one invitation, inside the schema the message names. Safe to run twice."""
    return services.invitation_send(invitation_id=invitation_id)
