"""Institutions' schemas as Citus distributed schemas (docs/scaling.md, section 4).

With ``NASTAVNIK_CITUS`` on, provisioning distributes the schema it has just cloned in the same
transaction (a rollback leaves nothing on any node), and ``nastavnik citus`` distributes the
institutions that exist, reports the node of each and moves one. Without Citus nothing here
runs, except the harmless ``SET LOCAL`` of ``citus.*`` placeholders.

Why each step is needed (each was seen on a Citus 12.1 cluster):

- ``citus_schema_distribute`` refuses a schema with a trigger (the consent register's
  append-only trigger) unless ``citus.enable_unsafe_triggers`` is on; the trigger then runs on
  the worker node.
- Schema-based sharding at ``CREATE SCHEMA`` (``citus.enable_schema_based_sharding``) converts
  only top-level ``CREATE TABLE``; the clone function creates tables inside PL/pgSQL, so a
  cloned schema would stay local, silently: we distribute explicitly instead.
- After distributing, the coordinator keeps the schema's rows in its local tables (invisible
  to queries, on disk) until ``truncate_local_data_after_distributing_table`` empties them."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection


def citus_enabled() -> bool:
    return bool(getattr(settings, "NASTAVNIK_CITUS", False))


def allow_triggers_for_transaction() -> None:
    """Let this transaction distribute tables with triggers and create triggers on them."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL citus.enable_unsafe_triggers = on")


def allow_triggers_for_session() -> None:
    """The same for the whole connection: migrations that create a trigger need it."""
    with connection.cursor() as cursor:
        cursor.execute("SET citus.enable_unsafe_triggers = on")


def distribute_schema(schema_name: str) -> None:
    """Make ``schema_name`` a distributed schema (Citus places it on a worker node) and empty
    the copy of its rows that distributing leaves in the coordinator's local tables.

    Runs in the caller's transaction, which must be open."""
    if not connection.in_atomic_block:
        raise RuntimeError("distribute_schema must run inside transaction.atomic()")
    allow_triggers_for_transaction()
    with connection.cursor() as cursor:
        cursor.execute("SELECT citus_schema_distribute(%s::regnamespace)", [schema_name])
        cursor.execute(
            "SELECT format('%%I.%%I', n.nspname, c.relname) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
            [schema_name],
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(
                "SELECT truncate_local_data_after_distributing_table(%s::regclass)", [table]
            )


def installed() -> bool:
    """True when the database has the Citus extension."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
        return cursor.fetchone() is not None


@dataclass(frozen=True)
class Placement:
    schema: str
    distributed: bool
    node: str  # host:port, "" when local on the coordinator
    size_bytes: int


def placements(schema_names: list[str]) -> dict[str, Placement]:
    """Where each schema lives: a distributed schema's node, or the coordinator."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.schema_name::text,"
            " (SELECT sh.nodename || ':' || sh.nodeport FROM citus_shards sh"
            "   WHERE sh.colocation_id = s.colocation_id LIMIT 1),"
            " (SELECT coalesce(sum(sh.shard_size), 0) FROM citus_shards sh"
            "   WHERE sh.colocation_id = s.colocation_id)"
            " FROM citus_schemas s WHERE s.schema_name::text = ANY(%s)",
            [schema_names],
        )
        found = {
            name: Placement(name, True, node or "", int(size))
            for name, node, size in cursor.fetchall()
        }
    return {name: found.get(name, Placement(name, False, "", 0)) for name in schema_names}


def local_bytes_left(schema_name: str) -> int:
    """Bytes of ``schema_name``'s tables on the coordinator's own disk. The tables of a
    distributed schema are empty shells there once the local copy is truncated: 0."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_relation_size(c.oid)), 0) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind = 'r'",
            [schema_name],
        )
        return int(cursor.fetchone()[0])


def move_schema(schema_name: str, node: str) -> None:
    """Move a distributed schema to ``node`` (host:port); reads and writes go on meanwhile."""
    host, _, port = node.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"node must be host:port, not {node!r}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT citus_schema_move(%s::regnamespace, %s, %s)", [schema_name, host, int(port)]
        )
