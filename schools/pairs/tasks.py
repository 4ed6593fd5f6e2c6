"""Daily tasks of the pairs app, run in every institution's schema."""

from __future__ import annotations

from celery import shared_task

from config.tasks import TenantScopedTask
from schools.pairs import reminders, services


@shared_task(base=TenantScopedTask, name="pairs.meeting_reminders_send")
def meeting_reminders_send() -> int:
    """Remind the mentor and mentees of tomorrow's meetings by e-mail. Idempotent: every
    meeting records when it was reminded of and is never reminded of twice."""
    return reminders.meeting_reminders_send()


@shared_task(base=TenantScopedTask, name="pairs.meeting_mark_reminders_send")
def meeting_mark_reminders_send() -> int:
    """Ask the mentor, once per meeting, to mark a past planned meeting held or move it."""
    return reminders.meeting_mark_reminders_send()


@shared_task(base=TenantScopedTask, name="pairs.practice_case_anonymise")
def practice_case_anonymise_task(case_id: int) -> bool:
    """The anonymised copy of a success story, in the institution's schema (the language
    model loads here, once per worker process, never in a page request)."""
    return services.practice_case_anonymise(case_id=case_id)
