"""Aggregation tasks: the regional run (public schema) fans out one id-only task per
institution, which computes its numbers in its own schema and writes its snapshot to public."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.actor import Actor
from config.tasks import PublicTask, TenantScopedTask
from regional.kpis import services

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


# The monthly run the beat starts.
MONTHLY_ACTOR = Actor.system("kpis.monthly")


def retry_delay(retries: int) -> float:
    """Exponential backoff: base, 2 × base, 4 × base… (KPI_RETRY_DELAY seconds, default 30)."""
    base = float(getattr(settings, "KPI_RETRY_DELAY", 30))
    return base * 2**retries


@shared_task(base=PublicTask, name="kpis.aggregate_region")
def aggregate_region(period: str | None = None) -> int:
    """Start a run for ``period`` (default: this month) and fan out to every institution."""
    return services.aggregation_run_start(period=period, actor=MONTHLY_ACTOR).pk


@shared_task(bind=True, base=TenantScopedTask, name="kpis.aggregate_institution")
def aggregate_institution(self: Any, run_id: int, institution_id: int) -> str:
    """One institution of a run, in its own schema (each attempt counted in the run's item). A
    failure is retried with backoff and, once the retries are spent, reported in the run;
    other institutions are not affected."""
    try:
        services.institution_aggregate(run_id=run_id, institution_id=institution_id)
    except Exception as exc:
        logger.exception("KPI aggregation failed for institution %s", institution_id)
        with schema_context(get_public_schema_name()):
            services.aggregation_item_error(
                run_id=run_id, institution_id=institution_id, error=type(exc).__name__
            )
            if self.request.retries >= MAX_RETRIES:
                services.aggregation_item_finish(
                    run_id=run_id, institution_id=institution_id, ok=False
                )
                return "failed"
        raise self.retry(
            exc=exc, countdown=retry_delay(self.request.retries), max_retries=MAX_RETRIES
        ) from exc
    return "ok"
