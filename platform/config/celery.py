"""The Celery app. Every task runs in a known schema: the schema travels in the message headers
(tenant-schemas-celery), tenant tasks refuse to run in ``public`` and public tasks refuse to run
inside a tenant. Every task is a ``DurableTask`` (config.tasks): sent through the outbox, claimed
before it runs, time-limited (settings: CELERY_TASK_*TIME_LIMIT, CELERY_TASK_ANNOTATIONS)."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp

from config.tasks import PublicTask, TenantScopedTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = CeleryApp("nastavnik", task_cls="config.tasks:DurableTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _sqla_transport_options(sender: CeleryApp, **kwargs: object) -> None:
    """kombu's SQLAlchemy transport (the demo without Redis) hands its transport options to
    SQLAlchemy's create_engine, which refuses Redis's ``visibility_timeout``: none for it."""
    if str(sender.conf.broker_url or "").startswith("sqla+"):
        sender.conf.broker_transport_options = {}


@app.task(name="config.heartbeat", ignore_result=True, base=PublicTask)
def heartbeat() -> str:
    """Beat writes a heartbeat so that /healthz can tell the scheduler and a worker are alive."""
    from config.health import record_heartbeat

    record_heartbeat()
    return "ok"


@app.task(name="config.outbox_relay", ignore_result=True, base=PublicTask)
def outbox_relay() -> dict[str, int]:
    """Publish what the outbox still owes the broker (ADR 0008); beat runs it every
    OUTBOX_RELAY_INTERVAL seconds."""
    from config.outbox.relay import relay_once

    return relay_once()


@app.task(name="config.jobs_sweep", ignore_result=True, base=TenantScopedTask)
def jobs_sweep() -> dict[str, int]:
    """In one institution: fail with a reason, or send again, the jobs their task left behind
    (config.jobs); beat runs it in every institution."""
    from config.jobs import sweep_all

    return sweep_all()
