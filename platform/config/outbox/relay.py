"""The outbox: writing a task's row, publishing it, and the worker's claim on it (ADR 0008).

* ``write`` stores the intent to run a task in the caller's transaction; once that transaction
  commits, ``publish`` sends it at once (the fast path). A broker that is down only delays it.
* ``relay_once`` (the beat task ``config.outbox_relay`` every ``OUTBOX_RELAY_INTERVAL`` seconds,
  or ``nastavnik outbox-relay``) publishes what was never published, publishes again what no
  worker picked up within ``OUTBOX_REPUBLISH_AFTER`` (Redis flushed, a failover), and what a
  worker started but stopped renewing (killed): so every committed task runs.
* ``claim``/``renew``/``finish`` are used by the tasks' base class (``config.tasks``): a worker
  runs a row's task only while it holds the row's lease, so a redelivered or republished message
  never runs the task twice at once and never after it finished."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from config.outbox.models import OutboxMessage, Outcome

logger = logging.getLogger(__name__)

HEADER = "_outbox_id"
SCHEMA_HEADER = "_schema_name"


def lease_seconds() -> float:
    return float(settings.OUTBOX_LEASE_SECONDS)


def republish_after() -> float:
    return float(settings.OUTBOX_REPUBLISH_AFTER)


def max_runs() -> int:
    return int(settings.OUTBOX_MAX_RUNS)


def worker_identity() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# --- writing and publishing ---------------------------------------------------------------------


def write(*, task_name: str, schema_name: str, kwargs: dict[str, Any]) -> OutboxMessage:
    """The row, in the current transaction (it commits or rolls back with the caller's state)."""
    return OutboxMessage.objects.create(task_name=task_name, schema_name=schema_name, kwargs=kwargs)


def _send(message: OutboxMessage, task: Any = None) -> None:
    from config.celery import app

    task = task if task is not None else app.tasks[message.task_name]
    task.apply_async(
        kwargs=message.kwargs, headers={SCHEMA_HEADER: message.schema_name, HEADER: message.pk}
    )


def publish(message: OutboxMessage, *, task: Any = None) -> bool:
    """Send one row now and note it; a broker error is logged and left to the relay."""
    try:
        _send(message, task)
    except Exception as exc:
        logger.warning(
            "outbox %s (%s): not published now (%s); the relay will send it",
            message.pk,
            message.task_name,
            exc.__class__.__name__,
        )
        return False
    try:
        OutboxMessage.objects.filter(pk=message.pk).update(
            published_at=timezone.now(), publish_count=F("publish_count") + 1
        )
    except Exception as exc:  # the message is out; the relay may send it again (harmless)
        logger.warning("outbox %s: publishing not recorded (%s)", message.pk, type(exc).__name__)
    return True


def due_q(now: Any) -> Q:
    """Rows the relay must (re)send: never published; published but never picked up for a
    while (the broker lost it); picked up by a worker that stopped renewing its lease."""
    never = Q(published_at__isnull=True, created_at__lt=now - timedelta(seconds=2))
    unclaimed = Q(
        lease_until__isnull=True, published_at__lt=now - timedelta(seconds=republish_after())
    )
    lost = Q(lease_until__lt=now)
    return Q(finished_at__isnull=True) & (never | unclaimed | lost)


def relay_once(*, limit: int = 500) -> dict[str, int]:
    """One pass of the relay: publish what is due, give up on rows whose task was lost by a
    worker ``OUTBOX_MAX_RUNS`` times, forget rows finished long ago. Safe to run in several
    processes at once (rows are locked with SKIP LOCKED)."""
    counts = {"published": 0, "abandoned": 0, "failed": 0, "purged": 0}
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(due_q(now))
            .order_by("id")[:limit]
        )
        for message in rows:
            if message.lease_until is not None and message.run_count >= max_runs():
                _abandon(message, now)
                counts["abandoned"] += 1
                continue
            if (
                message.publish_count
                and message.lease_until is None
                and not _backoff_over(message, now)
            ):
                continue
            try:
                _send(message)
            except Exception as exc:
                logger.warning("outbox relay: broker unavailable (%s)", exc.__class__.__name__)
                counts["failed"] += 1
                break  # the broker is down: the next pass tries again
            message.published_at = now
            message.publish_count += 1
            message.lease_until = None
            message.save(update_fields=["published_at", "publish_count", "lease_until"])
            counts["published"] += 1
    keep = timedelta(days=settings.OUTBOX_KEEP_DAYS)
    counts["purged"], _ = OutboxMessage.objects.filter(finished_at__lt=now - keep).delete()
    if counts["published"] or counts["abandoned"]:
        logger.info("outbox relay: %s", counts)
    return counts


