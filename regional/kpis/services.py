"""Writes of the KPI layer: starting an aggregation run, recording an institution's snapshot,
the run's progress, closing a period. While a period is open each run replaces its
institutions' snapshots (the latest run is the draft); a closed period's never change."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.actor import Actor
from config.db import tenant_connection
from config.tasks import enqueue_on_commit
from regional.employers import api as employers_api
from regional.kpis import access, metrics
from regional.kpis.models import (
    AggregationItem,
    AggregationRun,
    InstitutionSnapshot,
    ItemStatus,
    Period,
    PeriodStatus,
    RunStatus,
)
from tenants.api import PublicAuditAction, public_audit_record
from tenants.models import Institution


def default_period() -> str:
    """The month the scheduled run records: ``YYYY-MM`` of today."""
    return timezone.localdate().strftime("%Y-%m")


def period_validate(period: str) -> str:
    """The period's code, if it is one (``YYYY-MM`` or ``YYYY-MM-DD``) and not in the future: a
    snapshot of a month to come would record today's numbers under a date they do not hold."""
    try:
        day = metrics.period_date(period)
    except ValueError:
        raise ValidationError(
            {"period": [_("Give the period as YYYY-MM or YYYY-MM-DD.")]}
        ) from None
    if day > timezone.localdate():
        raise ValidationError({"period": [_("A period in the future cannot be aggregated.")]})
    return period


def _period_open(code: str) -> Period:
    """The period's row, created open on first use; ValidationError when it is closed."""
    period, _created = Period.objects.get_or_create(code=code)
    if period.is_closed:
        message = _("The period %(period)s is closed: its numbers are final.") % {"period": code}
        raise ValidationError({"period": [message]})
    return period


@transaction.atomic
def aggregation_run_start(*, period: str | None = None, actor: Actor) -> AggregationRun:
    """Create a run for ``period`` (default: this month) and send one task per institution with
    a schema (after commit). An open period's snapshots are replaced by this run's; a closed
    or future period is refused. The regional centre's (``access``)."""
    from regional.kpis.tasks import aggregate_institution

    access.check_aggregation(actor)
    run, institutions = _run_create(period=period, requested_by_id=actor.audit_user_id)
    with schema_context(get_public_schema_name()):
        for pk, schema_name in institutions:
            enqueue_on_commit(
                aggregate_institution, schema_name=schema_name, run_id=run.pk, institution_id=pk
            )
        if not institutions:
            _finish_if_complete(run.pk)
            run.refresh_from_db()
    return run


def _run_create(
    *, period: str | None, requested_by_id: int | None
) -> tuple[AggregationRun, list[tuple[int, str]]]:
    """A new run of ``period`` (checked: a period, not in the future, not closed) with one
    pending item per institution that has a schema; and those institutions (id, schema)."""
    period = period_validate(period or default_period())
    with schema_context(get_public_schema_name()):
        _period_open(period)
        institutions = list(
            Institution.objects.with_schema().order_by("pk").values_list("pk", "schema_name")
        )
        run = AggregationRun.objects.create(
            period=period, institutions_total=len(institutions), requested_by_id=requested_by_id
        )
        AggregationItem.objects.bulk_create(
            AggregationItem(run=run, institution_id=pk) for pk, _schema in institutions
        )
    return run, institutions


def aggregation_run_in_process(
    *, period: str, requested_by_id: int | None = None
) -> AggregationRun:
    """The same run as ``aggregation_run_start``, done here and now, one institution after
    another in its own schema (for seeding the demo's and the benchmark's history: the real
    aggregation over data as it stood each month). An institution that fails is recorded as
    failed (its error's class) and the others go on."""
    with transaction.atomic():
        run, institutions = _run_create(period=period, requested_by_id=requested_by_id)
    for pk, schema_name in institutions:
        try:
            with schema_context(schema_name):
                institution_aggregate(run_id=run.pk, institution_id=pk)
        except Exception as exc:
            with schema_context(get_public_schema_name()):
                aggregation_item_error(run_id=run.pk, institution_id=pk, error=type(exc).__name__)
                aggregation_item_finish(run_id=run.pk, institution_id=pk, ok=False)
    with schema_context(get_public_schema_name()):
        _finish_if_complete(run.pk)  # a region without institutions
        run.refresh_from_db()
    return run


