"""Background jobs that recover by themselves (ADR 0008).

A job row (an import batch, a document set, a matching run…) is worked on by a task sent through
the outbox. ``task_state`` tells what became of the job's latest task; a job still queued or
running whose task is no longer pending was left behind (its worker was lost too often, or the
job predates the outbox): the app's sweeper fails it with a reason the page shows, or sends it
again. Apps register their sweepers (``register``) in ``AppConfig.ready``; beat runs
``config.jobs_sweep`` in every institution every few minutes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from config.db import tenant_connection

logger = logging.getLogger(__name__)

PENDING = "pending"

_SWEEPERS: dict[str, Callable[[], int]] = {}


def register(name: str, sweeper: Callable[[], int]) -> None:
    _SWEEPERS[name] = sweeper


def sweepers() -> dict[str, Callable[[], int]]:
    return dict(_SWEEPERS)


def stuck_before() -> datetime:
    """Jobs younger than this are never called stuck (their task may just be starting)."""
    return timezone.now() - timedelta(seconds=float(settings.JOB_STUCK_AFTER))


def _latest_message(task: Any, kwargs: dict[str, Any], *fields: str) -> dict[str, Any] | None:
    """The latest outbox row of ``task`` for these ids in the current schema (its ``fields``)."""
    from config.outbox.models import OutboxMessage

    name = task if isinstance(task, str) else task.name
    lookups = {f"kwargs__{key}": value for key, value in kwargs.items()}
    return (
        OutboxMessage.objects.filter(
            task_name=name, schema_name=tenant_connection().schema_name, **lookups
        )
        .order_by("-id")
        .values(*fields)
        .first()
    )


def task_state(task: Any, **kwargs: Any) -> str | None:
    """What became of the latest task sent for these ids in the current schema: ``pending``
    (not finished: queued, running or to be sent again), ``done``, ``failed``, ``abandoned``,
    or None when no task was ever sent through the outbox."""
    row = _latest_message(task, kwargs, "finished_at", "outcome")
    if row is None:
        return None
    return PENDING if row["finished_at"] is None else str(row["outcome"])


def task_running(task: Any, **kwargs: Any) -> bool:
    """Whether a worker holds a live lease on the latest task sent for these ids in the current
    schema: it works on the job right now (a cancel waits for it; a stuck job has none)."""
    row = _latest_message(task, kwargs, "finished_at", "lease_until")
    return bool(
        row is not None
        and row["finished_at"] is None
        and row["lease_until"] is not None
        and row["lease_until"] > timezone.now()
    )


def sweep_all() -> dict[str, int]:
    """Run every registered sweeper in the current schema; one failing never stops the rest."""
    counts: dict[str, int] = {}
    for name, sweeper in sweepers().items():
        try:
            counts[name] = sweeper()
        except Exception:
            logger.exception("job sweeper %s failed", name)
            counts[name] = -1
    if any(counts.values()):
        logger.info("jobs sweep: %s", counts)
    return counts