def _backoff_over(message: OutboxMessage, now: Any) -> bool:
    """A message republished because nobody picked it up waits longer each time (a long queue
    is not a lost one): REPUBLISH_AFTER × 2^(n-1), at most 64 ×."""
    if message.published_at is None:
        return True
    factor = 2 ** min(max(message.publish_count - 1, 0), 6)
    return message.published_at <= now - timedelta(seconds=republish_after() * factor)


def _abandon(message: OutboxMessage, now: Any) -> None:
    message.finished_at = now
    message.outcome = Outcome.ABANDONED
    message.error = f"worker lost {message.run_count} times"
    message.lease_until = None
    message.save(update_fields=["finished_at", "outcome", "error", "lease_until"])
    logger.error("outbox %s (%s): abandoned, %s", message.pk, message.task_name, message.error)


def pending(schema_names: Iterable[str] | None = None) -> int:
    """Rows not finished yet (optionally of some schemas): for health and operations."""
    qs = OutboxMessage.objects.filter(finished_at__isnull=True)
    if schema_names is not None:
        qs = qs.filter(schema_name__in=list(schema_names))
    return qs.count()


# --- the worker's side ---------------------------------------------------------------------------


def claim(message_id: int, worker: str) -> bool:
    """Take the row's lease: only when it is not finished and nobody holds a live lease."""
    now = timezone.now()
    return bool(
        OutboxMessage.objects.filter(pk=message_id, finished_at__isnull=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(
            claimed_by=worker,
            started_at=now,
            lease_until=now + timedelta(seconds=lease_seconds()),
            run_count=F("run_count") + 1,
        )
    )


def renew(message_id: int, worker: str) -> bool:
    now = timezone.now()
    return bool(
        OutboxMessage.objects.filter(
            pk=message_id, claimed_by=worker, finished_at__isnull=True
        ).update(lease_until=now + timedelta(seconds=lease_seconds()))
    )


def finish(message_id: int, worker: str, *, error: str = "") -> None:
    OutboxMessage.objects.filter(pk=message_id, claimed_by=worker).update(
        finished_at=timezone.now(),
        lease_until=None,
        outcome=Outcome.FAILED if error else Outcome.DONE,
        error=error[:200],
    )


def release(message_id: int, worker: str) -> None:
    """The task asked to be retried: Celery sent the retry; the row waits for it, unleased."""
    OutboxMessage.objects.filter(pk=message_id, claimed_by=worker).update(
        lease_until=None, published_at=timezone.now()
    )


class Heartbeat:
    """Renews a claimed row's lease from a thread (its own database connection) while the task
    runs; a killed worker stops renewing and the relay republishes the row when it lapses."""

    def __init__(self, message_id: int, worker: str) -> None:
        self.message_id = message_id
        self.worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"outbox-lease-{message_id}")
        self._thread.daemon = True

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        interval = max(lease_seconds() / 3, 0.2)
        try:
            while not self._stop.wait(interval):
                try:
                    renew(self.message_id, self.worker)
                except Exception as exc:  # the database is away: the lease may lapse
                    logger.warning("outbox lease not renewed (%s)", exc.__class__.__name__)
                    connection.close()  # the next renewal connects again (a restarted server)
        finally:
            connection.close()
