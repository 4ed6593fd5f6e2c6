"""A worker killed mid-job and a broker that lost its queue: every committed job still runs,
exactly once (the outbox, its relay and the worker's lease: ADR 0008)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context

from config.outbox.models import OutboxMessage
from config.outbox.relay import relay_once
from schools.imports import services as imports
from schools.imports.models import ImportBatch, ImportStatus
from schools.participants import api as participants_api
from tests.conftest import SETUP
from tests.fault.conftest import wait_until
from tests.schools.imports.files import SCHOOL_HEADERS, school_rows, upload, xlsx_bytes

pytestmark = [pytest.mark.fault, pytest.mark.celery_worker]

ROWS = 60


def _batch_checked(schema: str, start: int) -> ImportBatch:
    """A checked batch (the check inline), ready to commit."""
    content = xlsx_bytes(SCHOOL_HEADERS, school_rows(ROWS, start=start))
    with schema_context(schema), override_settings(IMPORTS_INLINE_MAX_BYTES=10**9):
        batch = imports.import_batch_create(
            kind="participants", uploaded_file=upload(content), actor=SETUP
        )
    assert batch.status == ImportStatus.PREVIEWED and not batch.error_count, batch.report
    return batch


def _status(schema: str, batch_id: int) -> str:
    with schema_context(schema):
        return str(ImportBatch.objects.get(pk=batch_id).status)


def _blocked_on_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


def _locker() -> psycopg.Connection[Any]:
    """A session of its own (as another user's transaction would be)."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
    )


def _relay_until(predicate: Any, timeout: float = 45.0) -> Any:
    """Run the relay (as beat does) until ``predicate`` holds."""

    def step() -> Any:
        relay_once()
        return predicate()

    return wait_until(step, timeout=timeout, step=0.2)


def test_a_worker_killed_mid_import_finishes_it_once_with_a_new_worker(
    committed: None, school: Any, start_worker: Any, media_root: str, settings: Any
) -> None:
    settings.MEDIA_ROOT = media_root
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = f"{media_root}/%s"
    schema = school.schema_name
    with schema_context(schema):
        before = participants_api.Participant.objects.count()
    batch = _batch_checked(schema, start=0)
    # Another session holds the participants table: the worker's import blocks mid-way, after
    # it claimed the job and read the file, before anything is written.
    db = connection.settings_dict
    locker = psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
    )
    try:
        locker.execute(
            f'LOCK TABLE "{schema}".participants_participant IN SHARE ROW EXCLUSIVE MODE'
        )
        with schema_context(schema), override_settings(IMPORTS_INLINE_MAX_BYTES=1):
            assert imports.import_batch_commit(batch_id=batch.pk).status == ImportStatus.IMPORTING
        message = OutboxMessage.objects.get(
            task_name="imports.import_batch_commit", kwargs__batch_id=batch.pk, schema_name=schema
        )
        first = start_worker()
        wait_until(lambda: OutboxMessage.objects.get(pk=message.pk).run_count == 1)
        wait_until(_blocked_on_lock)
        first.kill()
    finally:
        locker.rollback()
        locker.close()
    assert _status(schema, batch.pk) == ImportStatus.IMPORTING  # the page would say so for ever

    start_worker()
    _relay_until(lambda: _status(schema, batch.pk) == ImportStatus.DONE)
    with schema_context(schema):
        assert participants_api.Participant.objects.count() == before + ROWS  # once, not twice
        assert ImportBatch.objects.get(pk=batch.pk).imported_count == ROWS
    message.refresh_from_db()
    assert message.run_count == 2 and message.outcome == "done"


def test_a_worker_killed_mid_kpi_run_finishes_it_once_with_a_new_worker(
    committed: None, school: Any, start_worker: Any, tenants: Any
) -> None:
    from regional.kpis import services as kpis
    from regional.kpis.models import AggregationRun, InstitutionSnapshot, Period

    period = "2020-03"
    db = connection.settings_dict
    locker = psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
    )
    try:
        # the snapshots table is held: the first institution's task blocks as it writes
        locker.execute("LOCK TABLE public.kpis_institutionsnapshot IN SHARE ROW EXCLUSIVE MODE")
        run = kpis.aggregation_run_start(actor=SETUP, period=period)
        first = start_worker()
        wait_until(_blocked_on_lock)
        first.kill()
    finally:
        locker.rollback()
        locker.close()
    try:
        run.refresh_from_db()
        assert run.status == "running" and run.ok_count < run.institutions_total

        start_worker()

        def finished() -> bool:
            run.refresh_from_db()
            return run.status != "running"

        _relay_until(finished)
        assert run.status == "finished" and run.ok_count == run.institutions_total
        snapshots = InstitutionSnapshot.objects.filter(period=period)
        assert snapshots.count() == run.institutions_total  # one per institution, once
        assert {tenants.a.pk, tenants.b.pk, school.pk} <= set(
            snapshots.values_list("institution_id", flat=True)
        )
    finally:
        InstitutionSnapshot.objects.filter(period=period).delete()
        AggregationRun.objects.filter(period=period).delete()
        Period.objects.filter(code=period).delete()


