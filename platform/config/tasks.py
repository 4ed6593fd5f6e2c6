"""Base task classes and the one way to enqueue: durably, after commit, with the schema named.

``enqueue_on_commit`` writes the task into the outbox (``config.outbox``) in the caller's
transaction and publishes it once that commits; the relay sends whatever the broker lost. Every
task of the platform derives from ``DurableTask``: a message that names an outbox row runs only
while its worker holds the row's lease, so a redelivery never runs a task twice at once or after
it finished (ADR 0008)."""

from __future__ import annotations

import logging
from typing import Any

from celery.exceptions import Retry
from django.db import transaction
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask

from config.db import tenant_connection

logger = logging.getLogger(__name__)


class MissingTenantSchema(RuntimeError):
    """A tenant task arrived without a tenant schema: it must not run in ``public``."""


class DurableTask(TenantTask):
    """Runs in the schema its message names (tenant-schemas-celery); acknowledged after it ran,
    so a worker lost mid-task gives the message back; claims its outbox row, if any."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def outbox_id(self) -> int | None:
        headers = self.request.headers or {}
        value = headers.get("_outbox_id") or self.request.get("_outbox_id")
        return int(value) if value else None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        message_id = self.outbox_id()
        if message_id is None:  # sent by beat, a retry of old, or called directly
            return super().__call__(*args, **kwargs)
        from config.outbox import relay

        worker = relay.worker_identity()
        if not relay.claim(message_id, worker):
            logger.info("task %s: outbox %s finished or running elsewhere", self.name, message_id)
            return None
        try:
            with relay.Heartbeat(message_id, worker):
                result = super().__call__(*args, **kwargs)
        except Retry:
            relay.release(message_id, worker)
            raise
        except BaseException as exc:
            relay.finish(message_id, worker, error=exc.__class__.__name__)
            raise
        relay.finish(message_id, worker)
        return result


class TenantScopedTask(DurableTask):
    """A task that works on one institution's data. It fails loudly when its message names no
    tenant schema instead of silently running against the public schema."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if tenant_connection().schema_name == get_public_schema_name():
            raise MissingTenantSchema(
                f"Task {self.name} needs a tenant schema and got none; refusing to run in public."
            )
        # Times the task renders (e-mails, documents, exports) are in the institution's zone.
        from django.utils import timezone

        from tenants.timezones import schema_zone

        with timezone.override(schema_zone(tenant_connection().schema_name)):
            return super().__call__(*args, **kwargs)


class PublicTask(DurableTask):
    """A task of the regional layer: runs in the public schema only."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if tenant_connection().schema_name != get_public_schema_name():
            raise RuntimeError(f"Task {self.name} is public and was sent from a tenant schema.")
        return super().__call__(*args, **kwargs)


def enqueue_on_commit(task: Any, *, schema_name: str | None = None, **kwargs: Any) -> None:
    """Run ``task`` with ids only, once the surrounding transaction commits, whatever the broker
    does meanwhile.

    The schema is fixed now (not at commit time), so a task enqueued for an institution
    always runs in that institution's schema. The outbox row is written now, in the caller's
    transaction: rolled back with it, or committed with it and then published."""
    from config.outbox import relay

    schema = schema_name or tenant_connection().schema_name
    message = relay.write(task_name=task.name, schema_name=schema, kwargs=kwargs)
    transaction.on_commit(lambda: relay.publish(message, task=task))
