"""Liveness of the pieces the platform needs: database, Redis (broker/cache), Celery workers."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

HEARTBEAT_KEY = "platform:beat-heartbeat"
HEARTBEAT_MAX_AGE = 180  # seconds; beat sends the heartbeat every minute


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


def check_workers(timeout: float | None = None) -> dict[str, Any]:
    """Workers answer a broadcast ping; where the transport has no broadcast (kombu's
    SQLAlchemy transport, used by the demo without Redis) a recent heartbeat, written by a
    worker running beat's ``config.heartbeat`` task, shows that tasks are being executed."""
    from config.celery import app

    timeout = timeout if timeout is not None else settings.HEALTH_WORKER_PING_TIMEOUT
    replies: list[Any] = []
    error = None
    if not str(settings.CELERY_BROKER_URL).startswith("sqla+"):
        try:
            replies = app.control.ping(timeout=timeout) or []
        except Exception as exc:
            error = exc.__class__.__name__
    last = last_heartbeat()
    age = round(time.time() - last) if last else None
    fresh = age is not None and age < HEARTBEAT_MAX_AGE
    report: dict[str, Any] = {
        "ok": bool(replies) or fresh,
        "workers": len(replies),
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
