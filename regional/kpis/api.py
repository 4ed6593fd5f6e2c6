"""Public interface of the KPI app for the layers above it (the demo and the benchmark's
seeding): the region's history is built by the real aggregation, month by month, over data as
it stood each month; a month done is closed (its numbers become final)."""

from __future__ import annotations

from accounts.actor import Actor
from regional.kpis import services

# The aggregation run here for the demo and the benchmark: a system job, no regional user.
HISTORY_ACTOR = Actor.system("kpis.history")


def aggregate_period(*, period: str, close: bool = False) -> dict[str, int]:
    """Aggregate every institution for ``period`` (``YYYY-MM``, not in the future) here and
    now, and close the period when ``close``. Returns the run's counts
    ``{"run_id", "institutions", "ok", "failed"}``. Call it after the institutions' data
    (headcounts, pairs, meetings…) has been set to what it was that month."""
    run = services.aggregation_run_in_process(period=period)
    if close:
        services.period_close(period=period, actor=HISTORY_ACTOR)
    return {
        "run_id": run.pk,
        "institutions": run.institutions_total,
        "ok": run.ok_count,
        "failed": run.failed_count,
    }


__all__ = ["aggregate_period"]
