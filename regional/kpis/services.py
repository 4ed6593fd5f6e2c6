"""Writes of the KPI layer: starting an aggregation run, recording an institution's snapshot,
and the run's progress. Snapshots are written once per (period, institution) and never changed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from config.db import tenant_connection
from config.tasks import enqueue_on_commit
from regional.kpis import metrics
from regional.kpis.models import (
    AggregationItem,
    AggregationRun,
    InstitutionSnapshot,
    ItemStatus,
    RegionSettings,
    RunStatus,
)
from tenants.models import Institution


def default_period() -> str:
    """The month the scheduled run records: ``YYYY-MM`` of today."""
    return timezone.localdate().strftime("%Y-%m")


def period_validate(period: str) -> str:
    try:
        metrics.period_date(period)
    except ValueError:
        raise ValidationError(
            {"period": [_("Give the period as YYYY-MM or YYYY-MM-DD.")]}
        ) from None
    return period


@transaction.atomic
def region_settings_update(*, min_group_size: int) -> RegionSettings:
    settings_row, _created = RegionSettings.objects.get_or_create(pk=1)
    settings_row.min_group_size = min_group_size
    settings_row.full_clean()
    settings_row.save()
    return settings_row


@transaction.atomic
def aggregation_run_start(
    *, period: str | None = None, requested_by_id: int | None = None
) -> AggregationRun:
    """Create a run for ``period`` and send one task per institution with a schema (after
    commit). Institutions that already have the period's snapshot finish at once, unchanged."""
    from regional.kpis.tasks import aggregate_institution

    period = period_validate(period or default_period())
    with schema_context(get_public_schema_name()):
        institutions = list(
            Institution.objects.with_schema().order_by("pk").values_list("pk", "schema_name")
        )
        run = AggregationRun.objects.create(
            period=period, institutions_total=len(institutions), requested_by_id=requested_by_id
        )
        AggregationItem.objects.bulk_create(
            AggregationItem(run=run, institution_id=pk) for pk, _schema in institutions
        )
        for pk, schema_name in institutions:
            enqueue_on_commit(
                aggregate_institution, schema_name=schema_name, run_id=run.pk, institution_id=pk
            )
        if not institutions:
            _finish_if_complete(run.pk)
            run.refresh_from_db()
    return run


def institution_aggregate(*, run_id: int, institution_id: int) -> bool:
    """Compute the metrics of the institution whose schema is active and record its snapshot
    for the run's period. Returns False when the snapshot existed already (left unchanged).
    Raises on any failure (the task retries it)."""
    schema_name = tenant_connection().schema_name
    with schema_context(get_public_schema_name()):
        run = AggregationRun.objects.get(pk=run_id)
        if not Institution.objects.filter(pk=institution_id, schema_name=schema_name).exists():
            raise LookupError(f"Institution {institution_id} has no schema {schema_name}")
        exists = InstitutionSnapshot.objects.filter(
            period=run.period, institution_id=institution_id
        ).exists()
    created = False
    if not exists:
        on = metrics.period_date(run.period)
        values = metrics.institution_metrics(on=on)
        with schema_context(get_public_schema_name()):
            from regional.kpis.selectors import employer_partner_metrics

            values.update(employer_partner_metrics(institution_id=institution_id))
            created = snapshot_record(
                run_id=run_id,
                period=run.period,
                institution_id=institution_id,
                academic_year=metrics.academic_year_of(on),
                values=values,
            )
    with schema_context(get_public_schema_name()):
        aggregation_item_finish(run_id=run_id, institution_id=institution_id, ok=True)
    return created


def snapshot_record(
    *,
    run_id: int | None,
    period: str,
    institution_id: int,
    academic_year: int,
    values: dict[str, int],
) -> bool:
    """Insert the snapshot unless the period has one for the institution (ON CONFLICT DO
    NOTHING): re-runs never change a recorded snapshot. Returns whether a row was written."""
    clean = metrics.clean_metrics(values)
    if clean != values:
        raise ValueError("A snapshot holds known metric keys with non-negative integers only")
    rows = InstitutionSnapshot.objects.bulk_create(
        [
            InstitutionSnapshot(
                run_id=run_id,
                period=period,
                institution_id=institution_id,
                academic_year=academic_year,
                values=clean,
            )
        ],
        ignore_conflicts=True,
    )
    return bool(rows and rows[0].pk)


def aggregation_item_attempt(*, run_id: int, institution_id: int) -> None:
    AggregationItem.objects.filter(run_id=run_id, institution_id=institution_id).update(
        attempts=F("attempts") + 1
    )


def aggregation_item_error(*, run_id: int, institution_id: int, error: str) -> None:
    """Record the last error: the exception's class name only (messages may quote data)."""
    AggregationItem.objects.filter(run_id=run_id, institution_id=institution_id).update(
        error=error[:200]
    )


@transaction.atomic
def aggregation_item_finish(*, run_id: int, institution_id: int, ok: bool) -> None:
    """Mark the institution done or failed once (a conditional update: a duplicate delivery of
    the task changes nothing) and close the run when every institution is done or failed."""
    status = ItemStatus.OK if ok else ItemStatus.FAILED
    changed = AggregationItem.objects.filter(
        run_id=run_id, institution_id=institution_id, status=ItemStatus.PENDING
    ).update(status=status, finished_at=timezone.now())
    if not changed:
        return
    counter = "ok_count" if ok else "failed_count"
    AggregationRun.objects.filter(pk=run_id).update(**{counter: F(counter) + 1})
    _finish_if_complete(run_id)


def _finish_if_complete(run_id: int) -> None:
    complete = AggregationRun.objects.filter(
        pk=run_id,
        status=RunStatus.RUNNING,
        institutions_total__lte=F("ok_count") + F("failed_count"),
    )
    complete.filter(failed_count=0).update(status=RunStatus.FINISHED, finished_at=timezone.now())
    complete.filter(failed_count__gt=0).update(
        status=RunStatus.FINISHED_WITH_ERRORS, finished_at=timezone.now()
    )
