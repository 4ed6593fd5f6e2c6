"""Where an API list's time goes, in-process, on the data of the API throughput benchmark.

```sh
.venv/bin/python bench/api_profile.py                           # seed, then every list: ms, queries
.venv/bin/python bench/api_profile.py --reuse                   # the data of the previous call
                                                                # (seeded if run.py removed it)
.venv/bin/python bench/api_profile.py --reuse --list pairs --profile
.venv/bin/python bench/api_profile.py --reuse --drop            # and drop the database at the end
```

Its own database (``BENCH_DATABASE_URL``, by default ``nastavnik_bench``; the name must end in
``_bench``): created, migrated and seeded as the API benchmark does (``api_throughput._seed``),
and kept until ``--drop`` so that one can profile, change the code and measure again. Figures
are single-request times of the Django test client (best of ``--repeat``; no server, no
concurrency) under the server's settings (``bench_settings``) with the coordinator's token,
each next to the bare view (``/bench/bare/``, the same middleware) of the same run."""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib


def _best(request: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """The best wall-clock and the best CPU time of this process (ms) of ``repeat`` calls:
    the CPU time leaves out the waits for PostgreSQL and for the other processes of a busy
    machine."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        request()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return 1000 * min(walls), 1000 * min(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--learners", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=20, help="requests per list (best of)")
    parser.add_argument("--list", action="append", help="programmes, participants, pairs, …")
    parser.add_argument("--profile", action="store_true", help="cProfile the lists chosen")
    parser.add_argument("--sql", action="store_true", help="print the SQL of the lists chosen")
    args = parser.parse_args()

    url = benchlib.in_process_django(reuse=args.reuse, log_name="api-profile-migrate")
    import api_throughput
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    host, key = api_throughput.seeded(reuse=args.reuse, learners=args.learners)
    connection.close()
    bare = Client(HTTP_HOST=host)
    bare.get(api_throughput.BARE_PATH)
    bare_ms, bare_cpu = _best(lambda: bare.get(api_throughput.BARE_PATH), args.repeat)
    benchlib.line(
        f"{'baseline: bare view':<24} {bare_ms:7.2f} ms, cpu {bare_cpu:5.2f} ms "
        "(the same middleware)"
    )
    benchlib.line("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    client = Client(
        HTTP_HOST=host,
        HTTP_AUTHORIZATION=f"Token {key}",
        HTTP_ACCEPT="application/json",
        raise_request_exception=True,
    )
    chosen = set(args.list or ())
    for name, path in api_throughput.LISTS:
        if chosen and name not in chosen:
            continue
        response = client.get(path)
        if response.status_code != 200:
            benchlib.line(f"{name:<24} answered {response.status_code}: {response.content[:200]!r}")
            continue
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        captured = queries.captured_queries  # read now: the next request clears the log
        wall_ms, cpu_ms = _best(lambda: client.get(path), args.repeat)  # noqa: B023
        benchlib.line(
            f"{name:<24} {wall_ms:7.2f} ms, cpu {cpu_ms:5.2f} ms  {len(captured):3d} q  "
            f"{len(response.content) / 1024:6.1f} KiB  {cpu_ms / bare_cpu:5.1f}x bare's cpu"
        )
        if args.sql:
            for q in captured:
                print(f"    {q['time']}  {q['sql'][:2000]}")
        if args.profile:
            profiler = cProfile.Profile(time.process_time)  # CPU: no waits for PostgreSQL
            profiler.enable()
            for _ in range(args.repeat):
                client.get(path)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
            print(out.getvalue())
    if args.drop:
        connection.close()
        benchlib.drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
