"""KPI aggregation over many institutions: ``.venv/bin/python bench/aggregation.py [-n 300]``.

Standalone. In a dedicated database (``nastavnik_bench_kpis``, or BENCH_KPIS_DATABASE_URL whose
name must end in ``_bench_kpis``) it migrates, makes one seed schema from the template and
fills it with ``--participants`` people (learners, teachers, young teachers, employers'
specialists; consents; mentee and mentor profiles; a programme with its headcount), clones the
seed ``-n`` times (the clone copies data) as active institutions in ``--municipalities``
municipalities, then times the aggregation: one ``aggregate_institution`` task body per
institution, in this process (``task.apply`` inside the schema, as a worker would run it), and
the anonymised dashboard over the result. Prints figures only; drops the database at the end."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import benchlib  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/nastavnik_bench_kpis"
SEED = "bench_kpi_seed"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", "--institutions", type=int, default=300)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--municipalities", type=int, default=30)
    parser.add_argument("--keep-db", action="store_true")
    return parser.parse_args()


def fill_seed(participants: int) -> None:
    import datetime

    from django.utils import timezone
    from django_tenants.utils import schema_context

    from regional.kpis.metrics import academic_year_of
    from schools.participants import api
    from schools.programmes.models import Programme
    from tenants import schemas

    with schema_context("public"):
        from django.db import transaction

        with transaction.atomic():
            schemas.lock_template_for_transaction()
            schemas.clone_from_template(SEED)
    today = timezone.localdate()
    with schema_context(SEED):
        Programme.objects.create(
            academic_year=academic_year_of(today),
            title="Программа",
            headcount_learners=int(participants * 0.85),
            headcount_teachers=int(participants * 0.1),
            headcount_young_teachers=max(1, participants // 50),
        )
        for n in range(participants):
            if n % 20 == 0:
                category, birth, young = "teacher", 30, n % 40 == 0
            elif n % 33 == 0:
                category, birth, young = "employer_specialist", 40, False
            else:
                category, birth, young = "student", 19, False
            person = api.participant_create(
                last_name=f"Участник{n}",
                first_name="Имя",
                category=category,
                is_young_specialist=young,
                birth_date=today - datetime.timedelta(days=365 * birth + 30),
            )
            api.consent_record(
                participant_id=person.pk,
                kind="grant",
                signed_by="self",
                signed_on=today,
                method="paper_scan",
            )
            if (category == "student" and n % 9 == 0) or category == "employer_specialist":
                api.mentor_profile_upsert(participant_id=person.pk, capacity=2)
            elif n % 3:
                api.mentee_profile_upsert(participant_id=person.pk)


def clone_institutions(count: int, municipalities: int) -> list[tuple[int, str]]:
    from django.db import connection, transaction

    from tenants.models import Domain, Institution, InstitutionStatus, Municipality

    districts = [
        Municipality.objects.get_or_create(name=f"Bench district {m}")[0]
        for m in range(municipalities)
    ]
    institutions = Institution.objects.bulk_create(
        [
            Institution(
                slug=f"bench-kpi-{i:04d}",
                schema_name=f"bench_kpi_{i:04d}",
                name=f"Bench school {i}",
                short_name=f"Bench {i}",
                kind="school",
                municipality=districts[i % municipalities],
                status=InstitutionStatus.ACTIVE,
            )
            for i in range(count)
        ]
    )
    Domain.objects.bulk_create(
        [Domain(domain=inst.host, tenant=inst, is_primary=True) for inst in institutions]
    )
    for inst in institutions:
        if inst.pk % 50 == 0:
            connection.close()  # clones slow down on one long-lived connection
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT public.clone_schema(%s, %s, 'DATA')", [SEED, inst.schema_name])
    connection.close()
    return [(inst.pk, inst.schema_name) for inst in institutions]


def aggregate(institutions: list[tuple[int, str]]) -> tuple[float, int]:
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from regional.kpis import services
    from regional.kpis.models import AggregationRun
    from regional.kpis.tasks import aggregate_institution

    started = time.perf_counter()
    callbacks: list[object] = []
    with transaction.atomic():
        # The run and its items; the per-institution tasks that would go to the broker on
        # commit are run below in this process instead.
        original = transaction.on_commit
        transaction.on_commit = lambda fn, using=None, robust=False: callbacks.append(fn)  # type: ignore[assignment]
        try:
            run = services.aggregation_run_start(period=time.strftime("%Y-%m"))
        finally:
            transaction.on_commit = original
    for pk, schema_name in institutions:
        with schema_context(schema_name):
            aggregate_institution.apply(kwargs={"run_id": run.pk, "institution_id": pk})
    elapsed = time.perf_counter() - started
    connection.close()
    run = AggregationRun.objects.get(pk=run.pk)
    return elapsed, run.ok_count


def main() -> int:
    args = parse_args()
    url = os.environ.get("BENCH_KPIS_DATABASE_URL", DEFAULT_URL)
    if not benchlib.database_name(url).endswith("_bench_kpis"):
        raise SystemExit("refusing: the database name must end in _bench_kpis")
    benchlib.configure_environment(url)
    benchlib.recreate_database(url)
    try:
        setup_s = benchlib.nastavnik("migrate", "--noinput", log_name="kpis-migrate")
        import django

        django.setup()
        from tenants import schemas

        schemas.sync_template_schema()
        t0 = time.perf_counter()
        fill_seed(args.participants)
        seed_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        institutions = clone_institutions(args.institutions, args.municipalities)
        clone_s = time.perf_counter() - t0
        elapsed, ok = aggregate(institutions)

        from regional.kpis import selectors

        period = selectors.latest_period()
        assert period is not None
        t0 = time.perf_counter()
        summary = selectors.dashboard_summary(period)
        table = selectors.dashboard_institutions(period)
        dashboard_s = time.perf_counter() - t0
        print(
            f"migrate {setup_s:.1f} s; seed schema with {args.participants} participants "
            f"{seed_s:.1f} s"
        )
        print(f"cloned {args.institutions} institution schemas in {clone_s:.1f} s")
        print(
            f"aggregation: {args.institutions} institutions x {args.participants} participants "
            f"in {elapsed:.1f} s ({ok} ok), {args.institutions / elapsed:.1f} schemas/s, "
            f"{elapsed / args.institutions * 1000:.0f} ms per institution (one process)"
        )
        print(
            f"anonymised dashboard (summary + institutions table, {len(summary['indicators'])} "
            f"indicators x {len(table['institutions'])} institutions): {dashboard_s:.2f} s"
        )
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep_db:
            benchlib.drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
