"""Latency and throughput of the coordinator's pages under concurrent users, against a real
server, compared with two baselines measured the same way in the same run.

Data: the demo region of ``nastavnik demo`` (``tenants.demo.demo_region_ensure``: three
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
USERNAME = "coordinator"
LANGUAGE = "ru"
BARE_PATH = "/bench/bare/"
LOGIN_PATH = "/accounts/login/"
LOGOUT_MARKER = b'action="/accounts/logout/"'

# The school's size: a mid-sized Russian school's mentoring programme.
MENTOR_TEACHERS = 20
YOUNG_TEACHERS = 15
MENTOR_PUPILS = 40  # grades 9-11
MENTEE_PUPILS = 120  # grades 5-8
PUPILS_WITHOUT_CONSENT = 12
IMPORT_BATCHES = 3

LAST_NAMES = [
    "Иванов",
    "Петров",
    "Сидоров",
    "Кузнецов",
    "Смирнов",
    "Попов",
    "Васильев",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
]
FIRST_NAMES = [
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Артём",
    "Илья",
    "Кирилл",
    "Михаил",
    "Никита",
    "Матвей",
    "Роман",
    "Егор",
    "Арсений",
    "Иван",
    "Денис",
    "Евгений",
    "Тимофей",
    "Владимир",
]
FEMALE_FIRST_NAMES = ["Анна", "Мария", "Елена", "Ольга", "Дарья", "Ксения", "Полина", "Алина"]
MIDDLE_NAMES = [
    "Александрович",
    "Дмитриевич",
    "Сергеевич",
    "Андреевич",
    "Игоревич",
    "Олегович",
    "Петрович",
]


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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- data --------------------------------------------------------------------------------------


def _name(i: int, *, female: bool = False) -> tuple[str, str, str]:
    last = LAST_NAMES[i % len(LAST_NAMES)]
    names = FEMALE_FIRST_NAMES if female else FIRST_NAMES
    first = names[(i // len(LAST_NAMES) + i) % len(names)]
    middle = MIDDLE_NAMES[i % len(MIDDLE_NAMES)]
    if female:  # Иванов → Иванова, Петрович → Петровна
        last, middle = last + "а", middle[:-3] + "на"
    return last, first, middle


def _birth(years_ago: int, i: int) -> datetime.date:
    today = datetime.date.today()
    return datetime.date(today.year - years_ago, 1 + i % 12, 1 + i % 28)


def _consent(participant: Any, today: datetime.date) -> None:
    """A valid grant: by the guardian under 18 (and by the minor too from 14), else self."""
    from schools.participants import api as participants

    age = (
        today.year
        - participant.birth_date.year
        - ((today.month, today.day) < (participant.birth_date.month, participant.birth_date.day))
    )
    minor = age < 18
    participants.consent_record(
        participant_id=participant.pk,
        kind="grant",
        signed_by="guardian" if minor else "self",
        guardian_name=f"{participant.last_name} Ольга Викторовна" if minor else "",
        guardian_relation="mother" if minor else "",
        minor_signed=minor and age >= 14,
        signed_on=today,
        method="paper_scan",
    )


def _people() -> tuple[list[Any], list[str]]:
    """The rows for ``participants_create_many`` and what each person is in the programme."""
    from schools.participants import api as participants

    rows: list[Any] = []
    roles: list[str] = []

    def add(role: str, n: int, years: int, category: str, group: str = "", **extra: Any) -> None:
        last, first, middle = _name(n, female=n % 2 == 0)
        rows.append(
            participants.NewParticipant(
                last_name=last,
                first_name=first,
                middle_name=middle,
                birth_date=_birth(years, n),
                category=category,
                study_group_name=group,
                **extra,
            )
        )
        roles.append(role)

    for i in range(MENTOR_TEACHERS):
        add("teacher_mentor", i, 35 + i % 25, "teacher")
    for i in range(YOUNG_TEACHERS):
        add("teacher_mentee", 100 + i, 23 + i % 4, "teacher", is_young_specialist=True)
    for i in range(MENTOR_PUPILS):
        grade = 9 + i % 3
        add("pupil_mentor", 200 + i, grade + 6, "pupil", f"{grade}{'АБ'[i % 2]}")
    for i in range(MENTEE_PUPILS):
        grade = 5 + i % 4
        add("pupil_mentee", 300 + i, grade + 6, "pupil", f"{grade}{'АБВ'[i % 3]}")
    return rows, roles


PUPIL_SKILLS: list[list[str]] = [
    ["career_guidance"],
    ["entrepreneurship"],
    ["career_guidance", "sport"],
]


def _profiles(ids: list[int], roles: list[str]) -> tuple[list[Any], list[Any]]:
    """Mentor and mentee profiles whose competences and requests overlap (the shared tag
    codes: methodology, career_guidance, entrepreneurship)."""
    from schools.participants import api as participants

    mentors: list[Any] = []
    mentees: list[Any] = []
    pupil_needs: list[list[str]] = [["career_guidance"], ["entrepreneurship"], []]
    for n, (pk, role) in enumerate(zip(ids, roles, strict=True)):
        if role == "teacher_mentor":
            skills = ["methodology", "classroom_management", "digital_skills"][: 1 + n % 3]
            mentors.append(
                participants.MentorProfileData(
                    participant_id=pk, competence_codes=skills, capacity=2, hours_per_month=6
                )
            )
        elif role == "pupil_mentor":
            mentors.append(
                participants.MentorProfileData(
                    participant_id=pk,
                    competence_codes=PUPIL_SKILLS[n % 3],
                    capacity=3,
                    hours_per_month=4,
                )
            )
        elif role == "teacher_mentee":
            mentees.append(
                participants.MenteeProfileData(
                    participant_id=pk, need_codes=["methodology"], preferred_form="teacher_teacher"
                )
            )
        else:
            mentees.append(
                participants.MenteeProfileData(participant_id=pk, need_codes=pupil_needs[n % 3])
            )
    return mentors, mentees


def _xlsx(rows: list[list[Any]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _school_fill(schema_name: str, media_root: str) -> dict[str, int]:
    """The mentoring programme of the demo school, through the services; returns the ids of
    the detail pages."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.test import override_settings
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from accounts.models import User
    from schools.imports import services as import_services
    from schools.matching import services as matching_services
    from schools.pairs import selectors as pair_selectors
    from schools.pairs import services as pair_services
    from schools.participants import api as participants
    from schools.programmes import selectors as programme_selectors

    today = timezone.localdate()
    now = timezone.now()
    midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    held_at = max(now - datetime.timedelta(minutes=10), midnight)
    with schema_context(schema_name), override_settings(MEDIA_ROOT=media_root):
        with transaction.atomic():
            coordinator = User.objects.get(username=USERNAME)
            programme = programme_selectors.programme_current()
            assert programme is not None, "the demo school has no programme this year"
            rows, roles = _people()
            ids = participants.participants_create_many(rows=rows, actor=coordinator)
            people = {p.pk: p for p in participants.participant_list().filter(pk__in=ids)}
            without_consent = {
                pk for pk, role in zip(ids, roles, strict=True) if role == "pupil_mentee"
            }
            without_consent = set(sorted(without_consent)[:PUPILS_WITHOUT_CONSENT])
            for pk in ids:
                if pk not in without_consent:
                    _consent(people[pk], today)
            mentor_rows, mentee_rows = _profiles(ids, roles)
            participants.mentor_profiles_upsert_many(rows=mentor_rows, actor=coordinator)
            participants.mentee_profiles_upsert_many(rows=mentee_rows, actor=coordinator)
            run = matching_services.run_create(programme=programme, actor=coordinator)
            run.refresh_from_db()
            matching_services.run_approve(run=run, accept_proposed=True, actor=coordinator)
            # pairs of this run (the demo pair has its meetings already)
            pairs = list(pair_selectors.pair_list().filter(meetings__isnull=True).order_by("pk"))
            for n, pair in enumerate(pairs):
                first = pair_services.meeting_create(
                    pair=pair,
                    kind="organisational",
                    starts_at=held_at,
                    place="Кабинет 21",
                    actor=coordinator,
                )
                members = [pair.mentor_id, *[m.mentee_id for m in pair.memberships.all()]]
                pair_services.meeting_record_attendance(
                    meeting=first, participant_ids=members, actor=coordinator
                )
                if n % 3:
                    pair_services.meeting_create(
                        pair=pair,
                        kind="trial",
                        starts_at=now + datetime.timedelta(days=7 + n % 5),
                        place="Библиотека",
                        actor=coordinator,
                    )
        header = ["ФИО", "Дата рождения", "Категория", "Класс/Группа"]
        batch_ids = []
        for n in range(IMPORT_BATCHES):
            last, name, middle = _name(500 + n)
            content = _xlsx(
                [
                    header,
                    [f"{last} {name} {middle}", f"01.02.{today.year - 12}", "ученик", "6А"],
                    ["Без Даты Рождения", "", "ученик", "6А"],
                ]
            )
            batch = import_services.import_batch_create(
                kind="participants",
                uploaded_file=SimpleUploadedFile(f"ученики-{n + 1}.xlsx", content),
                created_by=coordinator,
            )
            batch_ids.append(batch.pk)
        mentee = next(pk for pk, role in zip(ids, roles, strict=True) if role == "pupil_mentee")
        return {
            "run": run.pk,
            "pairs": len(pairs),
            "pair": pairs[0].pk,
            "participant": mentee,
            "participants": len(ids),
            "importbatch": batch_ids[-1],
            "proposals": run.proposals.count(),
        }


