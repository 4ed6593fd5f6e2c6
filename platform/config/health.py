"""Liveness of the pieces the platform needs: database, Redis (broker/cache), Celery workers.

A worker counts only when it answers now: a broadcast ping (Redis), or, where the transport
has no broadcast (kombu's SQLAlchemy transport, used by the demo without Redis), a ping task
sent through the queue whose answer the worker writes to the cache. Beat's heartbeat is
reported (``heartbeat_age``) but never stands in for a worker: it may be a previous run's."""

from __future__ import annotations

import secrets
import time
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

HEARTBEAT_KEY = "platform:beat-heartbeat"
PING_KEY = "platform:worker-ping:"
QUEUE_PING_TIMEOUT = 4.0  # seconds: the SQLAlchemy transport polls its table every second


def record_heartbeat() -> None:
    with schema_context(get_public_schema_name()):  # one key for the platform, not per host
        cache.set(HEARTBEAT_KEY, time.time(), timeout=600)


def last_heartbeat() -> float | None:
    """When beat last had the heartbeat run; None when unknown (or the cache is away)."""
    try:
        with schema_context(get_public_schema_name()):
            return cache.get(HEARTBEAT_KEY)
    except Exception:  # Redis down: the report says so under "cache"
        return None


def check_cache() -> dict[str, Any]:
    try:
        with schema_context(get_public_schema_name()):
            cache.get("platform:health-probe")
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def check_outbox() -> dict[str, Any]:
    """Tasks committed but not finished (ADR 0008), and how old the oldest is: informative,
    never failing the check by itself (a backlog drains when workers come back)."""
    try:
        from django.db.models import Min
        from django.utils import timezone

        from config.outbox.models import OutboxMessage

        with schema_context(get_public_schema_name()):
            row = OutboxMessage.objects.filter(finished_at__isnull=True).aggregate(
                oldest=Min("created_at")
            )
            pending = OutboxMessage.objects.filter(finished_at__isnull=True).count()
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    oldest = row["oldest"]
    age = round((timezone.now() - oldest).total_seconds()) if oldest else None
    return {"ok": True, "pending": pending, "oldest_age": age}


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # report, do not crash the health endpoint
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def check_broker() -> dict[str, Any]:
    from config.celery import app

    url = settings.CELERY_BROKER_URL
    if not url:
        return {"ok": False, "error": "no broker configured"}
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "transport": url.split("://", 1)[0]}


@shared_task(name="config.ping", ignore_result=True)
def ping(nonce: str) -> str:
    """A worker's answer to ``ping_through_queue``."""
    with schema_context(get_public_schema_name()):
        cache.set(PING_KEY + nonce, time.time(), timeout=60)
    return "pong"


def ping_through_queue(timeout: float = QUEUE_PING_TIMEOUT) -> bool:
    """Send a ping task and wait until a worker has run it (a live answer, for transports
    without broadcast). An unanswered ping expires in the queue."""
    from config.celery import app

    nonce = secrets.token_hex(8)
    app.send_task("config.ping", kwargs={"nonce": nonce}, expires=timeout + 10)
    deadline = time.monotonic() + timeout
    with schema_context(get_public_schema_name()):
        while True:
            if cache.get(PING_KEY + nonce) is not None:
                cache.delete(PING_KEY + nonce)
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)


def check_workers(timeout: float | None = None) -> dict[str, Any]:
    """Workers that answer a ping now: a broadcast ping, or a ping task through the queue
    where the transport has no broadcast. ``heartbeat_age``: seconds since beat's last
    heartbeat (None before the first one)."""
    from config.celery import app

    timeout = timeout if timeout is not None else settings.HEALTH_WORKER_PING_TIMEOUT
    replies = 0
    error = None
    try:
        if str(settings.CELERY_BROKER_URL).startswith("sqla+"):
            replies = int(ping_through_queue(max(timeout, QUEUE_PING_TIMEOUT)))
        else:
            replies = len(app.control.ping(timeout=timeout) or [])
    except Exception as exc:
        error = exc.__class__.__name__
    last = last_heartbeat()
    age = round(time.time() - last) if last else None
    report: dict[str, Any] = {
        "ok": replies > 0,
        "workers": replies,
        "heartbeat_age": age,
    }
    if error:
        report["error"] = error
    return report


def health_report() -> dict[str, Any]:
    """Each dependency on its own: one being away never keeps the others from being reported."""
    database = check_database()
    report: dict[str, Any] = {
        "database": database,
        "cache": check_cache(),
        "broker": check_broker(),
        "workers": check_workers(),
    }
    if database["ok"]:
        report["outbox"] = check_outbox()
    report["ok"] = all(part["ok"] for part in report.values() if isinstance(part, dict))
    return report
