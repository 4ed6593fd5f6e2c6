"""Latency and throughput of the coordinator's pages under concurrent users, against a real
server, compared with two baselines measured the same way in the same run.

Data: the demo region of ``nastavnik demo`` (``seeding.demo.demo_region_ensure``: three
institutions with staff and programmes), and in its first school a mid-sized mentoring
programme made through the apps' services: teachers and pupils with consents and profiles, a
matching run approved into pairs and groups, meetings, and a few import batches.

Server: gunicorn as ``nastavnik demo`` runs it (2 workers x 4 threads), with the settings
``bench_settings`` (DEBUG off, persistent connections, ``/bench/bare/`` added). Load: USERS
threads, each signed in as the coordinator through the login form (its own session), keep
their connection open and request one page in a loop; every page gets the same number of
requests. Baselines: ``/bench/bare/`` (a view returning ``ok`` through the same middleware)
and the login page (a template render without a session), under the same load; the bare view
is measured again (briefly) before every page, and each page is compared with that one, since
the machine's load may drift during the run.

Also, in-process: the SQL queries each page makes (``CaptureQueriesContext``), to point at
N+1 queries."""

from __future__ import annotations

import datetime
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from benchlib import GUNICORN, LOG_DIR, REPO_ROOT, heading, line, ratio, subprocess_env

LOOPBACK = "127.0.0.1"
LANGUAGE = "ru"
BARE_PATH = "/bench/bare/"
LOGIN_PATH = "/accounts/login/"
LOGOUT_MARKER = b'action="/accounts/logout/"'

# The school's size: a large Russian school (``--learners``, ``--staff``).
LEARNERS = 1500
STAFF = 150
PUBLIC_SCHEMA = "public"


@dataclass(frozen=True)
class Login:
    """Who requests the pages: a demo login of each role (the curator is a class teacher of
    the generated school, see ``school_year.BENCH_CURATOR``)."""

    role: str
    username: str
    public: bool = False  # the regional layer's host, not the school's


LOGINS = (
    Login("coordinator", "coordinator"),
    Login("curator", "curator-5a"),
    Login("director", "director"),
    Login("mentor", "mentor"),
    Login("mentee", "mentee"),
    Login("parent", "parent"),
    Login("regional_staff", "staff", public=True),
    Login("employer", "employer", public=True),
)
ROLES = tuple(login.role for login in LOGINS)


@dataclass
class PageFigures:
    name: str
    path: str
    requests: int
    errors: int
    seconds: float
    requests_per_s: float
    median_ms: float
    p95_ms: float
    max_ms: float
    bytes: int
    queries: int | None = None
    # The bare view measured just before this page (the machine's load drifts during a run).
    bare_median_ms: float | None = None
    role: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- data --------------------------------------------------------------------------------------


def _demo() -> Any:
    """The demo region's module."""
    from seeding import demo

    return demo


def _seed(media_root: str, *, learners: int, staff: int) -> tuple[Any, str, Any]:
    """The demo region, and a year of a large school in its first institution. Returns (the
    school, the demo password, the ``SchoolYear``)."""
    from school_year import year_fill

    from config.cache import create_cache_table
    from tenants import schemas

    demo = _demo()
    schemas.sync_template_schema()
    create_cache_table()
    region = demo.demo_region_ensure(school=False)  # the year below fills the school
    school = region.institutions[0]
    year = year_fill(
        schema_name=school.schema_name,
        media_root=media_root,
        password=demo.DEMO_PASSWORD,
        learners=learners,
        staff=staff,
    )
    return school, demo.DEMO_PASSWORD, year


def _public_models() -> list[Any]:
    """The models whose tables live in the public schema (the shared apps)."""
    from django.apps import apps
    from django.conf import settings
    from django.db import connection

    labels = {c.label for c in apps.get_app_configs() if c.name in settings.SHARED_APPS}
    shared = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [PUBLIC_SCHEMA])
        tables = {row[0] for row in cursor.fetchall()}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in labels and meta.db_table in tables and meta.managed and not meta.proxy:
            shared.append(model)
    return shared