def _seed(media_root: str) -> tuple[Any, str, dict[str, int]]:
    """The demo region, and the programme of its first school. Returns (the school, the
    demo password, ids)."""
    from config.cache import create_cache_table
    from tenants import demo, schemas

    schemas.sync_template_schema()
    create_cache_table()
    region = demo.demo_region_ensure()
    school = region.institutions[0]
    ids = _school_fill(school.schema_name, media_root)
    return school, demo.DEMO_PASSWORD, ids


def _unseed() -> None:
    """Drop the demo schemas and rows. Best effort: rows other apps made for the demo
    institutions (e.g. KPI snapshots) may protect them; the runner drops the whole database
    at the end anyway."""
    from django.db import transaction
    from django_tenants.utils import get_public_schema_name, schema_context

    from accounts.models import User
    from regional.employers.models import Employer
    from tenants import demo, schemas
    from tenants.models import Domain, Institution

    with schema_context(get_public_schema_name()):
        slugs = [spec.slug for spec in demo.INSTITUTIONS]
        for institution in Institution.objects.filter(slug__in=slugs):
            schemas.drop_schema(institution.schema_name)
        try:
            with transaction.atomic():
                Domain.objects.filter(tenant__slug__in=slugs).delete()
                Institution.objects.filter(slug__in=slugs).delete()
                Employer.objects.filter(inn=demo.EMPLOYER_INN).delete()
                people = [*demo.REGIONAL_PEOPLE, demo.EMPLOYER_PERSON]
                User.objects.filter(username__in=[p.username for p in people]).delete()
        except Exception as error:
            line(f"demo rows left in the public schema ({type(error).__name__}): {error}"[:300])


