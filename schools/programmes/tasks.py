from __future__ import annotations

from typing import Any

from celery import shared_task

from config.tasks import TenantScopedTask
from schools.programmes import reminders


@shared_task(bind=True, base=TenantScopedTask, name="programmes.roadmap_reminders_send")
def roadmap_reminders_send(self: Any) -> int:
    """Daily, in every institution: remind people of overdue and soon-due roadmap activities.
    Safe to run twice a day: what was sent today is recorded and not sent again. Claims of
    another run still unsent (it is mailing them, or died doing so) are looked at again once
    they would have lapsed, so that none is left unsent."""
    sent = reminders.roadmap_reminders_send()
    if reminders.claims_in_flight() and not self.request.called_directly:
        raise self.retry(countdown=(reminders.CLAIM_MINUTES + 1) * 60, max_retries=3)
    return sent
