"""Run the benchmarks: ``.venv/bin/python bench/run.py`` (``make bench``).

Every benchmark prints its figures next to a baseline measured in the same run; nothing
asserts on time. They run in a dedicated database (``nastavnik_bench`` on 127.0.0.1:5432, or
BENCH_DATABASE_URL, whose name must end in ``_bench``), which is created and migrated at the
start and dropped at the end. Figures go to ``bench/results/latest.json``."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib

BENCHMARKS = ("provisioning", "migrate", "api", "pages", "surveys")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--only",
        action="append",
        choices=BENCHMARKS,
        help="run only this benchmark (repeatable); default: all",
    )
    parser.add_argument(
        "--institutions",
        type=int,
        default=100,
        help="institutions for the migrate benchmark (default 100)",
    )
    parser.add_argument(
        "--repetitions", type=int, default=5, help="repetitions per provisioning method"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="processes of the multiprocessing executor (default 2)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--seconds", type=int, default=10, help="duration of each wrk run (default 10)"
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=4000,
        help="requests per endpoint with the Python load generator (default 4000)",
    )
    parser.add_argument(
        "--loadgen",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if installed (auto), or the Python client",
    )
    parser.add_argument(
        "--users", type=int, default=10, help="concurrent users of the pages benchmark (10)"
    )
    parser.add_argument(
        "--page-requests",
        type=int,
        default=30,
        help="requests per user and page in the pages benchmark (default 30)",
    )
    parser.add_argument(
        "--threads", type=int, default=4, help="gunicorn threads per worker for pages (4)"
    )
    parser.add_argument(
        "--learners", type=int, default=1500, help="pupils of the pages benchmark's school (1500)"
    )
    parser.add_argument(
        "--api-learners",
        type=int,
        default=600,
        help="pupils of the API benchmark's school (600; its lists show 50 rows a page)",
    )
    parser.add_argument(
        "--answers-per-user",
        type=int,
        default=10,
        help="invitations each of the 30 pupils answers in the surveys benchmark (10)",
    )
    parser.add_argument(
        "--staff", type=int, default=150, help="teachers of the pages benchmark's school (150)"
    )
    parser.add_argument(
        "--role",
        action="append",
        dest="roles",
        help="measure only this role's pages (repeatable): coordinator, curator, director, "
        "mentor, mentee, parent, regional_staff, employer; default: all",
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="do not drop the bench database at the end"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=benchlib.RESULTS_DIR / "latest.json",
        help="where to write the figures as JSON",
    )
    return parser.parse_args(argv)


def prepare_database(url: str) -> float:
    benchlib.heading(f"Preparing database {benchlib.database_name(url)}")
    benchlib.recreate_database(url)
    seconds = benchlib.nastavnik("migrate", "--noinput", log_name="setup-migrate")
    benchlib.line(f"created and migrated (public + template) in {seconds:.1f} s")
    return seconds


def summary_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    prov = results.get("provisioning")
    if prov:
        rows.append(
            (
                "provision one schema",
                f"clone {prov['clone_from_template']['median_s'] * 1000:.0f} ms",
                f"migrate {prov['migrate_from_zero']['median_s'] * 1000:.0f} ms",
                f"{prov['clone_speedup']:.2f}x faster",
            )
        )
        svc = prov["service_path"]
        rows.append(
            (
                "institution_create+provision",
                f"{svc['total']['median_s'] * 1000:.0f} ms",
                f"clone {prov['clone_from_template']['median_s'] * 1000:.0f} ms",
                f"{benchlib.ratio(svc['total']['median_s'], prov['clone_from_template']['median_s']):.2f}x the clone",  # noqa: E501
            )
        )
    mig = results.get("migrate")
    if mig:
        n = mig["institutions"]
        rows.append(
            (
                f"migrate_schemas, {n} inst., no-op",
                f"multiproc {mig['noop_multiprocessing_s']:.1f} s",
                f"standard {mig['noop_standard_s']:.1f} s",
                f"{mig['noop_speedup']:.2f}x faster",
            )
        )
        rows.append(
            (
                f"migrate_schemas, {n} inst., 1 migr.",
                f"multiproc {mig['work_multiprocessing_s']:.1f} s",
                f"standard {mig['work_standard_s']:.1f} s",
                f"{mig['work_speedup']:.2f}x faster",
            )
        )
    api = results.get("api")
    if api:
        for figures in api.get("lists", {}).values():
            rows.append(
                (
                    f"GET {figures['path']}",
                    f"{figures['api']['requests_per_s']:.0f} req/s",
                    f"bare {figures['bare']['requests_per_s']:.0f} req/s",
                    f"{figures['api_to_bare'] * 100:.1f}% of bare",
                )
            )
    surveys = results.get("surveys")
    if surveys and "launch" in surveys:
        launch, answering = surveys["launch"], surveys["answering"]
        rows.append(
            (
                f"campaign launch, {launch['recipients']} people",
                f"median {launch['median_ms']:.0f} ms",
                f"bare {launch['bare_median_ms']:.1f} ms",
                f"{benchlib.ratio(launch['median_ms'], launch['bare_median_ms']):.0f}x bare",
            )
        )
        rows.append(
            (
                f"{answering['users']} pupils answering at once",
                f"{answering['submissions_per_s']:.0f} submissions/s",
                f"bare {answering['bare']['requests_per_s']:.0f} req/s",
                f"POST p95 {answering['post_p95_ms']:.0f} ms",
            )
        )
    pages = results.get("pages")
    if pages:
        bare = pages["bare"]
        for page in [pages["login"], *pages["pages"]]:
            rows.append(
                (
                    f"page {page.get('role', '')} {page['name']}".replace("  ", " "),
                    f"p50 {page['median_ms']:.0f} ms, p95 {page['p95_ms']:.0f} ms, "
                    f"{page['requests_per_s']:.0f} req/s",
                    f"bare p50 {page.get('bare_median_ms') or bare['median_ms']:.0f} ms",
                    f"{benchlib.ratio(page['median_ms'], page.get('bare_median_ms') or bare['median_ms']):.1f}x bare p50",  # noqa: E501
                )
            )
    return rows


def print_summary(rows: list[tuple[str, str, str, str]]) -> None:
    header = ("benchmark", "measured", "baseline (same run)", "ratio")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    benchlib.heading("Summary")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    selected = tuple(args.only) if args.only else BENCHMARKS
    url = benchlib.database_url()
    benchlib.configure_environment(url)
    started = time.perf_counter()
    results: dict[str, Any] = {}
    meta: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "postgres": benchlib.server_version(url),
        "database": benchlib.database_name(url),
        "benchmarks": list(selected),
    }
    try:
        meta["setup_s"] = prepare_database(url)

        import django

        django.setup()
        meta["django"] = django.get_version()

        if "provisioning" in selected:
            import provisioning

            results["provisioning"] = provisioning.run(repetitions=args.repetitions)
        if "migrate" in selected:
            import schema_migrations

            results["migrate"] = schema_migrations.run(
                institutions=args.institutions, processes=args.processes
            )
        if "api" in selected:
            import api_throughput

            results["api"] = api_throughput.run(
                workers=args.workers,
                seconds=args.seconds,
                requests=args.requests,
                tool=args.loadgen,
                learners=args.api_learners,
            )
        if "pages" in selected:
            import pages

            results["pages"] = pages.run(
                users=args.users,
                per_user=args.page_requests,
                workers=args.workers,
                threads=args.threads,
                learners=args.learners,
                staff=args.staff,
                roles=tuple(args.roles) if args.roles else pages.ROLES,
            )
        if "surveys" in selected:
            import surveys_load

            results["surveys"] = surveys_load.run(
                workers=args.workers,
                threads=args.threads,
                learners=args.learners,
                per_user=args.answers_per_user,
            )
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep_db:
            benchlib.drop_database(url)
    meta["total_s"] = time.perf_counter() - started
    print_summary(summary_rows(results))
    print(f"\n  total {meta['total_s']:.0f} s; figures in {args.output}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps({"meta": meta, "results": results}, indent=2, ensure_ascii=False) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
