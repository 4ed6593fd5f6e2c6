"""Daily tasks of the participants app, run in every institution's schema."""

from __future__ import annotations

from celery import shared_task

from config.tasks import TenantScopedTask
from schools.participants import services


@shared_task(base=TenantScopedTask, name="participants.erase_due")
def erase_due() -> int:
    """Erase the personal data of everyone whose consent was withdrawn 30 days ago.
    Idempotent: erased people are skipped."""
    return services.participants_erase_due()
