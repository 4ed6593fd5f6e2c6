"""The fan-out with a real Celery worker (in a thread of this process, Redis broker): the
public task starts a run, one task per institution writes its snapshot; a failing institution
is retried and reported while the others finish. These tests commit and clean up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from config.db import tenant_connection
from regional.kpis.models import AggregationItem, AggregationRun, InstitutionSnapshot, Period
from regional.kpis.tasks import aggregate_region
from tests.conftest import wait_for

pytestmark = pytest.mark.celery_worker

PERIOD = "2021-02"


@pytest.fixture
def clean_period(committed: None) -> Iterator[None]:
    yield
    InstitutionSnapshot.objects.filter(period=PERIOD).delete()
    AggregationRun.objects.filter(period=PERIOD).delete()
    Period.objects.filter(code=PERIOD).delete()


def _finished_run() -> Any:
    return AggregationRun.objects.filter(period=PERIOD).exclude(status="running").first()


def test_fan_out_writes_every_snapshot_and_a_failure_is_retried_and_reported(
    worker,
    clean_period,
    tenants,
    monkeypatch,
    settings,
):
    from regional.kpis import metrics

    aggregate_region.apply_async(kwargs={"period": PERIOD}, headers={"_schema_name": "public"})
    run = wait_for(_finished_run, timeout=60)
    assert run.status == "finished" and run.ok_count == run.institutions_total >= 2
    rows = list(InstitutionSnapshot.objects.filter(period=PERIOD).values().order_by("pk"))
    assert {r["institution_id"] for r in rows} >= {tenants.a.pk, tenants.b.pk}

    # A second run of the (open) period replaces the draft, even while one institution fails.
    settings.KPI_RETRY_DELAY = 0.05
    real = metrics.institution_metrics

    def failing_in_b(**kwargs: Any) -> dict[str, int]:
        if tenant_connection().schema_name == tenants.b.schema_name:
            raise RuntimeError("B is down")
        return real(**kwargs)

    monkeypatch.setattr(metrics, "institution_metrics", failing_in_b)
    InstitutionSnapshot.objects.filter(period=PERIOD, institution=tenants.b).delete()
    AggregationRun.objects.filter(period=PERIOD).delete()
    aggregate_region.apply_async(kwargs={"period": PERIOD}, headers={"_schema_name": "public"})
    run = wait_for(_finished_run, timeout=60)
    assert run.status == "finished_with_errors" and run.failed_count == 1
    b = AggregationItem.objects.get(run=run, institution=tenants.b)
    assert (b.status, b.attempts, b.error) == ("failed", 4, "RuntimeError")
    assert AggregationItem.objects.get(run=run, institution=tenants.a).status == "ok"
    after = list(InstitutionSnapshot.objects.filter(period=PERIOD).values().order_by("pk"))
    # A's row was recorded again by the second run (same numbers); B's, deleted, stays absent
    moving = ("run_id", "recorded_at")
    kept = [
        {k: v for k, v in r.items() if k not in moving}
        for r in rows
        if r["institution_id"] != tenants.b.pk
    ]
    assert [{k: v for k, v in r.items() if k not in moving} for r in after] == kept
    assert all(r["run_id"] == run.pk for r in after)
