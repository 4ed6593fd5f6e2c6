"""Tasks of the matching app: a large matching run, in its institution's schema."""

from __future__ import annotations

from celery import shared_task

from config.tasks import TenantScopedTask


@shared_task(base=TenantScopedTask, name="matching.run_execute")
def match_run_execute(*, run_id: int) -> bool:
    """Idempotent: a run that is done, failed or superseded is left alone; one found running
    was interrupted (this delivery holds the outbox lease) and starts over."""
    from schools.matching.services import run_execute

    return run_execute(run_id=run_id, resume=True)
