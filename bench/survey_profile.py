"""Where the time of a personal link's answering goes, in-process: one GET of the form and one
POST of complete answers, as a pupil does in the surveys benchmark (``surveys_load.py``).

```sh
.venv/bin/python bench/survey_profile.py                  # seed, then GET and POST: ms, queries
.venv/bin/python bench/survey_profile.py --reuse          # the data of the previous call
.venv/bin/python bench/survey_profile.py --reuse --profile --sql
.venv/bin/python bench/survey_profile.py --reuse --drop   # and drop the database at the end
```

Its own database (``BENCH_DATABASE_URL``, by default ``nastavnik_bench``; the name must end in
``_bench``): created, migrated and seeded as the surveys benchmark does (the demo region, a
generated school), kept until ``--drop``. Each call opens a new campaign to ``--repeat`` pupils
and answers each invitation through its link with the Django test client under the server's
settings (``bench_settings``: DEBUG off): median (and best) ms of the GETs and of the POSTs,
their queries, next to the bare view (``/bench/bare/``, the same middleware) and the load
average. No server, no concurrency."""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib

FORM_ENCODED = "application/x-www-form-urlencoded"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--learners", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=30, help="links answered (GET + POST)")
    parser.add_argument(
        "--profile", choices=("get", "post", "both"), help="cProfile the GETs, POSTs or both"
    )
    parser.add_argument("--callers", action="append", help="print the callers of (regex)")
    parser.add_argument(
        "--server",
        action="store_true",
        help="then 30 pupils at once against gunicorn (2 x 4), as surveys_load does, with the "
        "database's wait events sampled",
    )
    parser.add_argument("--sql", action="store_true", help="print the SQL of one GET and POST")
    args = parser.parse_args()

    url = benchlib.in_process_django(reuse=args.reuse, log_name="survey-profile-migrate")
    import pages
    import surveys_load
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from schools.monitoring.models import SurveyResponse
    from tenants.models import Institution

    demo = pages._demo()
    if args.reuse:
        school = Institution.objects.get(slug=demo.INSTITUTIONS[0].slug)
        with schema_context(school.schema_name):
            from schools.participants import api as participants_api

            people = participants_api.consenting_participant_ids(category="pupil")
    else:
        started = time.perf_counter()
        school, _password, people = surveys_load._seed(args.learners)
        benchlib.line(f"seeded in {time.perf_counter() - started:.0f} s: {len(people)} pupils")
    campaign_id = surveys_load._campaign(
        school.schema_name, people[: args.repeat], title="Анкета профиля", open_it=True
    )
    links = [token for _pk, token in surveys_load._links(school.schema_name, campaign_id)]
    form = surveys_load._form(school.schema_name, random.Random(5))

    bare = Client(HTTP_HOST=school.host)
    bare.get(pages.BARE_PATH)
    bare_ms = 1000 * min(benchlib.timed(lambda: bare.get(pages.BARE_PATH)) for _ in range(30))
    benchlib.line(f"{'baseline: bare view':<24} {bare_ms:7.1f} ms (the same middleware)")
    benchlib.line("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))

    gets: list[float] = []
    posts: list[float] = []
    get_cpu: list[float] = []
    post_cpu: list[float] = []
    get_queries: list[int] = []
    post_queries: list[int] = []
    profiler = cProfile.Profile() if args.profile else None
    profile_get = args.profile in ("get", "both")
    profile_post = args.profile in ("post", "both")
    for n, token in enumerate(links):
        client = Client(HTTP_HOST=school.host, raise_request_exception=True)
        path = f"/surveys/link/{token}/"
        if profiler and profile_get:
            profiler.enable()
        started, cpu = time.perf_counter(), time.thread_time()
        with CaptureQueriesContext(connection) as got:
            response = client.get(path)
        gets.append(time.perf_counter() - started)
        get_cpu.append(time.thread_time() - cpu)
        if profiler and profile_get:
            profiler.disable()
        found = CSRF_INPUT.search(response.content)
        if response.status_code != 200 or found is None:
            raise RuntimeError(f"GET answered {response.status_code}")
        data = {"csrfmiddlewaretoken": found.group(1).decode(), "action": "submit", **form}
        if profiler and profile_post:
            profiler.enable()
        started, cpu = time.perf_counter(), time.thread_time()
        with CaptureQueriesContext(connection) as posted:
            # urlencoded, as the page's form (and surveys_load's pupils) post it; the test
            # client's default, multipart, costs the parser several times more
            response = client.post(path, urlencode(data, doseq=True), content_type=FORM_ENCODED)
        posts.append(time.perf_counter() - started)
        post_cpu.append(time.thread_time() - cpu)
        if profiler and profile_post:
            profiler.disable()
        if response.status_code != 200:
            raise RuntimeError(f"POST answered {response.status_code}: {response.content[:500]!r}")
        get_queries.append(len(got))
        post_queries.append(len(posted))
        if args.sql and n == len(links) - 1:
            for title, captured in (("GET", got), ("POST", posted)):
                print(f"  --- {title}")
                for q in captured.captured_queries:
                    print(f"    {q['time']}  {q['sql'][:300]}")
    with schema_context(school.schema_name):
        submitted = SurveyResponse.objects.filter(campaign_id=campaign_id, status="submitted")
        if submitted.count() != len(links):
            raise RuntimeError(f"{submitted.count()} of {len(links)} answers submitted")
    bare_cpu = statistics.median(_cpu(lambda: bare.get(pages.BARE_PATH)) for _ in range(30))
    benchlib.line(f"{'bare view, CPU':<24} {bare_cpu * 1000:7.2f} ms median (this thread's)")
    rows = (
        ("GET form", gets, get_cpu, get_queries),
        ("POST answers", posts, post_cpu, post_queries),
    )
    for title, times, cpu_times, queries in rows:
        median = statistics.median(times) * 1000
        cpu_ms = statistics.median(cpu_times) * 1000
        benchlib.line(
            f"{title:<24} {median:7.1f} ms median, {min(times) * 1000:6.1f} ms best; CPU "
            f"{cpu_ms:5.2f} ms median ({cpu_ms / (bare_cpu * 1000):4.1f}x bare)  "
            f"{max(queries):3d} queries"
        )
    benchlib.line("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(r"^(?!.*site-packages)", 40)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(25)
        for name in args.callers or ():
            stats.print_callers(name)
        print(out.getvalue())
    if args.server:
        _server(url, school, people)
    if args.drop:
        connection.close()
        benchlib.drop_database(url)
    return 0


def _cpu(fn: object) -> float:
    """The CPU seconds this thread spent in ``fn()`` (unlike the wall clock, not the time
    waiting for a core on a shared machine; the database's work is not in it)."""
    started = time.thread_time()
    fn()  # type: ignore[operator]
    return time.thread_time() - started


def _server(url: str, school: object, people: list[int]) -> None:
    """30 pupils answering at once against gunicorn as in ``surveys_load`` (a new campaign),
    with ``pg_stat_activity`` sampled every 0.1 s: what the server's connections wait for."""
    import collections
    import threading

    import pages
    import psycopg
    import surveys_load
    from django.db import connections

    connections.close_all()
    port = pages._free_port()
    server = pages._start_server(port, 2, 4)
    waits: collections.Counter[str] = collections.Counter()
    done = threading.Event()

    def sample() -> None:
        name = benchlib.database_name(url)
        conninfo = url.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            while not done.is_set():
                rows = conn.execute(
                    "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'cpu'), "
                    "left(query, 60) FROM pg_stat_activity WHERE datname = %s "
                    "AND pid <> pg_backend_pid() AND state <> 'idle'",
                    (name,),
                ).fetchall()
                for state, wait, query in rows:
                    waits[f"{state} {wait} {query}"] += 1
                time.sleep(0.1)

    try:
        pages._wait_ready(server, port, school.host)  # type: ignore[attr-defined]
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        benchlib.line("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        surveys_load._answering(port, school, people, users=30, per_user=10)
        benchlib.line("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    finally:
        done.set()
        server.terminate()
        server.wait(timeout=30)
    benchlib.line("busy database connections sampled (state, wait, query):")
    for key, count in waits.most_common(15):
        benchlib.line(f"  {count:5d}  {key}")


if __name__ == "__main__":
    sys.exit(main())
