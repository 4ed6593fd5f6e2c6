"""Where a page's time goes, in-process, on the large generated school of the pages benchmark.

```sh
.venv/bin/python bench/page_profile.py                        # seed, then every page: ms, queries
.venv/bin/python bench/page_profile.py --reuse                # the data of the previous call
.venv/bin/python bench/page_profile.py --reuse --page coordinator:school:home --profile
.venv/bin/python bench/page_profile.py --reuse --drop         # and drop the database at the end
.venv/bin/python bench/page_profile.py --reuse --cold         # each request after a (new) write
```

Its own database (``BENCH_DATABASE_URL``, by default ``nastavnik_bench``; the name must end in
``_bench``): created, migrated and seeded as the pages benchmark does (``pages._seed``), and
kept until ``--drop`` so that one can profile, change the code and measure again. Figures are
single-request times of the Django test client (best of ``--repeat``; no server, no
concurrency) under the server's settings (``bench_settings``), each next to the bare view
(``/bench/bare/``, the same middleware) of the same run, and the load average."""

from __future__ import annotations

import argparse
import atexit
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--learners", type=int, default=1500)
    parser.add_argument("--staff", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=5, help="requests per page (best of)")
    parser.add_argument("--page", action="append", help="role:url-name, e.g. mentor:school:home")
    parser.add_argument("--profile", action="store_true", help="cProfile the pages chosen")
    parser.add_argument("--sql", action="store_true", help="print the SQL of the pages chosen")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="a new data version of the school before each request (as after a committed "
        "write): nothing kept under the version is served",
    )
    parser.add_argument(
        "--cumulative", metavar="REGEX", help="with --profile: the functions by cumulative time"
    )
    parser.add_argument(
        "--callers", metavar="REGEX", help="with --profile: who calls the functions matching it"
    )
    args = parser.parse_args()

    url = benchlib.in_process_django(reuse=args.reuse, log_name="profile-migrate")
    import pages
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from accounts.models import User
    from config import dataversion
    from tenants.models import Institution

    demo = pages._demo()
    if args.reuse:
        school = Institution.objects.get(slug=demo.INSTITUTIONS[0].slug)
    else:
        media_root = tempfile.mkdtemp(prefix="nastavnik-bench-profile-")
        # The seeded files (imports, document sets) are not pages: gone with this process.
        atexit.register(shutil.rmtree, media_root, ignore_errors=True)
        started = time.perf_counter()
        school, _password, year = pages._seed(media_root, learners=args.learners, staff=args.staff)
        benchlib.line(f"seeded in {time.perf_counter() - started:.0f} s: {year.summary()}")
    chosen = set(args.page or ())
    clients: dict[str, Client] = {}
    bare = Client(HTTP_HOST=school.host)
    bare.get(pages.BARE_PATH)
    bare_ms = 1000 * min(
        benchlib.timed(lambda: bare.get(pages.BARE_PATH)) for _ in range(max(args.repeat, 20))
    )
    bare_cpu = []
    for _ in range(max(args.repeat, 20)):
        started_cpu = time.process_time()
        bare.get(pages.BARE_PATH)
        bare_cpu.append(time.process_time() - started_cpu)
    benchlib.line(
        f"{'baseline: bare view':<42} {bare_ms:7.1f} ms (cpu {min(bare_cpu) * 1000:5.1f}) "
        "(the same middleware)"
    )
    benchlib.line("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    for login, name, path in pages._pages(school, pages.ROLES):
        key = f"{login.role}:{name}"
        if chosen and key not in chosen:
            continue
        client = clients.get(login.role)
        if client is None:
            client = Client(HTTP_HOST=pages._host(school, login), raise_request_exception=True)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = pages.LANGUAGE
            with schema_context("public" if login.public else school.schema_name):
                user = User.objects.get(username=login.username)
                client.force_login(user, backend="accounts.backends.InstitutionAwareBackend")
            clients[login.role] = client
        try:
            response = client.get(path)
        except Exception as error:  # a page broken by another area's work in progress
            benchlib.line(f"{key:<42} fails: {type(error).__name__}: {error}"[:200])
            continue
        if response.status_code != 200 or pages.LOGOUT_MARKER not in response.content:
            kind = response.get("Content-Type", "")
            benchlib.line(f"{key:<42} not a page: {response.status_code} {kind}")
            continue
        times, cpu = [], []
        for _ in range(args.repeat):
            if args.cold:
                dataversion.bump([school.schema_name])
            started, started_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        benchlib.line(
            f"{key:<42} {min(times) * 1000:7.1f} ms (cpu {min(cpu) * 1000:5.1f})  "
            f"{len(queries):4d} q "
            f"(sql {sql_ms:5.1f} ms)  {len(response.content) / 1024:6.1f} KiB  "
            f"{response.status_code}  {min(times) * 1000 / bare_ms:5.1f}x bare"
        )
        if args.sql:
            for q in queries.captured_queries:
                print(f"    {q['time']}  {q['sql']}")
        if args.profile:
            profiler = cProfile.Profile()
            for _ in range(args.repeat):
                if args.cold:
                    dataversion.bump([school.schema_name])
                profiler.enable()
                client.get(path)
                profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            # The project's own functions by cumulative time, then everything by own time.
            stats.sort_stats("cumulative").print_stats(
                args.cumulative or r"^(?!.*site-packages)", 30
            )
            stats.sort_stats("tottime").print_stats(20)
            if args.callers:
                stats.print_callers(args.callers)
            print(out.getvalue())
    if args.drop:
        connection.close()
        benchlib.drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
