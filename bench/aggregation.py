"""KPI aggregation over many institutions: ``.venv/bin/python bench/aggregation.py [-n 300]``.

Standalone. In a dedicated database (``nastavnik_bench_kpis``, or BENCH_KPIS_DATABASE_URL whose
name must end in ``_bench_kpis``) it migrates and seeds ONE institution's schema (cloned from
the template, then filled through the apps' bulk services with ``--participants`` people:
learners, teachers, young teachers, employers' specialists; consents; mentee and mentor
profiles; pairs and groups; a programme with its headcount and default roadmap). The other
``-n`` − 1 institutions get a copy of that schema by the project's clone function
(``public.clone_schema``, data included) for the first ``--clone-baseline`` copies, and by
``pg_dump`` of the seed replayed with ``psql`` under each new name (COPY for the rows,
``--processes`` at a time) for the rest, about twice as fast per schema. Then it times the
aggregation, each time a whole run (``aggregation_run_start`` and one ``aggregate_institution``
task body per institution, run with ``task.apply`` inside the institution's schema, as a worker
runs it):

* a small baseline: the first ``--baseline`` institutions, serially (per-schema time at 10 vs N);
* all institutions serially, in this process;
* all institutions fanned out to ``--processes`` worker processes (a worker's concurrency).

and the anonymised dashboard over the result. Prints figures and the machine's load; drops the
database (and with it every schema it made) at the end, also after a failure."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from accounts.actor import Actor

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import benchlib  # noqa: E402

BENCH_ACTOR = Actor.system("bench")

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/nastavnik_bench_kpis"
SEED = "bench_kpi_0000"  # institution 0's schema: filled once, then cloned


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", "--institutions", type=int, default=300)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--municipalities", type=int, default=30)
    parser.add_argument(
        "--processes", type=int, default=2, help="clone and fan-out processes (default 2)"
    )
    parser.add_argument(
        "--baseline", type=int, default=10, help="institutions of the small serial baseline"
    )
    parser.add_argument(
        "--clone-baseline",
        type=int,
        default=3,
        help="copies made by the clone function (the rest by pg_dump + psql)",
    )
    parser.add_argument("--keep-db", action="store_true")
    return parser.parse_args()


def fill_seed(participants: int) -> dict[str, int]:
    """Institution 0's schema: cloned from the template, then filled through the apps' bulk
    services (a few queries per thousand rows) and the per-row consent register. Returns the
    row counts made."""
    import datetime

    from django.db import transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from regional.kpis.metrics import academic_year_of
    from schools.pairs import api as pairs_api
    from schools.participants import api
    from schools.programmes import services as programme_services
    from tenants import schemas

    with schema_context("public"), transaction.atomic():
        schemas.lock_template_for_transaction()
        schemas.clone_from_template(SEED)
    today = timezone.localdate()
    with schema_context(SEED):
        programme = programme_services.programme_create(
            academic_year=academic_year_of(today),
            title="Программа",
            forms=["student_student", "teacher_teacher", "employer_student"],
            status="active",
            headcount_learners=int(participants * 0.85),
            headcount_teachers=int(participants * 0.1),
            headcount_young_teachers=max(1, participants // 50),
        )
        rows: list[api.NewParticipant] = []
        for n in range(participants):
            if n % 20 == 0:
                category, birth, young = "teacher", 30, n % 40 == 0
            elif n % 33 == 0:
                category, birth, young = "employer_specialist", 40, False
            else:
                category, birth, young = "student", 19, False
            rows.append(
                api.NewParticipant(
                    last_name=f"Участник{n}",
                    first_name="Имя",
                    category=category,
                    is_young_specialist=young,
                    birth_date=today - datetime.timedelta(days=365 * birth + 30),
                )
            )
        with transaction.atomic():
            ids = api.participants_create_many(rows=rows)
        for pk in ids:
            api.consent_record(
                actor=BENCH_ACTOR,
                participant_id=pk,
                kind="grant",
                signed_by="self",
                signed_on=today,
                method="paper_scan",
            )
        mentors: dict[str, list[int]] = {"student": [], "teacher": [], "employer_specialist": []}
        mentees: dict[str, list[int]] = {"student": [], "teacher": []}
        for n, (pk, row) in enumerate(zip(ids, rows, strict=True)):
            if (row.category == "student" and n % 9 == 0) or row.category == (
                "employer_specialist"
            ):
                mentors[row.category].append(pk)
            elif row.category == "teacher" and not row.is_young_specialist:
                mentors["teacher"].append(pk)
            elif n % 3:
                mentees[row.category].append(pk)
        with transaction.atomic():
            api.mentor_profiles_upsert_many(
                rows=[
                    api.MentorProfileData(participant_id=pk, capacity=2)
                    for group in mentors.values()
                    for pk in group
                ]
            )
            api.mentee_profiles_upsert_many(
                rows=[
                    api.MenteeProfileData(participant_id=pk)
                    for group in mentees.values()
                    for pk in group
                ]
            )
        # Pairs for about half of the mentees: students with student and employer mentors,
        # young teachers with teachers (one or two mentees each).
        pairs = 0
        plan = [
            ("student_student", mentors["student"], mentees["student"]),
            ("employer_student", mentors["employer_specialist"], mentees["student"][200:]),
            ("teacher_teacher", mentors["teacher"], mentees["teacher"]),
        ]
        with transaction.atomic():
            for form, mentor_ids, mentee_ids in plan:
                for k, mentor_id in enumerate(mentor_ids):
                    group = mentee_ids[2 * k : 2 * k + 1 + k % 2]
                    if not group:
                        break
                    pairs_api.pair_create(
                        programme_id=programme.pk,
                        mentor_participant_id=mentor_id,
                        mentee_participant_ids=group,
                        form=form,
                    )
                    pairs += 1
    return {
        "participants": len(ids),
        "mentors": sum(len(group) for group in mentors.values()),
        "mentees": sum(len(group) for group in mentees.values()),
        "pairs": pairs,
    }


def institutions_create(count: int, municipalities: int) -> list[tuple[int, str]]:
    """``count`` active institutions (rows and domains only) in ``municipalities``
    municipalities; institution 0's schema is the seed, the others are cloned from it."""
    from tenants.models import Domain, Institution, InstitutionStatus, Municipality

    districts = [
        Municipality.objects.get_or_create(name=f"Bench district {m}")[0]
        for m in range(municipalities)
    ]
    institutions = Institution.objects.bulk_create(
        [
            Institution(
                slug=f"bench-kpi-{i:04d}",
                schema_name=SEED if i == 0 else f"bench_kpi_{i:04d}",
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
    return [(inst.pk, inst.schema_name) for inst in institutions]


def _clone_share(schema_names: list[str]) -> list[float]:
    """Clone the seed into each schema (one process of the pool): the project's clone function
    (``public.clone_schema``, installed by ``tenants.schemas``), one transaction and a fresh
    connection per clone (a long-lived connection slows the clone down, see Findings)."""
    from django.db import connection, transaction

    times = []
    for name in schema_names:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT public.clone_schema(%s, %s, 'DATA')", [SEED, name])
        connection.close()
        times.append(time.perf_counter() - started)
    return times


def clone_seed(schema_names: list[str], processes: int) -> list[float]:
    """Clone the seed into ``schema_names`` with ``processes`` processes; per-clone seconds."""
    from django.db import connections

    if not schema_names:
        return []
    connections.close_all()
    shares = [schema_names[k::processes] for k in range(processes)]
    with _pool(processes) as pool:
        results = pool.map(_clone_share, [share for share in shares if share])
    return [t for share in results for t in share]


PSQL = ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-o", "/dev/null"]


def restore_seed(url: str, schema_names: list[str], processes: int) -> list[float]:
    """Copy the seed into ``schema_names`` by ``pg_dump`` of the seed schema (once, schema and
    data) replayed by ``psql`` with the schema's name replaced, one transaction per schema,
    ``processes`` at a time. The same result as the clone function (tables, identity sequences
    and their values, indexes, constraints, the consent register's trigger, the rows: COPY),
    without the clone function's catalogue queries per object. Per-schema seconds."""
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    conninfo = url.replace("postgres://", "postgresql://", 1)
    dump = subprocess.run(
        ["pg_dump", "--dbname", conninfo, "--schema", SEED, "--no-owner", "--no-privileges"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if SEED not in dump:
        raise RuntimeError("pg_dump returned no seed schema")

    def restore(name: str) -> float:
        started = time.perf_counter()
        subprocess.run(
            [*PSQL, "--dbname", conninfo],
            input=dump.replace(SEED, name),
            check=True,
            capture_output=True,
            text=True,
        )
        return time.perf_counter() - started

    with ThreadPoolExecutor(processes) as pool:
        return list(pool.map(restore, schema_names))


def check_copies(schema_names: list[str]) -> None:
    """Every copy holds the seed's rows (participants, consents, pairs)."""
    from django.db import connection

    tables = ("participants_participant", "participants_consent", "pairs_pair")
    with connection.cursor() as cursor:
        expected = []
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{SEED}"."{table}"')
            expected.append(cursor.fetchone()[0])
        for name in schema_names:
            for table, count in zip(tables, expected, strict=True):
                cursor.execute(f'SELECT count(*) FROM "{name}"."{table}"')
                if cursor.fetchone()[0] != count:
                    raise RuntimeError(f"{name}.{table} differs from the seed")


def _pool(processes: int) -> Any:
    import multiprocessing

    from django.db import connections

    connections.close_all()  # children open their own connections
    return multiprocessing.get_context("fork").Pool(processes, initializer=_child_init)


def _child_init() -> None:
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.inc_thread_sharing()
        conn.close()


def _aggregate_share(args: tuple[int, list[tuple[int, str]]]) -> list[float]:
    """One worker process: the ``aggregate_institution`` task body for each institution, in
    its schema, as a Celery worker runs it (``task.apply``). Per-institution seconds."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from regional.kpis.tasks import aggregate_institution

    run_id, institutions = args
    times = []
    for pk, schema_name in institutions:
        started = time.perf_counter()
        with schema_context(schema_name):
            result = aggregate_institution.apply(kwargs={"run_id": run_id, "institution_id": pk})
        if result.failed():
            raise RuntimeError(f"institution {pk}: {result.result!r}")
        times.append(time.perf_counter() - started)
    connection.close()
    return times


def aggregate(
    institutions: list[tuple[int, str]], *, period: str, processes: int
) -> dict[str, Any]:
    """A whole run for ``period``: ``aggregation_run_start`` (run and item rows; the tasks it
    would send to the broker on commit are dropped) and then the per-institution task bodies
    in ``processes`` worker processes (1: serial in this process). Wall-clock seconds from the
    start of the run to the last snapshot, and per-institution task times."""
    from django.db import connection, transaction

    from regional.kpis import services
    from regional.kpis.models import AggregationRun

    ids = {pk for pk, _schema in institutions}
    started = time.perf_counter()
    with transaction.atomic():
        original = transaction.on_commit
        transaction.on_commit = lambda fn, using=None, robust=False: None  # type: ignore[assignment]
        try:
            run = services.aggregation_run_start(period=period)
        finally:
            transaction.on_commit = original
    if processes == 1:
        times = _aggregate_share((run.pk, institutions))
    else:
        shares = [(run.pk, institutions[k::processes]) for k in range(processes)]
        with _pool(processes) as pool:
            times = [t for share in pool.map(_aggregate_share, shares) for t in share]
    elapsed = time.perf_counter() - started
    connection.close()
    run = AggregationRun.objects.get(pk=run.pk)
    # Institutions outside ``institutions`` (a subset run) stay pending: count ours only.
    ok = run.items.filter(institution_id__in=ids, status="ok").count()
    return {"elapsed": elapsed, "ok": ok, "times": times}


def _per_schema(result: dict[str, Any]) -> str:
    times = sorted(result["times"])
    median = statistics.median(times) * 1000
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))] * 1000
    return f"median {median:.0f} ms, p95 {p95:.0f} ms per institution"


def main() -> int:
    args = parse_args()
    url = os.environ.get("BENCH_KPIS_DATABASE_URL", DEFAULT_URL)
    if not benchlib.database_name(url).endswith("_bench_kpis"):
        raise SystemExit("refusing: the database name must end in _bench_kpis")
    if args.institutions < 1 or args.processes < 1:
        raise SystemExit("-n and --processes must be at least 1")
    benchlib.configure_environment(url)
    benchlib.recreate_database(url)
    print(
        f"machine: {os.cpu_count()} cores, load average at start "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; PostgreSQL "
        f"{benchlib.server_version(url)}",
        flush=True,
    )
    try:
        setup_s = benchlib.nastavnik("migrate", "--noinput", log_name="kpis-migrate")
        import django

        django.setup()
        from config.cache import create_cache_table
        from tenants import schemas

        schemas.sync_template_schema()
        create_cache_table()  # the dashboard caches published periods
        t0 = time.perf_counter()
        made = fill_seed(args.participants)
        seed_s = time.perf_counter() - t0
        print(
            f"migrate {setup_s:.1f} s; seed institution: {made['participants']} participants "
            f"({made['mentors']} mentors, {made['mentees']} mentees, {made['pairs']} pairs, "
            f"consents, a programme with its roadmap) in {seed_s:.1f} s",
            flush=True,
        )
        institutions = institutions_create(args.institutions, args.municipalities)
        copies = [name for _pk, name in institutions[1:]]
        # The baseline: the first few copies by the project's clone function (serially, a new
        # connection each); the rest by dump and replay, in parallel.
        by_function = copies[: args.clone_baseline]
        t0 = time.perf_counter()
        clone_times = clone_seed(by_function, 1)
        clone_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        restore_times = restore_seed(url, copies[len(by_function) :], args.processes)
        restore_s = time.perf_counter() - t0
        check_copies(copies)
        if clone_times:
            print(
                f"copies of the seed by the clone function (serial): {len(clone_times)} in "
                f"{clone_s:.1f} s, median {statistics.median(clone_times):.2f} s per schema",
                flush=True,
            )
        if restore_times:
            print(
                f"copies of the seed by pg_dump + psql ({args.processes} at a time): "
                f"{len(restore_times)} in {restore_s:.1f} s ({len(restore_times) / restore_s:.2f} "
                f"schemas/s), median {statistics.median(restore_times):.2f} s per schema",
                flush=True,
            )

        month = time.strftime("%Y-%m")
        n = args.institutions
        small = institutions[: min(args.baseline, n)]
        baseline = aggregate(small, period=f"{month}-01", processes=1)
        serial = aggregate(institutions, period=f"{month}-02", processes=1)
        fanout = aggregate(institutions, period=f"{month}-03", processes=args.processes)
        print(
            f"aggregation baseline, {len(small)} institutions, serial: {baseline['elapsed']:.1f} s "
            f"({baseline['ok']} ok), {_per_schema(baseline)}"
        )
        print(
            f"aggregation, {n} institutions x {args.participants} participants, serial (one "
            f"process): {serial['elapsed']:.1f} s ({serial['ok']} ok), "
            f"{n / serial['elapsed']:.2f} schemas/s, {_per_schema(serial)}"
        )
        print(
            f"aggregation, {n} institutions x {args.participants} participants, fan-out to "
            f"{args.processes} worker processes: {fanout['elapsed']:.1f} s ({fanout['ok']} ok), "
            f"{n / fanout['elapsed']:.2f} schemas/s, {_per_schema(fanout)}; "
            f"{serial['elapsed'] / fanout['elapsed']:.2f}x the serial rate",
            flush=True,
        )

        from regional.kpis import selectors

        period = f"{month}-03"
        t0 = time.perf_counter()
        summary = selectors.dashboard_summary(period)
        table = selectors.dashboard_institutions(period)
        lagging = selectors.lagging_institutions(period=period)
        dashboard_s = time.perf_counter() - t0
        print(
            f"anonymised dashboard (summary + institutions table + lagging per stage, "
            f"{len(summary['indicators'])} indicators x {len(table['institutions'])} "
            f"institutions, 3 periods of snapshots): {dashboard_s:.2f} s; "
            f"lagging on stage 1: {len(lagging[0]['lagging'])}"
        )
        # The same again: the published period now comes from the cache (baseline: the above).
        t0 = time.perf_counter()
        selectors.dashboard_summary(period)
        selectors.dashboard_institutions(period)
        selectors.lagging_institutions(period=period)
        warm_s = time.perf_counter() - t0
        print(
            f"the same dashboard again, published period cached: {warm_s:.2f} s "
            f"({dashboard_s / warm_s:.1f}x faster than the first)",
            flush=True,
        )
        print(
            f"load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
            flush=True,
        )
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep_db:
            benchlib.drop_database(url)
            print("dropped the bench database (every schema in it)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
