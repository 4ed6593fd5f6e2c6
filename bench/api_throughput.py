"""Requests per second of the tenant API's main lists vs a bare Django view on the same server.

The server is gunicorn (the version pinned in pyproject.toml) with a fixed number of sync
workers on 127.0.0.1, settings ``bench_settings`` (this directory on PYTHONPATH). Every
endpoint is requested on the institution's host, so all pass through the same middleware
(tenant resolution by host included); the difference is DRF, token authentication, the role
check, the queries and the serialisation of one page of 50 rows.

Data: an institution with 50 programmes (closed, of past years) and a generated school
(``seeding.school_generate``, ``--api-learners`` pupils, a tenth as many teachers) whose
bases are matched into pairs with the autumn's meetings (``school_year``). Lists: programmes,
participants, pairs, meetings (the first page of 50 each); the bare view is measured again
right before each list, since the machine's load drifts."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import time
from typing import Any

import loadgen
from benchlib import GUNICORN, LOG_DIR, REPO_ROOT, heading, line, ratio, subprocess_env

SLUG = "bench-api"
PROGRAMMES = 50
BARE_PATH = "/bench/bare/"
API_PATH = "/api/v1/programmes/"
# The lists measured (path, rows expected on the first page).
LISTS = (
    ("programmes", "/api/v1/programmes/"),
    ("participants", "/api/v1/participants/"),
    ("pairs", "/api/v1/pairs/"),
    ("meetings", "/api/v1/meetings/"),
)
PAGE = 50


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((loadgen.LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _seed(learners: int) -> tuple[str, str]:
    """An active institution with a coordinator, a DRF token, PROGRAMMES programmes of past
    years and a generated school of this year with pairs and meetings.

    Returns (host, token key)."""
    from django.db import transaction
    from django_tenants.utils import schema_context
    from rest_framework.authtoken.models import Token

    from accounts.models import Role, User
    from config.cache import create_cache_table
    from schools.programmes.models import MentoringForm, Programme, ProgrammeStatus
    from tenants import schemas
    from tenants.models import Domain, Institution, InstitutionStatus, Municipality

    schemas.sync_template_schema()
    create_cache_table()  # the demo's cache (no Redis in the benchmarks): lists are kept in it
    municipality, _ = Municipality.objects.get_or_create(name="Bench district")
    with transaction.atomic():
        institution = Institution.objects.create(
            slug=SLUG,
            schema_name=schemas.schema_name_for_slug(SLUG),
            name="Bench API school",
            short_name="Bench API",
            kind="school",
            municipality=municipality,
            status=InstitutionStatus.ACTIVE,
        )
        Domain.objects.create(domain=institution.host, tenant=institution, is_primary=True)
        schemas.lock_template_for_transaction()
        schemas.clone_from_template(institution.schema_name)
    with schema_context(institution.schema_name):
        user = User.objects.create_user(
            username="bench-coordinator",
            email="coordinator@bench.invalid",
            password=None,
            role=Role.COORDINATOR,
            first_name="Мария",
            last_name="Иванова",
        )
        token = Token.objects.create(user=user)
        Programme.objects.bulk_create(
            [
                Programme(
                    academic_year=1970 + i,
                    title=f"Программа наставничества {1970 + i}/{1971 + i}",
                    forms=[MentoringForm.TEACHER_TEACHER, MentoringForm.STUDENT_STUDENT],
                    goals="Повышение качества образования. " * 5,
                    planned_results="Рост успеваемости наставляемых. " * 5,
                    status=ProgrammeStatus.CLOSED,
                )
                for i in range(PROGRAMMES)
            ]
        )
    _school(institution.schema_name, user, learners)
    return str(institution.host), str(token.key)


def seeded(*, reuse: bool, learners: int) -> tuple[str, str]:
    """(host, token key) of the data of an earlier call when ``reuse`` finds it, else seeded
    anew (``_seed``): for the in-process tools (``api_profile.py``, ``api_cpu.py``)."""
    from django_tenants.utils import schema_context
    from rest_framework.authtoken.models import Token

    from tenants.models import Institution

    if reuse and Institution.objects.filter(slug=SLUG).exists():
        institution = Institution.objects.get(slug=SLUG)
        with schema_context(institution.schema_name):
            key = Token.objects.get(user__username="bench-coordinator").key
        return str(institution.host), str(key)
    started = time.perf_counter()
    host, key = _seed(learners)
    line(f"seeded in {time.perf_counter() - started:.0f} s")
    return host, key


def _school(schema_name: str, coordinator: Any, learners: int) -> None:
    """This year's programme of a generated school, its pairs and their meetings."""
    import datetime

    import school_year
    from django.db import connection, transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from accounts.actor import actor_for
    from schools.programmes import selectors as programme_selectors
    from seeding.school import school_generate

    school_generate(
        schema_name=schema_name, learners=learners, staff=max(2, learners // 10), seed=2
    )
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    with schema_context(schema_name), transaction.atomic():
        actor = actor_for(coordinator)  # the services take the coordinator's Actor
        programme = programme_selectors.programme_current()
        assert programme is not None
        school_year._pairs(programme, actor, datetime.date(year, 9, 1))
        school_year._meetings(actor, datetime.date(year, 9, 1), today)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _unseed() -> None:
    from django_tenants.utils import get_public_schema_name, schema_context

    from tenants import schemas
    from tenants.models import Domain, Institution

    with schema_context(get_public_schema_name()):
        schemas.drop_schema(schemas.schema_name_for_slug(SLUG))
        institutions = Institution.objects.filter(slug=SLUG)
        Domain.objects.filter(tenant__in=institutions).delete()
        institutions.delete()


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(loadgen.LOOPBACK, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = (LOG_DIR / "api-gunicorn.log").open("w")
    argv = [
        str(GUNICORN),
        "config.wsgi:application",
        "--bind",
        f"{loadgen.LOOPBACK}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]
    env = subprocess_env(DJANGO_SETTINGS_MODULE="bench_settings")
    return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT)


def _wait_ready(server: subprocess.Popen[bytes], port: int, host: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see its log")
        try:
            status, _ = _get(port, BARE_PATH, {"Host": host})
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _check_endpoints(port: int, bare: dict[str, str], api: dict[str, str]) -> None:
    status, body = _get(port, BARE_PATH, bare)
    if status != 200 or body != b"ok":
        raise RuntimeError(f"bare view answered {status}: {body[:200]!r}")
    for _name, path in LISTS:
        status, body = _get(port, path, api)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}: {body[:500]!r}")
        payload = json.loads(body)
        results = payload.get("results", payload) if isinstance(payload, dict) else payload
        if len(results) != PAGE:
            raise RuntimeError(f"{path} returned {len(results)} rows, not {PAGE}")
        status, _ = _get(port, path, {"Host": api["Host"]})
        if status not in (401, 403):
            raise RuntimeError(f"{path} without a token answered {status}")


def _load(
    port: int, path: str, headers: dict[str, str], *, use_wrk: bool, seconds: int, requests: int
) -> loadgen.LoadResult:
    if use_wrk:
        return loadgen.run_wrk(
            port=port, path=path, headers=headers, connections=4, threads=1, seconds=seconds
        )
    return loadgen.run_python(
        port=port, path=path, headers=headers, connections=4, requests=requests
    )


def run(
    *, workers: int, seconds: int, requests: int, tool: str, learners: int = 600
) -> dict[str, Any]:
    import os

    from django.db import connections

    use_wrk = tool == "wrk" or (tool == "auto" and loadgen.wrk_available())
    if use_wrk and not loadgen.wrk_available():
        raise RuntimeError("--loadgen wrk but wrk is not installed (apt-get install -y wrk)")
    heading(
        f"API throughput: the first page ({PAGE} rows) of "
        + ", ".join(name for name, _ in LISTS)
        + f" (coordinator token) vs a bare view; gunicorn, {workers} sync workers"
    )
    port = _free_port()
    server: subprocess.Popen[bytes] | None = None
    results: dict[str, Any] = {"workers": workers, "programmes": PROGRAMMES, "lists": {}}
    try:
        host, token = _seed(learners)
        connections.close_all()
        bare_headers = {"Host": host}
        api_headers = {
            "Host": host,
            "Authorization": f"Token {token}",
            "Accept": "application/json",
        }
        server = _start_server(port, workers)
        _wait_ready(server, port, host)
        _check_endpoints(port, bare_headers, api_headers)
        results["loadavg_before"] = os.getloadavg()
        line("load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        # Warm-up: every worker imports lazily loaded modules and opens its connection.
        for path, headers in [(BARE_PATH, bare_headers)] + [(p, api_headers) for _, p in LISTS]:
            if use_wrk:
                loadgen.run_wrk(
                    port=port, path=path, headers=headers, connections=4, threads=1, seconds=2
                )
            else:
                loadgen.run_python(
                    port=port, path=path, headers=headers, connections=4, requests=200
                )
        for name, path in LISTS:
            pair: dict[str, loadgen.LoadResult] = {}
            for kind, target, headers in (
                ("bare", BARE_PATH, bare_headers),
                ("api", path, api_headers),
            ):
                result = _load(
                    port, target, headers, use_wrk=use_wrk, seconds=seconds, requests=requests
                )
                pair[kind] = result
                p50 = f", p50 {result.latency_p50_ms:.1f} ms" if result.latency_p50_ms else ""
                line(
                    f"{target:<24} {result.requests_per_s:8.1f} req/s "
                    f"(avg latency {result.latency_avg_ms:.1f} ms{p50}; "
                    f"{result.requests} requests, {result.errors} errors; {result.tool})"
                )
                if result.errors:
                    raise RuntimeError(f"{result.errors} failed requests on {target}")
            share = ratio(pair["api"].requests_per_s, pair["bare"].requests_per_s)
            line(f"{name}: {share * 100:.1f}% of the bare view's rate")
            results["lists"][name] = {
                "path": path,
                "bare": pair["bare"].as_dict(),
                "api": pair["api"].as_dict(),
                "api_to_bare": share,
            }
        results["loadavg_after"] = os.getloadavg()
        line("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        _unseed()
    first = results["lists"].get("programmes")
    if first:  # the figure earlier runs printed
        results.update(bare=first["bare"], api=first["api"], api_to_bare=first["api_to_bare"])
    return results
