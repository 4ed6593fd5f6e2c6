"""Public interface of the KPI app for the layers above it (the demo and the benchmark's
seeding): the region's history is built by the real aggregation, month by month, over data as
it stood each month; a month done is closed (its numbers become final)."""

from __future__ import annotations

from accounts.actor import Actor
from regional.kpis import services
from regional.kpis.models import InstitutionSnapshot, Period, PeriodStatus

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


def periods_recorded() -> dict[str, bool]:
    """The periods with snapshots, each with whether it is closed (its numbers final)."""
    recorded = set(InstitutionSnapshot.objects.values_list("period", flat=True).distinct())
    closed = set(
        Period.objects.filter(code__in=recorded, status=PeriodStatus.CLOSED).values_list(
            "code", flat=True
        )
    )
    return {period: period in closed for period in sorted(recorded)}


def period_close(*, period: str) -> None:
    """Close an open period as its snapshots stand (a draft recorded when it was the current
    month becomes final); ValidationError when it has none or is closed."""
    services.period_close(period=period, actor=HISTORY_ACTOR)


__all__ = ["aggregate_period", "period_close", "periods_recorded"]
