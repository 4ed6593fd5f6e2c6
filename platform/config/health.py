"""Liveness of the pieces the platform needs: database, Redis (broker/cache), Celery workers."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

HEARTBEAT_KEY = "platform:beat-heartbeat"


def record_heartbeat() -> None:
    cache.set(HEARTBEAT_KEY, time.time(), timeout=600)


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


def check_workers(timeout: float = 1.0) -> dict[str, Any]:
    from config.celery import app

    try:
        replies = app.control.ping(timeout=timeout) or []
    except Exception as exc:
        return {"ok": False, "workers": 0, "error": exc.__class__.__name__}
    return {"ok": bool(replies), "workers": len(replies)}


def health_report() -> dict[str, Any]:
    report = {
        "database": check_database(),
        "broker": check_broker(),
        "workers": check_workers(),
    }
    report["ok"] = all(part["ok"] for part in report.values() if isinstance(part, dict))
    return report
