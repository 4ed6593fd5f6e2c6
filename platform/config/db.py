"""Typed access to the attributes django-tenants adds to the database connection.

django-tenants' ``DatabaseWrapper`` carries the active schema and tenant; Django's stubs only
know ``BaseDatabaseWrapper``. ``tenant_connection()`` returns the same ``django.db.connection``
proxy, typed with the django-tenants attributes the platform uses."""

from __future__ import annotations

from typing import Any, Protocol, cast

from django.db import connection


class TenantConnection(Protocol):
    schema_name: str
    tenant: Any

    def set_tenant(self, tenant: Any, include_public: bool = True) -> None: ...

    def set_schema_to_public(self) -> None: ...


def tenant_connection() -> TenantConnection:
    """The default connection (``django.db.connection``) with django-tenants' attributes."""
    return cast(TenantConnection, connection)
