"""PostgreSQL schemas of institutions: naming rules, the migrated template, cloning."""

from __future__ import annotations

import re
from functools import cache

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django_tenants.clone import CloneSchema
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from config.db import tenant_connection

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
RESERVED_SLUGS = frozenset(
    {
        "www",
        "api",
        "admin",
        "static",
        "media",
        "public",
        "mail",
        "smtp",
        "ftp",
        "regional",
        "region",
        "employer",
        "employers",
        "demo",
        "test",
        "template",
        "information-schema",
    }
)
# Serialises every change to the template schema across processes.
TEMPLATE_LOCK_ID = 0x6E61_7374  # "nast"


def template_schema_name() -> str:
    return str(settings.TENANT_BASE_SCHEMA)


def schema_name_for_slug(slug: str) -> str:
    return slug.replace("-", "_")


@cache
def postgres_keywords() -> frozenset[str]:
    """Every keyword PostgreSQL knows, reserved or not: none of them may name a schema."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM pg_get_keywords()")
        return frozenset(row[0] for row in cursor.fetchall())


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name an institution's host and schema, or None if it can."""
    if not SLUG_RE.match(slug):
        return "format"
    if "--" in slug:
        return "format"
    schema = schema_name_for_slug(slug)
    if slug in RESERVED_SLUGS or schema.startswith("pg_") or schema == template_schema_name():
        return "reserved"
    if schema in postgres_keywords() or slug in postgres_keywords():
        return "keyword"
    return None


def tenant_app_labels() -> set[str]:
    from django.apps import apps

    return {
        config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS
    }


def _tenant_leaf_migrations() -> set[tuple[str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.graph.nodes)


def template_is_current() -> bool:
    """True when the template schema has every migration of the tenant apps applied."""
    name = template_schema_name()
    if not schema_exists(name):
        return False
    wanted = {key for key in _tenant_leaf_migrations() if key[0] in tenant_app_labels()}
    with schema_context(name):
        applied = set(MigrationRecorder(connection).applied_migrations())
    return wanted <= applied


def sync_template_schema(*, verbosity: int = 0) -> bool:
    """Create the template schema if missing and migrate it. Returns True if it changed.

    Safe to call from several processes at once: an advisory lock serialises them."""
    name = template_schema_name()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK_ID])
    try:
        if template_is_current():
            return False
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=name,
            interactive=False,
            verbosity=verbosity,
            executor="standard",
        )
        return True
    finally:
        tenant_connection().set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [TEMPLATE_LOCK_ID])


def lock_template_for_transaction() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TEMPLATE_LOCK_ID])


def clone_from_template(schema_name: str) -> None:
    """Create ``schema_name`` as a copy of the template (tables, sequences, reference data).

    Runs in the caller's transaction: if anything later fails, no half-made schema remains."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("clone_from_template must run inside transaction.atomic()")
    tenant_connection().set_schema_to_public()
    if schema_exists(schema_name, case_sensitive=False):
        raise ValueError(f"schema {schema_name} already exists")
    _ensure_clone_function()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT public.clone_schema(%s, %s, 'DATA')", [template_schema_name(), schema_name]
        )
    tenant_connection().set_schema_to_public()


_clone_function_installed = False


def _ensure_clone_function() -> None:
    """Install django-tenants' clone_schema() SQL function once per process.

    django-tenants' CloneSchema re-creates the function on every clone; on a long-lived
    connection (a worker provisioning many institutions) that made each clone slower than the
    last (bench/README.md). Re-installing once per process still picks up a new version after
    an upgrade."""
    global _clone_function_installed
    if not _clone_function_installed:
        CloneSchema()._create_clone_schema_function()
        _clone_function_installed = True


def migrate_from_zero(schema_name: str) -> None:
    """Create ``schema_name`` and run every tenant migration in it (the slow path, for bench)."""
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name}"')
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=schema_name,
        interactive=False,
        verbosity=0,
        executor="standard",
    )
    tenant_connection().set_schema_to_public()


def drop_schema(schema_name: str) -> None:
    if schema_name in (get_public_schema_name(), template_schema_name()):
        raise ValueError(f"refusing to drop {schema_name}")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