def test_jobs_queued_when_redis_loses_its_data_all_complete(
    committed: None, school: Any, broker: Any, start_worker: Any, media_root: str, settings: Any
) -> None:
    settings.MEDIA_ROOT = media_root
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = f"{media_root}/%s"
    schema = school.schema_name
    content = xlsx_bytes(SCHOOL_HEADERS, school_rows(5))
    with schema_context(schema), override_settings(IMPORTS_INLINE_MAX_BYTES=1):
        batches = [
            imports.import_batch_create(
                kind="participants", uploaded_file=upload(content), actor=SETUP
            )
            for _ in range(4)
        ]
    assert {b.status for b in batches} == {ImportStatus.UPLOADED}
    from config.celery import app

    assert int(broker.cli("LLEN", app.conf.task_default_queue)) == len(batches)
    broker.cli("FLUSHALL")  # Redis restarted without persistence, or a failover
    assert int(broker.cli("LLEN", app.conf.task_default_queue)) == 0

    done = OutboxMessage.objects.filter(
        task_name="imports.import_batch_validate",
        schema_name=schema,  # batch ids are per schema
        kwargs__batch_id__in=[b.pk for b in batches],
    )
    start_worker()
    # The row is finished just after the task's own transaction commits: wait for both.
    with override_settings(OUTBOX_REPUBLISH_AFTER=0.5):
        _relay_until(
            lambda: (
                all(_status(schema, b.pk) == ImportStatus.PREVIEWED for b in batches)
                and not done.filter(finished_at__isnull=True).exists()
            )
        )
    assert sorted(done.values_list("outcome", flat=True)) == ["done"] * len(batches)


def test_the_database_dropping_the_workers_connections_mid_import_leaves_it_to_import_again(
    committed: None, school: Any, start_worker: Any, media_root: str, settings: Any
) -> None:
    """PostgreSQL restarted under an import's commit (every connection of the worker dropped,
    as a restart does; the shared server itself is not restarted): nothing is imported, the
    batch is back to its checked preview with the reason, and importing again completes."""
    settings.MEDIA_ROOT = media_root
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = f"{media_root}/%s"
    schema = school.schema_name
    with schema_context(schema):
        before = participants_api.Participant.objects.count()
    batch = _batch_checked(schema, start=1000)
    locker = _locker()
    try:
        locker.execute(
            f'LOCK TABLE "{schema}".participants_participant IN SHARE ROW EXCLUSIVE MODE'
        )
        start_worker()
        with schema_context(schema), override_settings(IMPORTS_INLINE_MAX_BYTES=1):
            assert imports.import_batch_commit(batch_id=batch.pk).status == ImportStatus.IMPORTING
        wait_until(_blocked_on_lock)  # mid-commit: the batch locked, the first rows on their way
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
                [locker.info.backend_pid],
            )
            assert cursor.fetchone()[0] >= 1
    finally:
        locker.rollback()
        locker.close()

    wait_until(lambda: _status(schema, batch.pk) != ImportStatus.IMPORTING)
    with schema_context(schema):
        interrupted = ImportBatch.objects.get(pk=batch.pk)
        assert interrupted.status == ImportStatus.PREVIEWED and interrupted.report["interrupted"]
        assert participants_api.Participant.objects.count() == before  # nothing, not a part

        # the coordinator imports it again (the same worker, its connection made anew)
        with override_settings(IMPORTS_INLINE_MAX_BYTES=1):
            imports.import_batch_commit(batch_id=batch.pk)
    _relay_until(lambda: _status(schema, batch.pk) == ImportStatus.DONE)
    with schema_context(schema):
        done = ImportBatch.objects.get(pk=batch.pk)
        assert done.imported_count == ROWS and "interrupted" not in done.report
        assert participants_api.Participant.objects.count() == before + ROWS