def _public_mark() -> dict[Any, Any]:
    """What the public schema holds before the benchmark: the largest id of each table (or
    every key, for a table whose key is not a number)."""
    from django.db import models
    from django.db.models import Max
    from django_tenants.utils import schema_context

    mark: dict[Any, Any] = {}
    with schema_context(PUBLIC_SCHEMA):
        for model in _public_models():
            if isinstance(model._meta.pk, models.AutoField | models.BigAutoField):
                mark[model] = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
            else:
                mark[model] = set(model._default_manager.values_list("pk", flat=True))
    return mark


def _unseed(school: Any, mark: dict[Any, Any]) -> int:
    """Drop the demo schemas and remove every public row made since ``mark`` (in as many
    passes as the protected foreign keys need). Returns the rows still left (0 when clean)."""
    from django.db import IntegrityError, transaction
    from django.db.models import ProtectedError, RestrictedError
    from django_tenants.utils import schema_context

    from tenants import schemas
    from tenants.models import Institution

    demo = _demo()
    with schema_context(PUBLIC_SCHEMA):
        slugs = [spec.slug for spec in demo.INSTITUTIONS]
        for institution in Institution.objects.filter(slug__in=slugs):
            schemas.drop_schema(institution.schema_name)

        def made(model: Any) -> Any:
            since = mark[model]
            manager = model._default_manager
            if isinstance(since, set):
                return manager.exclude(pk__in=since)
            return manager.filter(pk__gt=since)

        pending = [m for m in mark if made(m).exists()]
        removed = 0
        for _pass in range(len(pending) + 1):
            blocked = []
            for model in pending:
                try:
                    with transaction.atomic():
                        removed += made(model).delete()[0]
                except (ProtectedError, RestrictedError, IntegrityError):
                    blocked.append(model)
            if not blocked:
                break
            pending = blocked
        left = sum(made(m).count() for m in mark)
    line(f"cleanup: demo schemas dropped, {removed} public rows removed, {left} left")
    return left


# --- pages -------------------------------------------------------------------------------------


TENANT_URLCONF = "config.urls_tenant"
PUBLIC_URLCONF = "config.urls_public"
# Routes that are not pages of a signed-in user: files, fragments polled by HTMX, and pages
# opened through a one-time token without an account. Recognised by their answer (a 200 HTML
# page with the sign-out form) too; these are left out before asking.
NOT_PAGES = (
    "-xlsx",
    "-docx",
    "-download",
    "-progress",
    "-status",
    "-template",
    "-export",
    "-rejected",
    "-choices",
)


def _page_routes() -> dict[str, tuple[dict[str, frozenset[str]], dict[str, str | None]]]:
    """Every page the page tests know, by layer: ({url name: roles that get it}, {url name:
    model label of its id}) — the tests' descriptions (``tests/web/areas``) and the
    cross-tenant walk's list of page routes, so that a page added later is measured too."""
    import sys

    from benchlib import REPO_ROOT

    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from tests.isolation.test_cross_tenant import PAGE_ROUTES
    from tests.web import areas

    return {
        "school": (areas.merged("TENANT_ALLOWED"), PAGE_ROUTES),
        "regional": (areas.merged("PUBLIC_ALLOWED"), PAGE_ROUTES),
    }


