from __future__ import annotations

from celery import shared_task

from config.tasks import TenantScopedTask
from schools.programmes import reminders


@shared_task(base=TenantScopedTask, name="programmes.roadmap_reminders_send")
def roadmap_reminders_send() -> int:
    """Daily, in every institution: remind people of overdue and soon-due roadmap activities.
    Safe to run twice a day: what was sent today is recorded and not sent again."""
    return reminders.roadmap_reminders_send()
