"""Daily tasks of the pairs app, run in every institution's schema."""

from __future__ import annotations

from celery import shared_task

from config.tasks import TenantScopedTask
from schools.pairs import reminders


@shared_task(base=TenantScopedTask, name="pairs.meeting_reminders_send")
def meeting_reminders_send() -> int:
    """Remind the mentor and mentees of tomorrow's meetings by e-mail. Idempotent: every
    meeting records when it was reminded of and is never reminded of twice."""
    return reminders.meeting_reminders_send()