@transaction.atomic
def period_close(*, period: str, actor: Actor) -> Period:
    """Close a period: its snapshots become final (no run writes them again). Refused for a
    period without snapshots, a closed one, and while a run of it is still running."""
    access.check_aggregation(actor)
    row = Period.objects.select_for_update().filter(code=period).first()
    if row is None or not InstitutionSnapshot.objects.filter(period=period).exists():
        raise ValidationError({"period": [_("The period has no numbers to close.")]})
    if row.is_closed:
        raise ValidationError({"period": [_("The period is already closed.")]})
    if AggregationRun.objects.filter(period=period, status=RunStatus.RUNNING).exists():
        message = _("An aggregation of this period is still running; close it when it ends.")
        raise ValidationError({"period": [message]})
    row.status = PeriodStatus.CLOSED
    row.closed_at = timezone.now()
    row.closed_by_id = actor.audit_user_id
    row.save(update_fields=["status", "closed_at", "closed_by_id"])
    public_audit_record(
        actor=actor,
        action=PublicAuditAction.CLOSE,
        instance=row,
        changed_fields=["status"],
        label=period,
    )
    return row


def institution_aggregate(*, run_id: int, institution_id: int) -> bool:
    """Compute the metrics of the institution whose schema is active and record its snapshot
    for the run's period (replacing the draft), marking the institution done in the run in the
    same transaction. Returns False when nothing was written (the period was closed
    meanwhile). Raises on any failure (the task retries it).

    Counts the attempt in the run's item first. Queries: one statement counts the attempt and
    reads the run (its period, whether it is closed, whether the institution has this schema);
    ``metrics.institution_metrics`` in the schema; the employer numbers; one statement writes
    (the period's lock, the snapshot, the item and the run's progress). The two statements of
    the run's bookkeeping name the public schema's tables, so they run from the institution's
    schema without switching the search path."""
    schema_name = tenant_connection().schema_name
    period, closed, has_schema = _attempt_and_run(run_id=run_id, institution_id=institution_id)
    if not has_schema:
        raise LookupError(f"Institution {institution_id} has no schema {schema_name}")
    values: dict[str, int] | None = None
    if not closed:
        on = metrics.period_date(period)
        values = metrics.institution_metrics(on=on)
        with schema_context(get_public_schema_name()):
            values.update(employers_api.partner_counts(institution_id=institution_id))
    academic_year = metrics.academic_year_of(metrics.period_date(period))
    written = _write_and_finish(
        run_id=run_id,
        period=period,
        institution_id=institution_id,
        academic_year=academic_year,
        values=values,
    )
    if written is not None:
        return written
    # No row for the period (a run creates it; only a deleted row gets here): the general path.
    with schema_context(get_public_schema_name()), transaction.atomic():
        written = False
        if values is not None:
            written = _snapshot_write(
                run_id=run_id,
                period=period,
                institution_id=institution_id,
                academic_year=academic_year,
                values=values,
            )
        _item_finish(run_id=run_id, institution_id=institution_id, ok=True)
    return written


# The run's bookkeeping for one institution in two statements, written once
# (``_bookkeeping_sql``): in a region of 2,000 institutions each round trip and each compiled
# ORM query is paid 2,000 times. ``{public}`` is the public schema, named so that the
# statements run from the institution's schema.
_ATTEMPT_AND_RUN_SQL = """
WITH attempt AS (
    UPDATE {public}.{item} SET attempts = attempts + 1
    WHERE run_id = %(run)s AND institution_id = %(institution)s
)
SELECT
    run.period,
    EXISTS (
        SELECT 1 FROM {public}.{period} WHERE code = run.period AND status = %(closed)s
    ),
    EXISTS (
        SELECT 1 FROM {public}.{institution}
        WHERE id = %(institution)s AND schema_name = %(schema)s
    )
FROM {public}.{run} run
WHERE run.id = %(run)s
"""
# The same as ``_snapshot_write`` and ``_item_finish`` (ok) in one transaction: the period's
# row locked (closing waits for the write, and none slips in after it), the snapshot written
# unless the period is closed or there are no values, the item marked done once (a duplicate
# delivery changes nothing) and counted in the run, which the last institution completes.
# Nothing is done when the period has no row (the caller takes the general path).
_WRITE_AND_FINISH_SQL = """
WITH period AS (
    SELECT status FROM {public}.{period} WHERE code = %(period)s FOR NO KEY UPDATE
),
snapshot AS (
    INSERT INTO {public}.{snapshot}
        (period, institution_id, run_id, academic_year, values, created_at, recorded_at)
    SELECT %(period)s, %(institution)s, %(run)s, %(academic_year)s, %(values)s::jsonb,
        %(now)s, %(now)s
    FROM period
    WHERE period.status <> %(closed)s AND %(write)s
    ON CONFLICT (period, institution_id) DO UPDATE SET
        run_id = EXCLUDED.run_id,
        academic_year = EXCLUDED.academic_year,
        values = EXCLUDED.values,
        recorded_at = EXCLUDED.recorded_at
    RETURNING 1
),
item AS (
    UPDATE {public}.{item} SET status = %(ok)s, finished_at = %(now)s
    WHERE run_id = %(run)s AND institution_id = %(institution)s AND status = %(pending)s
        AND EXISTS (SELECT 1 FROM period)
    RETURNING 1
),
run AS (
    -- the row's values before this update: it completes the run when the others are done
    UPDATE {public}.{run} SET
        ok_count = ok_count + 1,
        status = CASE
            WHEN status = %(running)s AND institutions_total <= ok_count + failed_count + 1
                AND failed_count = 0 THEN %(finished)s
            WHEN status = %(running)s AND institutions_total <= ok_count + failed_count + 1
                THEN %(finished_with_errors)s
            ELSE status
        END,
        finished_at = CASE
            WHEN status = %(running)s AND institutions_total <= ok_count + failed_count + 1
                THEN %(now)s
            ELSE finished_at
        END
    WHERE id = %(run)s AND EXISTS (SELECT 1 FROM item)
)
SELECT EXISTS (SELECT 1 FROM period), EXISTS (SELECT 1 FROM snapshot)
"""


