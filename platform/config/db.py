"""Typed access to the attributes django-tenants adds to the database connection.

django-tenants' ``DatabaseWrapper`` carries the active schema and tenant; Django's stubs only
know ``BaseDatabaseWrapper``. ``tenant_connection()`` returns the same ``django.db.connection``
proxy, typed with the django-tenants attributes the platform uses."""

from __future__ import annotations

import datetime
import re
from typing import Any, ClassVar, Protocol, cast

from django.conf import settings
from django.db import connection
from psycopg.pq import Format


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


class _CTimestamptzLoader:
    """psycopg's C loader of ``timestamptz`` (text format) where Django registers a Python one.

    Django's psycopg backend loads every ``timestamptz`` with a subclass of psycopg's
    *Python* loader (``psycopg_any.BaseTzLoader``: a regular expression per value, then
    ``replace(tzinfo=connection.timezone)``), even when psycopg's C extension is installed;
    a page of 50 rows with three date-times spent more time there than in its query. The C
    loader gives the same values: the instant in the session's time zone, which Django set to
    UTC when it opened the connection (``_configure_timezone``), as ``datetime.timezone.utc``
    (psycopg's ``_tz.get_tzinfo``). The C class cannot be subclassed, so this class stands in
    for it: its ``load`` is the C loader's bound method (psycopg calls ``loader.load`` per
    value, so no Python frame runs per value), and ``timezone`` is what Django's
    ``create_cursor`` compares with the connection's to decide whether a cursor needs a loader
    of its own. ``tests/config/test_db.py`` compares its values with Django's."""

    format = Format.TEXT
    timezone = datetime.UTC
    c_loader: ClassVar[Any] = None  # psycopg's C TimestamptzLoader, when it is installed

    def __init__(self, oid: int, context: Any = None) -> None:
        self.oid = oid
        self.load = self.c_loader(oid, context).load


def _c_timestamptz_loader() -> Any:
    """psycopg's C loader class of ``timestamptz`` in text, or None (pure-Python psycopg)."""
    import psycopg

    loader = psycopg.adapters.get_loader(psycopg.postgres.types["timestamptz"].oid, Format.TEXT)
    module = getattr(loader, "__module__", "") or ""
    return loader if module.startswith(("psycopg_binary.", "psycopg_c.")) else None


def use_c_timestamptz_loader(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: a new PostgreSQL connection loads ``timestamptz`` with psycopg's
    C loader (above) when Django wants UTC values from a UTC session (``USE_TZ`` and no
    ``TIME_ZONE`` of the database: the project's case); anything else keeps Django's loader."""
    if connection.vendor != "postgresql" or not settings.USE_TZ:
        return
    if connection.timezone_name != "UTC" or connection.timezone != datetime.UTC:
        return
    if _CTimestamptzLoader.c_loader is None:
        _CTimestamptzLoader.c_loader = _c_timestamptz_loader()
        if _CTimestamptzLoader.c_loader is None:
            return
    connection.connection.adapters.register_loader("timestamptz", _CTimestamptzLoader)
