"""KPI aggregation and the regional dashboard over a region of many institutions:
``.venv/bin/python bench/aggregation.py -n 2000 --participants 1000 [--reuse]``.

Standalone. In a dedicated database (``nastavnik_bench_kpis``, or BENCH_KPIS_DATABASE_URL whose
name must end in ``_bench_kpis``) it migrates and seeds ONE institution's schema (cloned from
the template, then filled through the apps' bulk services with ``--participants`` people:
learners, teachers, young teachers, employers' specialists; consents; mentee and mentor
profiles; pairs and groups; a programme with its headcount and default roadmap). The other
``-n`` − 1 institutions get a copy of that schema: the first ``--clone-baseline`` by the
project's clone function (``public.clone_schema``, data included; the baseline), the rest by
``pg_dump`` of the seed replayed with ``psql`` under each new name (rows by COPY; ``--batch``
schemas per ``psql`` session, one transaction each, ``--processes`` sessions at a time).
``--reuse`` keeps the region for the next call and reuses a region made before with the same
``-n`` and ``--participants`` (the generation is the slow part); without it the database is
dropped at the end, also after a failure (``--keep`` keeps it once).

Then it times the aggregation, each time a whole run (``aggregation_run_start`` and one
``aggregate_institution`` task body per institution, run with ``task.apply`` inside the
institution's schema, as a worker runs it), counting each institution's queries:

* a small baseline: the first ``--baseline`` institutions, serially (per-schema time at 10 vs N);
* all institutions fanned out to ``--processes`` worker processes (a worker's concurrency);
* with ``--serial``, all institutions serially in this process too.

and then the regional dashboard page (``/kpis/``: regional staff, the whole region) and the
municipal one (a municipal education department's account, its municipality), ``--requests``
requests each through the Django test client (one at a time, the server's settings), p50 and
p95 against the bare view (``/bench/bare/``, the same middleware) of the same run. Prints the
machine's load with the figures."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import benchlib  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/nastavnik_bench_kpis"
SEED = "bench_kpi_0000"  # institution 0's schema: filled once, then cloned


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", "--institutions", type=int, default=300)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--municipalities", type=int, default=40)
    parser.add_argument(
        "--processes", type=int, default=2, help="copy and fan-out processes (default 2)"
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
    parser.add_argument("--batch", type=int, default=25, help="schemas per psql session")
    parser.add_argument("--serial", action="store_true", help="also time a whole serial run")
    parser.add_argument(
        "--requests", type=int, default=30, help="requests per dashboard page (p50, p95)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse a region generated before with the same -n and --participants, and keep it",
    )
    parser.add_argument("--keep", "--keep-db", action="store_true", help="keep the database")
    return parser.parse_args()


def fill_seed(participants: int) -> dict[str, int]:
    """Institution 0's schema: cloned from the template, then filled through the apps' bulk
    services (a few queries per thousand rows) and the per-row consent register. Returns the
    row counts made."""
    import datetime

    from django.db import transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from accounts.actor import Actor
    from regional.kpis.metrics import academic_year_of
    from schools.pairs import api as pairs_api
    from schools.participants import api
    from schools.programmes import services as programme_services
    from tenants import schemas

    BENCH_ACTOR = Actor.system("bench")

    with schema_context("public"), transaction.atomic():
        schemas.lock_template_for_transaction()
        schemas.clone_from_template(SEED)
    today = timezone.localdate()
    with schema_context(SEED):
        programme = programme_services.programme_create(
            actor=BENCH_ACTOR,
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
            ids = api.participants_create_many(rows=rows, actor=BENCH_ACTOR)
        for pk in ids:
            api.consent_record(
                actor=Actor.system("bench"),
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
                ],
                actor=BENCH_ACTOR,
            )
            api.mentee_profiles_upsert_many(
                rows=[
                    api.MenteeProfileData(participant_id=pk)
                    for group in mentees.values()
                    for pk in group
                ],
                actor=BENCH_ACTOR,
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
                        actor=BENCH_ACTOR,
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


PSQL = ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"]


def restore_seed(url: str, schema_names: list[str], processes: int, batch: int) -> list[float]:
    """Copy the seed into ``schema_names`` by ``pg_dump`` of the seed schema (once, schema and
    data) replayed by ``psql`` with the schema's name replaced: ``batch`` schemas per ``psql``
    session, one transaction per schema (asynchronous commit: a bench database),
    ``processes`` sessions at a time. The same result as the clone function (tables, identity
    sequences and their values, indexes, constraints, the consent register's trigger, the
    rows: COPY), without the clone function's catalogue queries per object. Per-schema
    seconds (a session's time shared among its schemas)."""
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
    # pg_dump's preamble empties the search path for the session: each copy sets its own.
    batches = [schema_names[k : k + batch] for k in range(0, len(schema_names), batch)]

    def restore(names: list[str]) -> list[float]:
        script = "SET synchronous_commit = off;\n" + "".join(
            f"BEGIN;\n{dump.replace(SEED, name)}\nCOMMIT;\n" for name in names
        )
        started = time.perf_counter()
        subprocess.run(
            [*PSQL, "--dbname", conninfo], input=script, check=True, capture_output=True, text=True
        )
        return [(time.perf_counter() - started) / len(names)] * len(names)

    with ThreadPoolExecutor(processes) as pool:
        return [t for times in pool.map(restore, batches) for t in times]


def check_copies(schema_names: list[str]) -> None:
    """Every copy holds the seed's rows (participants, consents, pairs)."""
    from django.db import connection

    tables = ("participants_participant", "participants_consent", "pairs_pair")
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{SEED}"."{table}"')
            expected = cursor.fetchone()[0]
            for k in range(0, len(schema_names), 200):
                chunk = schema_names[k : k + 200]
                cursor.execute(
                    " UNION ALL ".join(
                        f'SELECT \'{name}\', count(*) FROM "{name}"."{table}"' for name in chunk
                    )
                )
                for name, count in cursor.fetchall():
                    if count != expected:
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


def _aggregate_share(args: tuple[int, list[tuple[int, str]]]) -> list[tuple[float, int, int]]:
    """One worker process: the ``aggregate_institution`` task body for each institution, in
    its schema, as a Celery worker runs it (``task.apply``). Per institution: seconds, the
    queries it issued and the statements that are not queries (the schema's search path)."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from regional.kpis.tasks import aggregate_institution

    run_id, institutions = args
    seen = {"queries": 0, "other": 0}

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen["other" if sql.startswith("SET ") else "queries"] += 1
        return execute(sql, params, many, context)

    times = []
    for pk, schema_name in institutions:
        seen.update(queries=0, other=0)
        started = time.perf_counter()
        with connection.execute_wrapper(count), schema_context(schema_name):
            result = aggregate_institution.apply(kwargs={"run_id": run_id, "institution_id": pk})
        if result.failed():
            raise RuntimeError(f"institution {pk}: {result.result!r}")
        times.append((time.perf_counter() - started, seen["queries"], seen["other"]))
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

    from accounts.actor import Actor
    from regional.kpis import services
    from regional.kpis.models import AggregationRun

    ids = {pk for pk, _schema in institutions}
    started = time.perf_counter()
    with transaction.atomic():
        original = transaction.on_commit
        transaction.on_commit = lambda fn, using=None, robust=False: None  # type: ignore[assignment]
        try:
            run = services.aggregation_run_start(period=period, actor=Actor.system("bench"))
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
    return {
        "elapsed": elapsed,
        "ok": ok,
        "times": [t for t, _q, _o in times],
        "queries": [q for _t, q, _o in times],
        "other": [o for _t, _q, o in times],
    }


def _per_schema(result: dict[str, Any]) -> str:
    times = sorted(result["times"])
    median = statistics.median(times) * 1000
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))] * 1000
    return (
        f"median {median:.0f} ms, p95 {p95:.0f} ms per institution; "
        f"{statistics.median(result['queries']):.0f} queries per institution "
        f"(max {max(result['queries'])}; and {statistics.median(result['other']):.0f} "
        f"SET search_path)"
    )


def region_ready(institutions: int, participants: int) -> bool:
    """A region generated before with this size (``--reuse``): the institutions' rows, the
    last copy's schema and the seed's people."""
    from django.db import connection

    from tenants.models import Institution

    try:
        count = Institution.objects.filter(slug__startswith="bench-kpi-").count()
        last = f"bench_kpi_{institutions - 1:04d}" if institutions > 1 else SEED
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{last}"."participants_participant"')
            people = cursor.fetchone()[0]
    except Exception:  # no such table or schema: not ready
        connection.close()
        return False
    return count == institutions and people == participants


def generate(args: argparse.Namespace, url: str) -> list[tuple[int, str]]:
    """The region: the seed institution filled through the services, copies of it."""
    t0 = time.perf_counter()
    made = fill_seed(args.participants)
    seed_s = time.perf_counter() - t0
    print(
        f"seed institution: {made['participants']} participants ({made['mentors']} mentors, "
        f"{made['mentees']} mentees, {made['pairs']} pairs, consents, a programme with its "
        f"roadmap) in {seed_s:.1f} s",
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
    restore_times = restore_seed(url, copies[len(by_function) :], args.processes, args.batch)
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
            f"copies of the seed by pg_dump + psql ({args.processes} sessions at a time, "
            f"{args.batch} schemas each): {len(restore_times)} in {restore_s:.1f} s "
            f"({len(restore_times) / restore_s:.2f} schemas/s, "
            f"{statistics.median(restore_times):.2f} s per schema); load average "
            f"{_load()}",
            flush=True,
        )
    return institutions


def _months_back(k: int) -> str:
    """``YYYY-MM`` of the month ``k`` months before this one."""
    today = time.localtime()
    index = today.tm_year * 12 + today.tm_mon - 1 - k
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _quantiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, max(0, round(len(ordered) * 0.95) - 1))]
    return statistics.median(ordered) * 1000, p95 * 1000


def dashboards(requests: int) -> None:
    """The regional dashboard (regional staff) and the municipal one (a municipal account,
    its municipality) through the test client, one request at a time after a first request
    (which publishes the history into the cache), against the bare view of the same run."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.actor import Actor
    from accounts.models import Role, User
    from accounts.services import user_create
    from tenants import services as tenant_services
    from tenants.models import Institution

    host = settings.BASE_DOMAIN
    municipality_id = (
        Institution.objects.filter(slug__startswith="bench-kpi-")
        .values_list("municipality_id", flat=True)
        .get(slug="bench-kpi-0000")
    )
    clients: dict[str, Client] = {}
    for role, username in ((Role.REGIONAL_STAFF, "bench-staff"), (Role.MUNICIPAL, "bench-muni")):
        user = User.objects.filter(username=username).first() or user_create(
            username=username,
            role=role,
            password="bench-pass-1",
            email=f"{username}@bench.test",
            actor=Actor.system("bench"),
        )
        if role == Role.MUNICIPAL:
            tenant_services.municipal_access_grant(
                user=user, municipality_id=municipality_id, actor=Actor.system("bench")
            )
        client = Client(HTTP_HOST=host, raise_request_exception=True)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
        client.force_login(user, backend="accounts.backends.InstitutionAwareBackend")
        clients[role] = client
    bare = Client(HTTP_HOST=host)
    pages = [
        ("bare view (/bench/bare/)", bare, "/bench/bare/"),
        ("regional dashboard (/kpis/, the region)", clients[Role.REGIONAL_STAFF], "/kpis/"),
        ("municipal dashboard (/kpis/, its municipality)", clients[Role.MUNICIPAL], "/kpis/"),
    ]
    for label, client, path in pages:
        started = time.perf_counter()
        response = client.get(path)
        first_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            times.append(time.perf_counter() - started)
        p50, p95 = _quantiles(times)
        print(
            f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {requests} requests "
            f"({len(queries)} queries, {len(response.content) / 1024:.0f} KiB; the first "
            f"request {first_ms:.0f} ms); load average {_load()}",
            flush=True,
        )


def main() -> int:
    args = parse_args()
    url = os.environ.get("BENCH_KPIS_DATABASE_URL", DEFAULT_URL)
    if not benchlib.database_name(url).endswith("_bench_kpis"):
        raise SystemExit("refusing: the database name must end in _bench_kpis")
    if args.institutions < 1 or args.processes < 1:
        raise SystemExit("-n and --processes must be at least 1")
    benchlib.configure_environment(url)
    # The server's settings (DEBUG off) and the bare view routed (bench_urls_public).
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    print(
        f"machine: {os.cpu_count()} cores, load average at start {_load()}; PostgreSQL "
        f"{benchlib.server_version(url) if database_exists(url) else '(no database yet)'}",
        flush=True,
    )
    keep = args.keep or args.reuse
    try:
        import django

        reused = False
        if args.reuse and database_exists(url):
            django.setup()
            reused = region_ready(args.institutions, args.participants)
            from django.db import connections

            connections.close_all()
        if reused:
            print(
                f"reusing the region generated before: {args.institutions} institutions x "
                f"{args.participants} participants",
                flush=True,
            )
        else:
            benchlib.recreate_database(url)
            setup_s = benchlib.nastavnik("migrate", "--noinput", log_name="kpis-migrate")
            print(f"migrate {setup_s:.1f} s", flush=True)
        django.setup()
        from config.cache import create_cache_table
        from tenants import schemas
        from tenants.models import Institution

        if not reused:
            schemas.sync_template_schema()
            create_cache_table()  # the dashboard caches published periods
            institutions = generate(args, url)
        else:
            institutions = list(
                Institution.objects.filter(slug__startswith="bench-kpi-")
                .order_by("pk")
                .values_list("pk", "schema_name")
            )

        # Three periods: the baseline two months back, the serial run last month, the fan-out
        # this month (the dashboard's latest period: every institution).
        month, last_month, two_back = _months_back(0), _months_back(1), _months_back(2)
        n = args.institutions
        small = institutions[: min(args.baseline, n)]
        baseline = aggregate(small, period=two_back, processes=1)
        print(
            f"aggregation baseline, {len(small)} institutions, serial: {baseline['elapsed']:.1f} s "
            f"({baseline['ok']} ok), {_per_schema(baseline)}",
            flush=True,
        )
        if args.serial:
            serial = aggregate(institutions, period=last_month, processes=1)
            print(
                f"aggregation, {n} institutions x {args.participants} participants, serial (one "
                f"process): {serial['elapsed']:.1f} s ({serial['ok']} ok), "
                f"{n / serial['elapsed']:.2f} schemas/s, {_per_schema(serial)}",
                flush=True,
            )
        fanout = aggregate(institutions, period=month, processes=args.processes)
        print(
            f"aggregation, {n} institutions x {args.participants} participants, fan-out to "
            f"{args.processes} worker processes: {fanout['elapsed']:.1f} s ({fanout['ok']} ok), "
            f"{n / fanout['elapsed']:.2f} schemas/s, {_per_schema(fanout)}; load average "
            f"{_load()}",
            flush=True,
        )
        dashboards(args.requests)
        print(f"load average at the end {_load()}", flush=True)
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not keep:
            benchlib.drop_database(url)
            print("dropped the bench database (every schema in it)", flush=True)
        else:
            print(f"kept the bench database {benchlib.database_name(url)}", flush=True)
    return 0


def database_exists(url: str) -> bool:
    import psycopg

    name = benchlib.database_name(url)
    conninfo = benchlib.maintenance_url(url).replace("postgres://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


if __name__ == "__main__":
    sys.exit(main())