@cache
def _bookkeeping_sql() -> tuple[str, str]:
    """The two statements with the public schema's and the tables' names."""
    quote = connection.ops.quote_name
    names = {
        "public": quote(get_public_schema_name()),
        "item": quote(AggregationItem._meta.db_table),
        "run": quote(AggregationRun._meta.db_table),
        "period": quote(Period._meta.db_table),
        "snapshot": quote(InstitutionSnapshot._meta.db_table),
        "institution": quote(Institution._meta.db_table),
    }
    return _ATTEMPT_AND_RUN_SQL.format(**names), _WRITE_AND_FINISH_SQL.format(**names)


def _attempt_and_run(*, run_id: int, institution_id: int) -> tuple[str, bool, bool]:
    """Count the attempt in the run's item (committed at once, whatever follows) and read the
    run: (its period, whether the period is closed, whether the institution has the active
    schema). Raises ``AggregationRun.DoesNotExist`` for an unknown run."""
    params: dict[str, Any] = {
        "run": run_id,
        "institution": institution_id,
        "closed": PeriodStatus.CLOSED.value,
        "schema": tenant_connection().schema_name,
    }
    with connection.cursor() as cursor:
        cursor.execute(_bookkeeping_sql()[0], params)
        row = cursor.fetchone()
    if row is None:
        raise AggregationRun.DoesNotExist(f"No aggregation run {run_id}")
    period, closed, has_schema = row
    return str(period), bool(closed), bool(has_schema)


