"""Shared helpers of the benchmarks: the dedicated database, subprocess environment, timing.

Everything here runs before Django is set up, so that the process (and every subprocess it
starts) points at the bench database and never at ``nastavnik`` or the test database."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
LOG_DIR = RESULTS_DIR / "logs"
VENV_BIN = REPO_ROOT / ".venv" / "bin"
NASTAVNIK = VENV_BIN / "nastavnik"
GUNICORN = VENV_BIN / "gunicorn"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/nastavnik_bench"
# The benchmarks create and drop a whole database: only ever one whose name says so.
REQUIRED_DB_SUFFIX = "_bench"


def database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    name = database_name(url)
    if not name.endswith(REQUIRED_DB_SUFFIX):
        raise SystemExit(f"refusing to benchmark on database {name!r}: its name must end in _bench")
    return url


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def maintenance_url(url: str) -> str:
    """The same server, database ``postgres``: where CREATE/DROP DATABASE are issued."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def _psycopg_conninfo(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def recreate_database(url: str) -> None:
    import psycopg

    name = database_name(url)
    with psycopg.connect(_psycopg_conninfo(maintenance_url(url)), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    name = database_name(url)
    with psycopg.connect(_psycopg_conninfo(maintenance_url(url)), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(_psycopg_conninfo(maintenance_url(url))) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def configure_environment(url: str) -> None:
    """Point this process (and every child it starts) at the bench database.

    Called before ``django.setup()``. DATABASE_URL is overwritten, not defaulted: whatever the
    shell exported, the benchmarks never run against another database."""
    for root in (REPO_ROOT / "platform", REPO_ROOT, BENCH_DIR):
        if str(root) not in sys.path:
            sys.path.append(str(root))
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    # Tasks enqueued by the services under test go to an in-process broker nobody consumes.
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    # No shared Redis: the cache falls back to the bench database, as in the demo (its table
    # made by ``in_process_django``).
    os.environ.pop("REDIS_URL", None)
    os.environ["TENANT_MIGRATION_PROCESSES"] = os.environ.get("TENANT_MIGRATION_PROCESSES", "2")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT / "platform"), str(REPO_ROOT), str(BENCH_DIR)]
    )


def in_process_django(*, reuse: bool, log_name: str) -> str:
    """Django set up in this process under the server's settings (``bench_settings``: DEBUG
    off, ``/bench/bare/`` routed) on the bench database, created and migrated unless
    ``reuse`` (the profiles' way: seed once, then measure again and again). Returns its URL."""
    url = database_url()
    configure_environment(url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    if not reuse:
        recreate_database(url)
        nastavnik("migrate", "--noinput", log_name=log_name)
    import django

    django.setup()
    from config.cache import create_cache_table

    create_cache_table()  # as the demo does: the cache is the database's without Redis
    return url


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def run_logged(
    argv: Sequence[str | os.PathLike[str]], log_name: str, *, env: dict[str, str] | None = None
) -> float:
    """Run ``argv`` to completion with output to ``results/logs/<log_name>.log``; return the
    wall-clock seconds. A non-zero exit stops the benchmark with the log's tail."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"{log_name}.log"
    with log_path.open("w") as log:
        started = time.perf_counter()
        result = subprocess.run(
            [str(a) for a in argv],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env or subprocess_env(),
            cwd=REPO_ROOT,
            check=False,
        )
        elapsed = time.perf_counter() - started
    if result.returncode != 0:
        tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{argv!r} exited with {result.returncode}; log {log_path}:\n{tail}")
    return elapsed


def nastavnik(*args: str, log_name: str, **extra_env: str) -> float:
    return run_logged([NASTAVNIK, *args], log_name, env=subprocess_env(**extra_env))


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """``with stopwatch() as elapsed: ...`` then ``elapsed()`` is the seconds spent inside."""
    started = time.perf_counter()
    finished: list[float] = []
    try:
        yield lambda: (finished[0] if finished else time.perf_counter()) - started
    finally:
        finished.append(time.perf_counter())


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def summary(samples: Sequence[float]) -> dict[str, Any]:
    return {
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "max_s": max(samples),
        "samples_s": [round(s, 4) for s in samples],
    }


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("inf")


def heading(text: str) -> None:
    print(f"\n=== {text} ===", flush=True)


def line(text: str) -> None:
    print(f"  {text}", flush=True)


def questionnaire_answers(questions: list[Any], rng: Any, *, text: str) -> dict[str, Any]:
    """Valid, varied answers to a questionnaire's ``questions`` (conditions followed; a
    required free-text question gets ``text``), drawn from ``rng`` (a ``random.Random``):
    the answers the benchmarks seed (``school_year``, ``survey_results``)."""
    given: dict[str, Any] = {}
    for q in sorted(questions, key=lambda q: q.order):
        if q.condition_question:
            value = given.get(q.condition_question)
            if isinstance(value, bool):
                value = "yes" if value else "no"
            if value != q.condition_value:
                continue
        if q.kind == "scale":
            given[q.code] = rng.randint(q.min_value, q.max_value)
        elif q.kind == "number":
            given[q.code] = q.min_value if q.min_value is not None else rng.randint(0, 20)
        elif q.kind == "yes_no":
            given[q.code] = rng.random() < 0.7
        elif q.kind == "single_choice":
            given[q.code] = rng.choice(q.options)["code"]
        elif q.kind == "multiple_choice":
            given[q.code] = [o["code"] for o in q.options if rng.random() < 0.4][:3] or [
                q.options[0]["code"]
            ]
        elif q.required:
            given[q.code] = text
    return given
