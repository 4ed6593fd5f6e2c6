"""Migrating many schemas so that an operator can trust the outcome.

Each schema is migrated on its own and its outcome recorded (applied N migrations, already up
to date, or failed with its error); one failing never stops or silently skips another, and the
command ends with a summary and a non-zero exit naming the failed schemas. ``drift`` compares
every institution's recorded migrations with the template's."""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections

from config.db import tenant_connection
from tenants.citus import allow_triggers_for_session, citus_enabled


@dataclass
class SchemaOutcome:
    schema: str
    applied: int = 0
    error: str = ""
    skipped: str = ""  # why it was not migrated (the template after a failed institution)

    @property
    def status(self) -> str:
        if self.error:
            return "failed"
        if self.skipped:
            return "not migrated"
        return "applied" if self.applied else "up to date"


def recorded_migrations(schema: str) -> set[tuple[str, str]]:
    """The (app, name) pairs a schema's django_migrations holds; empty when it has none."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s "
            "AND table_name = 'django_migrations'",
            [schema],
        )
        if cursor.fetchone() is None:
            return set()
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')  # noqa: S608
        return {(app, name) for app, name in cursor.fetchall()}


def _error_text(exc: BaseException) -> str:
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:300]


def migrate_schema(args: Any, options: dict[str, Any], codename: str, schema: str) -> SchemaOutcome:
    """Migrate one schema; never raises (the outcome carries the error). Inside an outer
    transaction (the test database's creation) the migration commits with it."""
    from django_tenants.migration_executors.base import run_migrations

    outcome = SchemaOutcome(schema=schema)
    try:
        before = len(recorded_migrations(schema))
        if citus_enabled():
            allow_triggers_for_session()
        run_migrations(args, options, codename, schema, allow_atomic=True)
        outcome.applied = len(recorded_migrations(schema)) - before
    except Exception as exc:
        outcome.error = _error_text(exc)
        if not connection.in_atomic_block:  # a fresh connection for the next schema
            with contextlib.suppress(Exception):
                connection.rollback()
            connection.close()
    finally:
        with contextlib.suppress(Exception):
            tenant_connection().set_schema_to_public()
    return outcome


def _migrate_in_child(
    args: Any, options: dict[str, Any], codename: str, schema: str
) -> SchemaOutcome:
    connections.close_all()  # a forked child opens connections of its own
    return migrate_schema(args, options, codename, schema)


def migrate_schemas(
    schemas: list[str], *, args: Any, options: dict[str, Any], parallel: int = 1
) -> list[SchemaOutcome]:
    """Every schema, in order (or ``parallel`` processes); each outcome recorded."""
    if parallel <= 1 or len(schemas) <= 1:
        return [migrate_schema(args, options, "standard", schema) for schema in schemas]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    run = functools.partial(_migrate_in_child, args, options, "multiprocessing")
    with context.Pool(processes=parallel) as pool:
        return list(pool.map(run, schemas, chunksize=1))


@dataclass
class Drift:
    schema: str
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


def drift(template: str, schemas: list[str]) -> list[Drift]:
    """Schemas whose recorded migrations differ from the template's: what they lack, and what
    they have that the template has not."""
    reference = recorded_migrations(template)
    found = []
    for schema in schemas:
        recorded = recorded_migrations(schema)
        if recorded != reference:
            found.append(
                Drift(
                    schema=schema,
                    missing=sorted(f"{a}.{n}" for a, n in reference - recorded),
                    extra=sorted(f"{a}.{n}" for a, n in recorded - reference),
                )
            )
    return found
