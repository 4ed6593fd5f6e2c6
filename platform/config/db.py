"""Typed access to the attributes django-tenants adds to the database connection.

django-tenants' ``DatabaseWrapper`` carries the active schema and tenant; Django's stubs only
know ``BaseDatabaseWrapper``. ``tenant_connection()`` returns the same ``django.db.connection``
proxy, typed with the django-tenants attributes the platform uses."""

from __future__ import annotations

import re
from typing import Any, Protocol, cast

from django.db import connection


class TenantConnection(Protocol):
    schema_name: str
    tenant: Any
    # the search path the connection has (None: set it before the next statement)
    search_path_set_schemas: list[str] | None

    def _get_cursor_search_paths(self) -> list[str]: ...

    def set_tenant(self, tenant: Any, include_public: bool = True) -> None: ...

    def set_schema_to_public(self) -> None: ...


def tenant_connection() -> TenantConnection:
    """The default connection (``django.db.connection``) with django-tenants' attributes."""
    return cast(TenantConnection, connection)


_FLAG_NAME = re.compile(r"^[a-z_]+\.[a-z_]+$")


def set_local(name: str, value: str) -> None:
    """Set a transaction-scoped flag (``SET LOCAL``) that triggers read, here and on Citus.

    ``SELECT set_config`` (a function call) Citus does not forward: on a
    distributed institution the trigger runs on the worker node and never sees the flag.
    ``SET LOCAL`` with ``citus.propagate_set_commands = 'local'`` is sent to every node the
    transaction uses (docs/scaling.md). On PostgreSQL without Citus the ``citus.`` setting is a
    harmless placeholder, so the statement is the same everywhere."""
    if not _FLAG_NAME.match(name):
        raise ValueError(f"not a flag name: {name!r}")
    if not connection.in_atomic_block:
        raise RuntimeError("set_local must run inside transaction.atomic()")
    literal = "'" + value.replace("'", "''") + "'"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL {name} = {literal}"
        )