def _object_ids(school: Any, login: Login) -> dict[str, int]:
    """{model label: an id the login may open}: its own pair, meeting, invitation or child
    for a mentor, mentee or parent, a pair of its class for the curator, else the first row
    (the coordinator's detail pages: a pair with mentees, an open campaign, the last run)."""
    from django.apps import apps
    from django.db.models import Q
    from django_tenants.utils import schema_context

    from accounts.models import User

    ids: dict[str, int] = {}
    labels = {label for _a, routes in _page_routes().values() for label in routes.values()}
    with schema_context(PUBLIC_SCHEMA if login.public else school.schema_name):
        for label in sorted(filter(None, labels)):
            try:
                model = apps.get_model(label)
                pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
            except Exception:  # a model of the other layer: no table in this schema
                continue
            if pk is not None:
                ids[label] = pk
        if login.public:
            return ids
        from schools.matching.models import MatchRun
        from schools.monitoring.models import SurveyCampaign, SurveyInvitation
        from schools.pairs.models import Meeting, Pair
        from schools.participants.models import Guardianship, Participant

        user = User.objects.get(username=login.username)
        pairs = Pair.objects.filter(memberships__isnull=False)
        if login.role == "mentor":
            pairs = pairs.filter(mentor__user=user)
        elif login.role == "mentee":
            pairs = pairs.filter(memberships__mentee__user=user)
        elif login.role == "curator":
            pairs = pairs.filter(
                Q(mentor__study_group__curator=user)
                | Q(memberships__mentee__study_group__curator=user)
            )
        pair = pairs.order_by("pk").values_list("pk", flat=True).first()
        if pair is not None:
            ids["pairs.pair"] = pair
            meeting = Meeting.objects.filter(pair_id=pair).order_by("-starts_at").first()
            if meeting is not None:
                ids["pairs.meeting"] = meeting.pk
        run = MatchRun.objects.order_by("-pk").values_list("pk", flat=True).first()
        if run is not None:
            ids["matching.matchrun"] = run
        campaign = SurveyCampaign.objects.filter(status="open").order_by("pk").first()
        if campaign is not None:
            ids["monitoring.surveycampaign"] = campaign.pk
        invitation = (
            SurveyInvitation.objects.filter(Q(participant__user=user) | Q(user=user))
            .order_by("-pk")
            .first()
        )
        if invitation is not None:
            ids["monitoring.surveyinvitation"] = invitation.pk
        if login.role in ("mentor", "mentee"):  # a group meeting they attended, if any
            from schools.matching.models import GroupMeeting

            attended = GroupMeeting.objects.filter(attendees__user=user).order_by("pk").first()
            ids.pop("matching.groupmeeting", None)
            if attended is not None:
                ids["matching.groupmeeting"] = attended.pk
        if login.role == "parent":
            child = Guardianship.objects.filter(parent__user=user).order_by("pk").first()
            if child is not None:
                ids["participants.participant"] = child.child_id
        else:  # a person of the mentee base (the participant card, guardianships)
            person = (
                Participant.objects.filter(
                    mentee_profile__isnull=False, guardian_links__isnull=False
                )
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
            if person is not None:
                ids["participants.participant"] = person
    return ids


def _pages(
    school: Any, roles: tuple[str, ...], skipped: dict[str, str] | None = None
) -> list[tuple[Login, str, str]]:
    """Every page each role may open (``_page_routes``), with the ids of objects the role
    may see: (login, name, path). Routes with an id of no object in the data, files and
    fragments go to ``skipped`` with the reason."""
    from django.urls import NoReverseMatch, reverse

    from accounts.models import Role

    skipped = {} if skipped is None else skipped
    layers = _page_routes()
    pages: list[tuple[Login, str, str]] = []
    for login in LOGINS:
        if login.role not in roles:
            continue
        namespace = "regional" if login.public else "school"
        urlconf = PUBLIC_URLCONF if login.public else TENANT_URLCONF
        allowed, models = layers[namespace]
        ids = _object_ids(school, login)
        for short, who in allowed.items():
            name = f"{namespace}:{short}"
            if Role(login.role) not in who:
                continue
            if short.endswith(NOT_PAGES):
                skipped[f"{login.role} {name}"] = "a file or a fragment"
                continue
            try:
                pages.append((login, name, reverse(name, urlconf=urlconf)))
                continue
            except NoReverseMatch:
                pass
            label = models.get(name)
            try:
                reverse(name, kwargs={"pk": 1}, urlconf=urlconf)
            except NoReverseMatch:
                skipped[f"{login.role} {name}"] = "opened through a one-time token, no login"
                continue
            if label is None or label not in ids:
                skipped[f"{login.role} {name}"] = f"no {label} in the data"
                continue
            pages.append((login, name, reverse(name, kwargs={"pk": ids[label]}, urlconf=urlconf)))
    return pages


def _host(school: Any, login: Login) -> str:
    from django.conf import settings

    return str(settings.BASE_DOMAIN) if login.public else str(school.host)


def _query_counts(
    school: Any, pages: list[tuple[Login, str, str]]
) -> dict[tuple[str, str], int | str]:
    """SQL queries per page, in-process (the Django test client through the whole stack); a
    page that fails here (another area's work in progress) gets the reason instead."""
    import logging

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from accounts.models import User

    clients: dict[str, Client] = {}
    counts: dict[tuple[str, str], int | str] = {}
    logging.getLogger("django.request").disabled = True  # failures are reported below
    for login, name, path in pages:
        client = clients.get(login.role)
        if client is None:
            client = Client(HTTP_HOST=_host(school, login), raise_request_exception=True)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = LANGUAGE
            with schema_context(PUBLIC_SCHEMA if login.public else school.schema_name):
                user = User.objects.get(username=login.username)
                client.force_login(user, backend="accounts.backends.InstitutionAwareBackend")
            clients[login.role] = client
        key = (login.role, name)
        try:
            client.get(path)  # warm: first-use caches (content types, translations)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
        except Exception as error:
            counts[key] = f"{type(error).__name__}: {error}"[:200]
            continue
        if response.status_code != 200:
            counts[key] = f"status {response.status_code}"
            continue
        if LOGOUT_MARKER not in response.content:
            counts[key] = f"not a page ({response.get('Content-Type', '')})"
            continue
        counts[key] = len(queries)
    logging.getLogger("django.request").disabled = False
    return counts


# --- the server and the load -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _start_server(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = (LOG_DIR / "pages-gunicorn.log").open("w")
    argv = [
        str(GUNICORN),
        "config.wsgi:application",
        "--bind",
        f"{LOOPBACK}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    env = subprocess_env(DJANGO_SETTINGS_MODULE="bench_settings")
    return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT)


def _request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str],
    body: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, cookies, response.read()
    finally:
        conn.close()


