"""Base task classes and the one way to enqueue: after commit, with the schema named."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask

from config.db import tenant_connection


class MissingTenantSchema(RuntimeError):
    """A tenant task arrived without a tenant schema: it must not run in ``public``."""


class TenantScopedTask(TenantTask):
    """A task that works on one institution's data. It fails loudly when its message names no
    tenant schema instead of silently running against the public schema."""

    abstract = True
    acks_late = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if tenant_connection().schema_name == get_public_schema_name():
            raise MissingTenantSchema(
                f"Task {self.name} needs a tenant schema and got none; refusing to run in public."
            )
        return super().__call__(*args, **kwargs)


class PublicTask(TenantTask):
    """A task of the regional layer: runs in the public schema only."""

    abstract = True
    acks_late = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if tenant_connection().schema_name != get_public_schema_name():
            raise RuntimeError(f"Task {self.name} is public and was sent from a tenant schema.")
        return super().__call__(*args, **kwargs)


def enqueue_on_commit(task: Any, *, schema_name: str | None = None, **kwargs: Any) -> None:
    """Send ``task`` with ids only, once the surrounding transaction commits.

    The schema is fixed now (not at commit time), so a task enqueued for an institution
    always runs in that institution's schema."""
    schema = schema_name or tenant_connection().schema_name
    headers = {"_schema_name": schema}
    transaction.on_commit(lambda: task.apply_async(kwargs=kwargs, headers=headers))