def _write_and_finish(
    *,
    run_id: int,
    period: str,
    institution_id: int,
    academic_year: int,
    values: dict[str, int] | None,
) -> bool | None:
    """Record the snapshot (when there are values) and mark the institution done, in one
    statement: whether the snapshot was written, or None when the period has no row (nothing
    was done)."""
    clean: dict[str, int] = {}
    if values is not None:
        clean = metrics.clean_metrics(values)
        if clean != values:
            raise ValueError("A snapshot holds known metric keys with non-negative integers only")
    params: dict[str, Any] = {
        "run": run_id,
        "institution": institution_id,
        "period": period,
        "academic_year": academic_year,
        "values": json.dumps(clean),
        "write": values is not None,
        "now": timezone.now(),
        "closed": PeriodStatus.CLOSED.value,
        "ok": ItemStatus.OK.value,
        "pending": ItemStatus.PENDING.value,
        "running": RunStatus.RUNNING.value,
        "finished": RunStatus.FINISHED.value,
        "finished_with_errors": RunStatus.FINISHED_WITH_ERRORS.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(_bookkeeping_sql()[1], params)
        row = cursor.fetchone()
    assert row is not None  # a SELECT without FROM gives one row
    has_period, written = row
    return bool(written) if has_period else None


@transaction.atomic
def snapshot_record(
    *,
    run_id: int | None,
    period: str,
    institution_id: int,
    academic_year: int,
    values: dict[str, int],
) -> bool:
    """Record the institution's snapshot of an open period, replacing an earlier one (one row
    per period and institution); a closed period is left as it is. The period's row is locked
    for the write, so closing waits for writes in flight and none slips in after it. Returns
    whether the row was written."""
    return _snapshot_write(
        run_id=run_id,
        period=period,
        institution_id=institution_id,
        academic_year=academic_year,
        values=values,
    )


def _snapshot_write(
    *,
    run_id: int | None,
    period: str,
    institution_id: int,
    academic_year: int,
    values: dict[str, int],
) -> bool:
    """``snapshot_record`` inside the caller's transaction."""
    clean = metrics.clean_metrics(values)
    if clean != values:
        raise ValueError("A snapshot holds known metric keys with non-negative integers only")
    row = Period.objects.select_for_update(no_key=True).filter(code=period).first()
    if row is None:  # the first write of the period (a run creates it before)
        Period.objects.get_or_create(code=period)
        row = Period.objects.select_for_update(no_key=True).get(code=period)
    if row.is_closed:
        return False
    InstitutionSnapshot.objects.bulk_create(
        [
            InstitutionSnapshot(
                run_id=run_id,
                period=period,
                institution_id=institution_id,
                academic_year=academic_year,
                values=clean,
                recorded_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["period", "institution"],
        update_fields=["run", "academic_year", "values", "recorded_at"],
    )
    return True


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
    the task changes nothing) and count it in the run, closing the run when every institution
    is done or failed (one update: the row's latest version decides, whoever finishes last)."""
    _item_finish(run_id=run_id, institution_id=institution_id, ok=ok)


def _item_finish(*, run_id: int, institution_id: int, ok: bool) -> None:
    """``aggregation_item_finish`` inside the caller's transaction."""
    status = ItemStatus.OK if ok else ItemStatus.FAILED
    changed = AggregationItem.objects.filter(
        run_id=run_id, institution_id=institution_id, status=ItemStatus.PENDING
    ).update(status=status, finished_at=timezone.now())
    if not changed:
        return
    counter = "ok_count" if ok else "failed_count"
    # The row's values before this update: it completes the run when the others are all done.
    completes = Q(
        status=RunStatus.RUNNING,
        institutions_total__lte=F("ok_count") + F("failed_count") + 1,
    )
    whens = [When(completes, then=Value(RunStatus.FINISHED_WITH_ERRORS))]
    if ok:
        whens.insert(0, When(completes & Q(failed_count=0), then=Value(RunStatus.FINISHED)))
    AggregationRun.objects.filter(pk=run_id).update(
        **{counter: F(counter) + 1},
        status=Case(*whens, default=F("status")),
        finished_at=Case(When(completes, then=Value(timezone.now())), default=F("finished_at")),
    )


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


# The reason recorded for an institution whose task was lost (its worker died too often, or the
# broker lost it): shown on the run's page like an exception's class.
LOST_TASK = "Interrupted"


def items_sweep() -> int:
    """In an institution's schema (beat's ``config.jobs_sweep``): this institution's items of
    runs still running, older than ``JOB_STUCK_AFTER``, whose task is no longer pending
    (config.jobs) are sent again when their task never went through the outbox, else failed
    with the reason ``LOST_TASK``: the run then finishes with errors, and starting it again on
    its page is the retry. Returns the items acted on."""
    from config import jobs
    from regional.kpis.tasks import aggregate_institution

    schema_name = tenant_connection().schema_name
    with schema_context(get_public_schema_name()):
        institution_id = (
            Institution.objects.filter(schema_name=schema_name).values_list("pk", flat=True).first()
        )
        if institution_id is None:
            return 0
        run_ids = list(
            AggregationItem.objects.filter(
                institution_id=institution_id,
                status=ItemStatus.PENDING,
                run__status=RunStatus.RUNNING,
                run__started_at__lt=jobs.stuck_before(),
            ).values_list("run_id", flat=True)
        )
    count = 0
    for run_id in run_ids:
        state = jobs.task_state(aggregate_institution, run_id=run_id, institution_id=institution_id)
        if state == jobs.PENDING:
            continue
        with schema_context(get_public_schema_name()), transaction.atomic():
            if state is None:
                enqueue_on_commit(
                    aggregate_institution,
                    schema_name=schema_name,
                    run_id=run_id,
                    institution_id=institution_id,
                )
            else:
                aggregation_item_error(
                    run_id=run_id, institution_id=institution_id, error=LOST_TASK
                )
                aggregation_item_finish(run_id=run_id, institution_id=institution_id, ok=False)
        count += 1
    return count