# --- pages -------------------------------------------------------------------------------------


def _pages(ids: dict[str, int]) -> list[tuple[str, str]]:
    """The coordinator's menu as it stands (entries whose page exists), then detail pages."""
    from django.urls import NoReverseMatch, reverse

    from accounts.models import Role
    from config.pages import TENANT_NAV

    urlconf = "config.urls_tenant"
    pages: list[tuple[str, str]] = []
    for name, _label, roles in TENANT_NAV:
        if Role.COORDINATOR not in roles:
            continue
        try:
            pages.append((name, reverse(name, urlconf=urlconf)))
        except NoReverseMatch:
            continue
    for name, key in (
        ("school:participant", "participant"),
        ("school:matching-run", "run"),
        ("school:pair", "pair"),
        ("school:import", "importbatch"),
    ):
        try:
            pages.append((name, reverse(name, kwargs={"pk": ids[key]}, urlconf=urlconf)))
        except NoReverseMatch:
            continue
    return pages


def _query_counts(school: Any, pages: list[tuple[str, str]]) -> dict[str, int | str]:
    """SQL queries per page, in-process (the Django test client through the whole stack); a
    page that fails here (another area's work in progress) gets the reason instead."""
    import logging

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from accounts.models import User

    client = Client(HTTP_HOST=school.host, raise_request_exception=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = LANGUAGE
    with schema_context(school.schema_name):
        user = User.objects.get(username=USERNAME)
        client.force_login(user, backend="accounts.backends.InstitutionAwareBackend")
    counts: dict[str, int | str] = {}
    logging.getLogger("django.request").disabled = True  # failures are reported below
    for name, path in pages:
        try:
            client.get(path)  # warm: first-use caches (content types, translations)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
        except Exception as error:
            counts[name] = f"{type(error).__name__}: {error}"[:200]
            continue
        if response.status_code != 200:
            counts[name] = f"status {response.status_code}"
            continue
        counts[name] = len(queries)
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


def _sign_in(port: int, host: str, password: str) -> str:
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
            "username": USERNAME,
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
    line(
        f"{figures.name:<26} median {figures.median_ms:7.1f} ms  p95 {figures.p95_ms:7.1f} ms  "
        f"{figures.requests_per_s:6.1f} req/s  {figures.bytes / 1024:6.1f} KiB {queries}{vs}"
    )


def run(*, users: int, per_user: int, workers: int, threads: int) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connections

    language_cookie = settings.LANGUAGE_COOKIE_NAME
    heading(
        f"Pages: the coordinator's pages of the demo school, {users} concurrent users, "
        f"{per_user} requests each per page; gunicorn {workers} workers x {threads} threads"
    )
    port = _free_port()
    server: subprocess.Popen[bytes] | None = None
    media_root = tempfile.mkdtemp(prefix="nastavnik-bench-pages-")
    results: dict[str, Any] = {"users": users, "workers": workers, "threads": threads}
    try:
        school, password, ids = _seed(media_root)
        line(
            f"demo school {school.host}: {ids['participants']} participants, "
            f"{ids['proposals']} proposals, {ids['pairs']} pairs and groups"
        )
        results["data"] = ids
        pages = _pages(ids)
        counts = _query_counts(school, pages)
        broken = {name: reason for name, reason in counts.items() if isinstance(reason, str)}
        for name, reason in broken.items():
            line(f"left out {name}: fails in-process ({reason})")
        pages = [(name, path) for name, path in pages if name not in broken]
        results["left_out"] = broken
        connections.close_all()
        results["loadavg_before"] = os.getloadavg()
        line("load average before: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
        server = _start_server(port, workers, threads)
        _wait_ready(server, port, school.host)
        session_headers = [
            {"Host": school.host, "Cookie": _sign_in(port, school.host, password)}
            for _ in range(users)
        ]
        anonymous = [{"Host": school.host, "Cookie": f"{language_cookie}={LANGUAGE}"}] * users
        bare = [{"Host": school.host}] * users
        figures: list[PageFigures] = []
        baseline = _load(
            port, "baseline: bare view", BARE_PATH, bare, expect=b"ok", per_user=per_user
        )
        _print(baseline, None)
        login = _load(
            port,
            "baseline: login page",
            LOGIN_PATH,
            anonymous,
            expect=b'name="csrfmiddlewaretoken"',
            per_user=per_user,
        )
        _print(login, baseline)
        for name, path in pages:
            nearby = _load(
                port, "bare", BARE_PATH, bare, expect=b"ok", per_user=max(1, per_user // 3)
            )
            try:
                page = _load(
                    port, name, path, session_headers, expect=LOGOUT_MARKER, per_user=per_user
                )
            except RuntimeError as error:  # a page broken meanwhile (a shared working tree)
                broken[name] = str(error)[:300]
                line(f"left out {name}: {broken[name]}")
                continue
            queries = counts[name]
            page.queries = queries if isinstance(queries, int) else None
            page.bare_median_ms = nearby.median_ms
            figures.append(page)
            _print(page, baseline)
        results["loadavg_after"] = os.getloadavg()
        line("load average after: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
        slowest = max(figures, key=lambda f: f.median_ms)
        line(
            f"slowest: {slowest.name} (median {slowest.median_ms:.0f} ms, "
            f"{slowest.queries} queries)"
        )
        results.update(
            {
                "bare": baseline.as_dict(),
                "login": login.as_dict(),
                "pages": [f.as_dict() for f in figures],
                "slowest": slowest.name,
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
        _unseed()
        shutil.rmtree(media_root, ignore_errors=True)
    return results
