"""Fault tests: real processes (a Redis server of their own, Celery workers as subprocesses on
the test database) that are killed, flushed and cut off, as an operator's bad day would.

The module's Redis is private (a random port): flushing it or stopping it touches nobody
else's queue. Workers run with short leases (``OUTBOX_LEASE_SECONDS``), so a lost task comes
back within seconds; the relay is run by the test itself, as beat would run it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import schema_exists

from config.db import tenant_connection
from tenants.models import Domain, Institution
from tests.conftest import Tenants, _provision

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 1.0

pytestmark = pytest.mark.fault


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], Any], timeout: float = 45.0, step: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: self.cli("PING") == "PONG", timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # nothing of it is kept
            self.process.wait(timeout=10)
            self.process = None

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return result.stdout.strip()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is needed for the fault tests (apt-get install redis-server)")
    server = RedisServer(port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def broker(redis_server: RedisServer) -> Iterator[RedisServer]:
    """This process publishes to the private Redis for the module's duration."""
    from config.celery import app

    before = app.conf.broker_url
    app.conf.broker_url = redis_server.url
    app._pool = None
    app.amqp._producer_pool = None
    yield redis_server
    app.conf.broker_url = before
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(scope="package")
def media_root() -> Iterator[str]:
    path = tempfile.mkdtemp(prefix="nastavnik-fault-media-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="package")
def school(django_db_setup: Tenants, django_db_blocker: Any) -> Iterator[Institution]:
    """An institution of the fault tests' own: what they kill, break and restore is its."""
    from tenants.schemas import drop_schema

    with django_db_blocker.unblock():
        tenant_connection().set_schema_to_public()
        institution = _provision("fault-school", "Школа сбоев", django_db_setup.municipality)
    yield institution
    with django_db_blocker.unblock():
        tenant_connection().set_schema_to_public()
        if schema_exists(institution.schema_name):
            drop_schema(institution.schema_name)
        Domain.objects.filter(tenant_id=institution.pk).delete()
        Institution.objects.filter(pk=institution.pk).delete()


def process_env(redis: RedisServer, media_root: str, extra_env: dict[str, str]) -> dict[str, str]:
    """The environment of a worker or beat of the fault tests: the test database, the private
    Redis, this process's queue."""
    from config.celery import app

    db = connection.settings_dict
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        "DATABASE_URL": f"postgres://{user}{password}@{host}:{port}/{db['NAME']}",
        "REDIS_URL": redis.url,
        "TEST_CELERY_QUEUE": app.conf.task_default_queue,
        "MEDIA_ROOT": media_root,
        "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        **extra_env,
    }


class Process:
    """A celery process in a process group of its own."""

    process: subprocess.Popen[bytes]

    def _spawn(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        """SIGKILL to the whole process group, as a host restart does."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.kill()  # its queue is the module's own: nothing to hand back cleanly


class Worker(Process):
    """``celery worker`` (``concurrency`` pool processes) on the test database, the private
    Redis and this process's queue."""

    def __init__(
        self, redis: RedisServer, media_root: str, extra_env: dict[str, str], concurrency: int = 1
    ) -> None:
        from config.celery import app

        self.queue = app.conf.task_default_queue
        self._spawn(
            [
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
                "-Q",
                self.queue,
                "-n",
                f"fault-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            process_env(redis, media_root, extra_env),
        )


class Beat(Process):
    """``celery beat`` with the platform's database scheduler, on the test database and the
    private Redis (no pid file: two may run at once)."""

    def __init__(self, redis: RedisServer, media_root: str, extra_env: dict[str, str]) -> None:
        self._spawn(
            ["beat", "--loglevel=WARNING", "--max-interval=1", "--pidfile="],
            process_env(redis, media_root, extra_env),
        )


@pytest.fixture
def start_worker(broker: RedisServer, media_root: str) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def _start(concurrency: int = 1, **extra_env: str) -> Worker:
        worker = Worker(broker, media_root, extra_env, concurrency=concurrency)
        started.append(worker)
        return worker

    yield _start
    for worker in started:
        worker.stop()


@pytest.fixture
def start_beat(broker: RedisServer, media_root: str) -> Iterator[Callable[..., Beat]]:
    started: list[Beat] = []

    def _start(**extra_env: str) -> Beat:
        beat = Beat(broker, media_root, extra_env)
        started.append(beat)
        return beat

    yield _start
    for beat in started:
        beat.stop()


def pair_with_a_meeting_tomorrow(
    *, year: int, title: str, mentor_email: str, mentee_email: str, place: str
) -> tuple[Any, Any, Any]:
    """In the active schema: a teacher-teacher programme of ``year``, a pair formed three
    days ago and its organisational meeting tomorrow at 15:00 (programme, pair, meeting) —
    what the reminder fault tests send letters about."""
    import datetime

    from django.utils import timezone

    from schools.pairs import services as pairs
    from schools.programmes.models import Programme
    from tests import builders
    from tests.conftest import SETUP
    from tests.schools.pairs.test_calendar_and_reminders import tomorrow_at

    programme = Programme.objects.create(
        academic_year=year, title=title, status="active", forms=["teacher_teacher"]
    )
    mentor = builders.person(names="Соколова Анна Петровна", mentor_capacity=1, email=mentor_email)
    mentee = builders.person(names="Ёлкин Иван Петрович", email=mentee_email)
    pair = pairs.pair_create(
        programme_id=programme.pk,
        mentor_participant_id=mentor.pk,
        mentee_participant_ids=[mentee.pk],
        form="teacher_teacher",
        started_on=timezone.localdate() - datetime.timedelta(days=3),
        actor=SETUP,
    )
    meeting = pairs.meeting_create(
        pair=pair, kind="organisational", starts_at=tomorrow_at(15), place=place, actor=SETUP
    )
    return programme, pair, meeting
