"""The regional KPI dashboard: the page, one XLSX per chart and the whole report, the
aggregation run started on demand and its progress."""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from tests.web.areas.core import REGIONAL

READERS = REGIONAL | {Role.MUNICIPAL}

EXPORTS = {
    f"kpis-export-{chart}" for chart in ("region", "municipalities", "institutions", "series")
}

PUBLIC_ALLOWED = {
    "kpis": READERS,
    "kpis-rating": READERS,
    **dict.fromkeys(EXPORTS | {"kpis-export-report"}, READERS),
    "kpis-run": REGIONAL,
    "kpis-run-progress": REGIONAL,
}
PUBLIC_ID_OF = {"kpis-run": "aggregationrun", "kpis-run-progress": "aggregationrun"}
# The downloads are files and the progress is an HTMX fragment: no page frame.
FRAGMENTS = EXPORTS | {"kpis-export-report", "kpis-run-progress"}

PERIOD = "2026-10"


def public_objects(tenant: Any) -> dict[str, int]:
    """A finished run with the institution's snapshot, so that the dashboard and its downloads
    have numbers to show."""
    from regional.kpis import metrics, services
    from regional.kpis.models import AggregationRun

    run = AggregationRun.objects.create(
        period=PERIOD, status="finished", institutions_total=1, ok_count=1
    )
    services.snapshot_record(
        run_id=run.pk,
        period=PERIOD,
        institution_id=tenant.pk,
        academic_year=metrics.academic_year_of(metrics.period_date(PERIOD)),
        values={"headcount_learners": 100, "learner_mentees_10_plus": 4, "mentors": 12},
    )
    return {"aggregationrun": run.pk}
