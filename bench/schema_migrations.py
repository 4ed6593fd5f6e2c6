"""``nastavnik migrate_schemas --tenant`` over N institutions: the serial executor
(``standard``, the baseline) vs the parallel one (``multiprocessing``, 2 processes).

The N institution schemas are made quickly by cloning the template. Each executor is timed
twice, as a subprocess of ``.venv/bin/nastavnik`` with settings ``bench_migrate_settings``
(the development settings plus ``bench_tenant_app``, a tenant app of this directory):

* real work: ``bench_tenant_app.0001_initial`` (a table with a foreign key and an index) is
  unapplied in every schema (table dropped, ``django_migrations`` rows deleted by SQL), so
  the run applies it in the template and in each of the N schemas;
* nothing to apply: the per-schema overhead (connection, migration graph, post_migrate).

A bench-only app keeps the benchmark independent of the project's own migrations."""

from __future__ import annotations

import time
from typing import Any

from benchlib import heading, line, nastavnik, ratio, stopwatch, summary

SLUG_PREFIX = "bench-mig-"
SETTINGS = "bench_migrate_settings"
ROLLED_BACK_APP = "bench_tenant_app"
ROLLED_BACK_TABLE = "bench_tenant_app_benchnote"
EXECUTORS = ("standard", "multiprocessing")


def _schema(i: int) -> str:
    return f"bench_mig_{i:04d}"


def _create_institutions(names: list[str]) -> list[float]:
    """Active institutions with their schemas, cloned from the template (one commit each).
    Returns the seconds each clone took."""
    from django.db import connection, transaction

    from tenants import schemas
    from tenants.models import Domain, Institution, InstitutionStatus, Municipality

    schemas.sync_template_schema()
    municipality, _ = Municipality.objects.get_or_create(name="Bench district")
    institutions = Institution.objects.bulk_create(
        [
            Institution(
                slug=f"{SLUG_PREFIX}{i:04d}",
                schema_name=_schema(i),
                name=f"Bench migration school {i}",
                short_name=f"Bench mig {i}",
                kind="school",
                municipality=municipality,
                status=InstitutionStatus.ACTIVE,
            )
            for i in range(len(names))
        ]
    )
    Domain.objects.bulk_create(
        [Domain(domain=inst.host, tenant=inst, is_primary=True) for inst in institutions]
    )
    samples: list[float] = []
    for inst in institutions:
        # A new connection for each clone: on one long-lived connection every clone is slower
        # than the one before (see the provisioning benchmark).
        connection.close()
        started = time.perf_counter()
        with transaction.atomic():
            schemas.lock_template_for_transaction()
            schemas.clone_from_template(inst.schema_name)
        samples.append(time.perf_counter() - started)
    connection.close()
    return samples


def _delete_institutions(names: list[str]) -> None:
    from django.db import connection

    from tenants import schemas
    from tenants.models import Domain, Institution

    connection.close()
    for name in names:
        schemas.drop_schema(name)
    institutions = Institution.objects.filter(slug__startswith=SLUG_PREFIX)
    Domain.objects.filter(tenant__in=institutions).delete()
    institutions.delete()


def _roll_back(names: list[str]) -> None:
    """Make ``bench_tenant_app.0001_initial`` unapplied in the template and every schema."""
    from django.db import connection, transaction

    from tenants.schemas import template_schema_name

    with transaction.atomic(), connection.cursor() as cursor:
        for schema in [template_schema_name(), *names]:
            cursor.execute(f'DROP TABLE IF EXISTS "{schema}"."{ROLLED_BACK_TABLE}"')
            cursor.execute(
                f'DELETE FROM "{schema}".django_migrations WHERE app = %s', [ROLLED_BACK_APP]
            )


def _schemas_with_table(names: list[str]) -> int:
    from django.db import connection

    from tenants.schemas import template_schema_name

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_name = %s AND table_schema = ANY(%s)",
            [ROLLED_BACK_TABLE, [template_schema_name(), *names]],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _migrate(executor: str, log_name: str, processes: int) -> float:
    return nastavnik(
        "migrate_schemas",
        "--tenant",
        "--noinput",
        "--executor",
        executor,
        log_name=log_name,
        DJANGO_SETTINGS_MODULE=SETTINGS,
        TENANT_MIGRATION_PROCESSES=str(processes),
    )


def run(*, institutions: int, processes: int) -> dict[str, Any]:
    heading(
        f"migrate_schemas --tenant over {institutions} institutions "
        f"(+ the template): standard vs multiprocessing ({processes} processes)"
    )
    names = [_schema(i) for i in range(institutions)]
    results: dict[str, Any] = {"institutions": institutions, "processes": processes}
    try:
        with stopwatch() as elapsed:
            clone_samples = _create_institutions(names)
        results["clone_all_s"] = elapsed()
        results["clone_each"] = summary(clone_samples)
        line(
            f"{institutions} schemas cloned in {elapsed():.1f} s (median "
            f"{results['clone_each']['median_s'] * 1000:.0f} ms each, a new connection each)"
        )
        # Process start-up and setup alone, for reading the totals below.
        results["process_startup_s"] = nastavnik(
            "check", log_name="migrate-startup", DJANGO_SETTINGS_MODULE=SETTINGS
        )
        line(
            f"nastavnik process start-up (`nastavnik check`): {results['process_startup_s']:.2f} s"
        )

        for executor in EXECUTORS:
            _roll_back(names)
            seconds = _migrate(executor, f"migrate-work-{executor}", processes)
            present = _schemas_with_table(names)
            if present != len(names) + 1:
                raise RuntimeError(
                    f"after the {executor} run only {present} of {len(names) + 1} schemas "
                    f"have {ROLLED_BACK_TABLE}"
                )
            results[f"work_{executor}_s"] = seconds
            line(f"applying one migration, {executor:<15}: {seconds:7.2f} s")
        for executor in EXECUTORS:
            seconds = _migrate(executor, f"migrate-noop-{executor}", processes)
            results[f"noop_{executor}_s"] = seconds
            line(f"nothing to apply,       {executor:<15}: {seconds:7.2f} s")
    finally:
        _delete_institutions(names)

    results["noop_speedup"] = ratio(results["noop_standard_s"], results["noop_multiprocessing_s"])
    results["work_speedup"] = ratio(results["work_standard_s"], results["work_multiprocessing_s"])
    line(f"speed-up of multiprocessing, nothing to apply: {results['noop_speedup']:.2f}x")
    line(f"speed-up of multiprocessing, real work:        {results['work_speedup']:.2f}x")
    return results