def _wait_ready(server: subprocess.Popen[bytes], port: int, host: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see its log")
        try:
            if _request(port, "GET", BARE_PATH, {"Host": host})[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _sign_in(port: int, host: str, username: str, password: str) -> str:
    """Sign in through the login form (CSRF included); returns the Cookie header."""
    from django.conf import settings

    status, cookies, body = _request(port, "GET", LOGIN_PATH, {"Host": host})
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    csrf = settings.CSRF_COOKIE_NAME
    if status != 200 or token is None or csrf not in cookies:
        raise RuntimeError(f"the login page answered {status} without a CSRF token")
    jar = {csrf: cookies[csrf], settings.LANGUAGE_COOKIE_NAME: LANGUAGE}
    form = urlencode(
        {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": username,
            "password": password,
        }
    )
    status, cookies, _ = _request(
        port,
        "POST",
        LOGIN_PATH,
        {
            "Host": host,
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{host}{LOGIN_PATH}",
        },
        form,
    )
    if status != 302 or settings.SESSION_COOKIE_NAME not in cookies:
        raise RuntimeError(f"signing in answered {status}: check the demo password")
    jar.update(cookies)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


class _User(threading.Thread):
    """One user: a keep-alive connection, ``warmup`` untimed then ``count`` timed requests
    of one path; the timed part starts when every user has warmed up."""

    def __init__(
        self,
        port: int,
        path: str,
        headers: dict[str, str],
        expect: bytes,
        warmup: int,
        count: int,
        start: Any,
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.path, self.headers, self.expect = port, path, headers, expect
        self.warmup, self.count, self.start_line = warmup, count, start
        self.latencies: list[float] = []
        self.errors = 0
        self.size = 0
        self.begun = self.ended = 0.0
        self.failure = ""

    def _get(self, conn: http.client.HTTPConnection | None) -> Any:
        if conn is None:
            conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=60)
        conn.request("GET", self.path, headers=self.headers)
        response = conn.getresponse()
        body = response.read()
        ok = response.status == 200 and self.expect in body
        if not ok:
            self.errors += 1
            self.failure = f"{response.status} {body[:200]!r}"
        self.size = len(body)
        if response.will_close:
            conn.close()
            conn = None
        return conn

    def run(self) -> None:
        conn: http.client.HTTPConnection | None = None
        try:
            for _ in range(self.warmup):
                conn = self._get(conn)
        finally:
            if conn is not None:  # idle while the others warm up: the server may close it
                conn.close()
            conn = None
            self.start_line.wait()
        self.begun = time.perf_counter()
        for _ in range(self.count):
            sent = time.perf_counter()
            try:
                try:
                    conn = self._get(conn)
                except (http.client.RemoteDisconnected, ConnectionResetError):
                    if conn is None:
                        raise
                    # A kept-alive connection the server closed meanwhile: a new one.
                    conn.close()
                    conn = self._get(None)
            except (OSError, http.client.HTTPException) as error:
                self.errors += 1
                self.failure = repr(error)
                if conn is not None:
                    conn.close()
                conn = None
            self.latencies.append(time.perf_counter() - sent)
        self.ended = time.perf_counter()
        if conn is not None:
            conn.close()


def _load(
    port: int,
    name: str,
    path: str,
    headers: list[dict[str, str]],
    *,
    expect: bytes,
    per_user: int,
    warmup: int = 3,
) -> PageFigures:
    """``len(headers)`` users request ``path``; every answer must be a 200 containing
    ``expect`` (a page of the signed-in coordinator, not the login form it redirects to)."""
    start = threading.Barrier(len(headers))
    users = [_User(port, path, h, expect, warmup, per_user, start) for h in headers]
    for user in users:
        user.start()
    for user in users:
        user.join()
    latencies = sorted(lat for u in users for lat in u.latencies)
    seconds = max(u.ended for u in users) - min(u.begun for u in users)
    errors = sum(u.errors for u in users)
    if errors:
        failure = next(u.failure for u in users if u.failure)
        raise RuntimeError(f"{errors} failed requests on {path}: {failure}")
    return PageFigures(
        name=name,
        path=path,
        requests=len(latencies),
        errors=errors,
        seconds=seconds,
        requests_per_s=len(latencies) / seconds if seconds else 0.0,
        median_ms=statistics.median(latencies) * 1000,
        p95_ms=statistics.quantiles(latencies, n=100, method="inclusive")[94] * 1000,
        max_ms=latencies[-1] * 1000,
        bytes=max(u.size for u in users),
    )


def _print(figures: PageFigures, baseline: PageFigures | None) -> None:
    queries = f"{figures.queries:4d} q" if figures.queries is not None else "     "
    bare = figures.bare_median_ms or (baseline.median_ms if baseline is not None else None)
    vs = f"  {ratio(figures.median_ms, bare):5.1f}x bare" if bare else ""
    name = f"{figures.role} {figures.name}" if figures.role else figures.name
    line(
        f"{name:<40} p50 {figures.median_ms:7.1f} ms  p95 {figures.p95_ms:7.1f} ms  "
        f"{figures.requests_per_s:6.1f} req/s  {figures.bytes / 1024:6.1f} KiB {queries}{vs}"
    )


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(
    *,
    users: int,
    per_user: int,
    workers: int,
    threads: int,
    learners: int = LEARNERS,
    staff: int = STAFF,
    roles: tuple[str, ...] = ROLES,
) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connections

    language_cookie = settings.LANGUAGE_COOKIE_NAME
    heading(
        f"Pages of every role on a generated school ({learners} pupils, {staff} teachers, "
        f"a year of data), {users} concurrent users, {per_user} requests each per page; "
        f"gunicorn {workers} workers x {threads} threads"
    )
    port = _free_port()
    server: subprocess.Popen[bytes] | None = None
    media_root = tempfile.mkdtemp(prefix="nastavnik-bench-pages-")
    results: dict[str, Any] = {
        "users": users,
        "workers": workers,
        "threads": threads,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"),
    }
    mark = _public_mark()
    school = None
    try:
        started = time.perf_counter()
        school, password, year = _seed(media_root, learners=learners, staff=staff)
        line(f"school {school.host}: {year.summary()}")
        line(
            f"seeded in {time.perf_counter() - started:.0f} s: "
            + ", ".join(f"{k} {v:.0f} s" for k, v in year.seconds.items())
        )
        results["data"] = {**asdict(year), "seeding_s": time.perf_counter() - started}
        skipped: dict[str, str] = {}
        pages = _pages(school, roles, skipped)
        for name, reason in skipped.items():
            line(f"not measured {name}: {reason}")
        counts = _query_counts(school, pages)
        broken = {
            f"{role} {name}": reason
            for (role, name), reason in counts.items()
            if isinstance(reason, str)
        }
        for name, reason in broken.items():
            line(f"left out {name}: fails in-process ({reason})")
        pages = [p for p in pages if isinstance(counts[(p[0].role, p[1])], int)]
        connections.close_all()
        results["loadavg_before"] = os.getloadavg()
        line("load average before: " + _loadavg())
        server = _start_server(port, workers, threads)
        _wait_ready(server, port, school.host)
        sessions: dict[str, list[dict[str, str]]] = {}
        for login in LOGINS:
            if login.role not in roles:
                continue
            host = _host(school, login)
            sessions[login.role] = [
                {"Host": host, "Cookie": _sign_in(port, host, login.username, password)}
                for _ in range(users)
            ]
        anonymous = [{"Host": school.host, "Cookie": f"{language_cookie}={LANGUAGE}"}] * users
        bare = [{"Host": school.host}] * users
        figures: list[PageFigures] = []
        baseline = _load(
            port, "baseline: bare view", BARE_PATH, bare, expect=b"ok", per_user=per_user
        )
        _print(baseline, None)
        login_page = _load(
            port,
            "baseline: login page",
            LOGIN_PATH,
            anonymous,
            expect=b'name="csrfmiddlewaretoken"',
            per_user=per_user,
        )
        _print(login_page, baseline)
        for login, name, path in pages:
            nearby = _load(
                port, "bare", BARE_PATH, bare, expect=b"ok", per_user=max(1, per_user // 3)
            )
            try:
                page = _load(
                    port,
                    name,
                    path,
                    sessions[login.role],
                    expect=LOGOUT_MARKER,
                    per_user=per_user,
                )
            except RuntimeError as error:  # a page broken meanwhile (a shared working tree)
                broken[f"{login.role} {name}"] = str(error)[:300]
                line(f"left out {login.role} {name}: {str(error)[:300]}")
                continue
            queries = counts[(login.role, name)]
            page.queries = queries if isinstance(queries, int) else None
            page.bare_median_ms = nearby.median_ms
            page.role = login.role
            figures.append(page)
            _print(page, baseline)
        results["loadavg_after"] = os.getloadavg()
        line("load average after: " + _loadavg())
        results["left_out"] = broken
        if figures:
            slowest = max(figures, key=lambda f: f.p95_ms)
            line(
                f"slowest: {slowest.role} {slowest.name} (p95 {slowest.p95_ms:.0f} ms, "
                f"{slowest.queries} queries); over 300 ms at p95: "
                + (", ".join(f"{f.role} {f.name}" for f in figures if f.p95_ms >= 300) or "none")
            )
            results["slowest"] = f"{slowest.role} {slowest.name}"
        results.update(
            {
                "bare": baseline.as_dict(),
                "login": login_page.as_dict(),
                "pages": [f.as_dict() for f in figures],
            }
        )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        connections.close_all()
        results["rows_left"] = _unseed(school, mark)
        shutil.rmtree(media_root, ignore_errors=True)
    return results
