"""Tasks of the monitoring app, run in an institution's schema."""

from __future__ import annotations

from celery import shared_task

from config.tasks import TenantScopedTask
from schools.monitoring import mailing, services


@shared_task(base=TenantScopedTask, name="monitoring.invitations_send")
def invitations_send(campaign_id: int) -> int:
    """E-mail a campaign's invitations with personal links. Idempotent: each invitation is
    marked when mailed and never mailed twice."""
    return mailing.invitations_send(campaign_id=campaign_id)


@shared_task(base=TenantScopedTask, name="monitoring.campaign_reminders_send")
def campaign_reminders_send(campaign_id: int) -> int:
    """Reminders the coordinator asked for (at most one a day per person)."""
    return mailing.reminders_send(campaign_id=campaign_id, force=True)


@shared_task(base=TenantScopedTask, name="monitoring.daily")
def daily() -> dict[str, int]:
    """Close campaigns past their closing date, remind people who have not answered."""
    closed = services.campaigns_close_due()
    reminded = mailing.reminders_send()
    return {"closed": closed, "reminded": reminded}


@shared_task(base=TenantScopedTask, name="monitoring.campaign_launch_run")
def campaign_launch_run(campaign_id: int) -> str:
    """Prepare a launched campaign's invitations in batches (its page shows the progress), then
    open it and send them. Idempotent: a launch found under way again resumes."""
    return services.campaign_launch_run(campaign_id=campaign_id)
