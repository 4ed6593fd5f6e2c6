"""The schemas' data versions (``config.dataversion``): which statements change which
schema, and when a change is announced (at once outside a transaction, at its commit inside
one, never for a rollback)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django_tenants.utils import schema_context

from config import dataversion
from tests import builders

S = "school_x"


@pytest.mark.parametrize(
    ("sql", "schema", "written"),
    [
        ('SELECT "id" FROM "participants_participant"', S, set()),
        ('SELECT "id" FROM "pairs_pair" FOR UPDATE', S, set()),
        ("  select 1", S, set()),
        ("SET search_path = school_x, public", S, set()),
        ("SAVEPOINT s1", S, set()),
        ("WITH t AS (SELECT 1) SELECT * FROM t", S, set()),
        ('INSERT INTO "participants_participant" ("x") VALUES (%s)', S, {S}),
        ('UPDATE "pairs_pair" SET "status" = %s', S, {S}),
        ('DELETE FROM "pairs_meeting" WHERE "id" = %s', S, {S}),
        ('TRUNCATE "pairs_meeting"', S, {S}),
        # a public-only app's table written while the connection is in a school's schema
        ('UPDATE "tenants_institution" SET "name" = %s', S, {"public"}),
        ('INSERT INTO "tenants_institution" ("name") VALUES (%s)', "public", {"public"}),
        ('UPDATE "school_y"."pairs_pair" SET "status" = %s', S, {"school_y"}),
        # what cannot be read: both
        (
            "WITH moved AS (UPDATE pairs_pair SET status = 'x' RETURNING id) SELECT 1",
            S,
            {S, "public"},
        ),
        ('CREATE TABLE "t" ("id" int)', S, {S, "public"}),
        ("SELECT 1; DELETE FROM pairs_pair", S, {S, "public"}),
        # the tables that say nothing of a school's data
        ('UPDATE "django_session" SET "expire_date" = %s', S, set()),
        ('INSERT INTO "axes_accessattempt" ("x") VALUES (%s)', "public", set()),
    ],
)
def test_which_schemas_a_statement_writes(sql: str, schema: str, written: set[str]) -> None:
    assert dataversion.schemas_written(sql, schema) == written


def test_a_statement_that_is_not_text_is_taken_as_a_write_anywhere() -> None:
    from psycopg import sql

    composed = sql.SQL("UPDATE {} SET x = 1").format(sql.Identifier("pairs_pair"))
    assert dataversion.schemas_written(composed, S) == {S, "public"}
    assert dataversion.schemas_written(b"SELECT 1", S) == {S, "public"}


def _version(schema: str) -> str:
    found = dataversion.versions([schema])
    assert found is not None
    return found[0]


def test_a_write_in_a_transaction_is_pending_until_its_commit(tenant_a: Any) -> None:
    """Inside the test's transaction: seen by this connection only, so nothing kept is read;
    ``announce`` (what the commit calls) changes the school's version, not the region's."""
    schema = tenant_a.schema_name
    before = _version(schema)
    with schema_context(schema):
        builders.person(names="Ёжиков Ёж Ёжевич")
    assert not dataversion.cacheable()
    assert dataversion._pending(connections["default"]) == {schema}
    assert _version(schema) == before
    dataversion.announce()
    assert _version(schema) != before
    assert dataversion.cacheable()


def test_a_write_in_a_rolled_back_savepoint_is_still_announced(tenant_a: Any) -> None:
    """Nothing is lost: a savepoint's schemas stay pending (at worst a rebuilt answer)."""
    schema = tenant_a.schema_name
    with schema_context(schema), pytest.raises(RuntimeError), transaction.atomic():
        builders.person(names="Откатов Откат Откатович")
        raise RuntimeError
    assert dataversion._pending(connections["default"]) == {schema}


@pytest.fixture
def other_connection(tenant_a: Any) -> Iterator[Any]:
    """A connection of its own, in the school's schema: it commits and rolls back for real."""
    other = connections.create_connection("default")
    other.set_schema(tenant_a.schema_name)  # type: ignore[attr-defined]  # django-tenants'
    try:
        yield other
    finally:
        other.close()


NO_CHANGE = 'UPDATE "participants_participant" SET "last_name" = "last_name" WHERE false'


def test_a_committed_transaction_changes_the_version(tenant_a: Any, other_connection: Any) -> None:
    schema = tenant_a.schema_name
    before = _version(schema)
    other_connection.set_autocommit(False)
    with other_connection.cursor() as cursor:
        cursor.execute(NO_CHANGE)
    assert not dataversion.cacheable(other_connection)
    assert _version(schema) == before
    other_connection.commit()
    assert _version(schema) != before
    assert dataversion.cacheable(other_connection)


def test_a_rolled_back_transaction_changes_nothing(tenant_a: Any, other_connection: Any) -> None:
    schema = tenant_a.schema_name
    before = _version(schema)
    other_connection.set_autocommit(False)
    with other_connection.cursor() as cursor:
        cursor.execute(NO_CHANGE)
    other_connection.rollback()
    assert dataversion.cacheable(other_connection)
    assert _version(schema) == before


def test_a_write_outside_a_transaction_changes_the_version_at_once(
    tenant_a: Any, other_connection: Any
) -> None:
    """In autocommit, as a worker's or a management command's."""
    schema = tenant_a.schema_name
    before = _version(schema)
    with other_connection.cursor() as cursor:
        cursor.execute(NO_CHANGE)
    assert _version(schema) != before
    assert dataversion.cacheable(other_connection)


def test_a_connection_made_inside_another_wrapper_keeps_watching(tenant_a: Any) -> None:
    """``execute_wrapper()`` pops the last wrapper when its block ends; ours is the first."""
    other = connections.create_connection("default")
    try:
        with other.execute_wrapper(lambda execute, *args: execute(*args)):
            other.ensure_connection()
        assert dataversion.watch_writes in other.execute_wrappers
        assert len(other.execute_wrappers) == 1
    finally:
        other.close()
    assert dataversion.watch_writes in connection.execute_wrappers


def test_the_database_cache_keeps_the_versions_as_its_own_set_would(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without Redis (the demo) a new version is written in one statement: the backend's own
    ``get`` reads it back, and its ``set`` and ``bump`` overwrite each other's rows; what is
    kept under the versions stays in the process."""
    from django.core.cache.backends.db import DatabaseCache
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    command.create_table("default", "test_data_versions", dry_run=False)
    store = DatabaseCache("test_data_versions", {"KEY_PREFIX": ":nv"})
    monkeypatch.setattr(dataversion, "_store", lambda: store)

    try:
        store.set(dataversion.KEY.format(schema="s1"), "old", timeout=None)
        dataversion.bump(["s1", "s2"])
        s1, s2 = dataversion.versions(["s1", "s2"]) or ("", "")
        assert s1 != "old" and len(s1) == len(s2) == 32 and s1 != s2
        assert store.get(dataversion.KEY.format(schema="s1")) == s1
        dataversion.bump(["s1"])
        s1_now = store.get(dataversion.KEY.format(schema="s1"))
        assert dataversion.versions(["s1", "s2"]) == (s1_now, s2)
        assert store.get(dataversion.KEY.format(schema="s1")) != s1
        # values are kept in the process only: the database cache would cost more than a rebuild
        # the writes above as committed (announcing them would write this test's table, which
        # is not the settings' cache table, again): nothing pending
        dataversion._pending(connections["default"]).clear()
        kept = dataversion.Kept(kind="test", fresh_seconds=60)
        place, found = kept.lookup(schema="s1", version=s1_now, parts=("a",), now=0.0)
        assert found is None
        kept.keep(place=place, value="built", size=5, now=0.0)
        assert store.get(place.key) is None
        assert kept.lookup(schema="s1", version=s1_now, parts=("a",), now=1.0)[1] == "built"
    finally:  # names of this store only: the suite's cleanup changes those read in Redis
        dataversion.schemas_read().difference_update({"s1", "s2"})


def test_what_is_kept_is_served_under_its_version_only(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Kept``: an entry is served for its schema, key and version only, younger than
    ``fresh_seconds``; another process's entry of the new version replaces this process's
    old one; a value over ``local_size`` is kept in the store only."""
    from django.core.cache.backends.locmem import LocMemCache

    store = LocMemCache("test-kept", {})
    monkeypatch.setattr(dataversion, "_store", lambda: store)
    # (what an uncommitted write changes is the next test's)
    monkeypatch.setattr(dataversion, "cacheable", lambda connection=None: True)
    ours = dataversion.Kept(kind="test-kept", fresh_seconds=60, local_size=10)
    theirs = dataversion.Kept(kind="test-kept", fresh_seconds=60)  # another process
    assert ours.key(schema="s1", parts=["a"]).startswith("test-kept:s1:")

    place, kept = ours.lookup(schema="s1", version="v1", parts=["a"], now=100.0)
    assert kept is None
    ours.keep(place=place, value="one", size=3, now=100.0)
    assert ours.lookup(schema="s1", version="v1", parts=["a"], now=159.0)[1] == "one"
    assert theirs.lookup(schema="s1", version="v1", parts=["a"], now=100.0)[1] == "one"
    assert ours.lookup(schema="s1", version="v1", parts=["a"], now=160.0)[1] is None
    assert ours.lookup(schema="s1", version="v2", parts=["a"], now=100.0)[1] is None
    assert ours.lookup(schema="s2", version="v1", parts=["a"], now=100.0)[1] is None
    assert ours.lookup(schema="s1", version="v1", parts=["b"], now=100.0)[1] is None

    place, _kept = theirs.lookup(schema="s1", version="v2", parts=["a"], now=101.0)
    theirs.keep(place=place, value="two", size=3, now=101.0)
    assert ours.lookup(schema="s1", version="v2", parts=["a"], now=102.0)[1] == "two"

    place, _kept = ours.lookup(schema="s1", version="v3", parts=["a"], now=103.0)
    ours.keep(place=place, value="a long value", size=12, now=103.0)
    assert place.key not in ours._local or ours._local[place.key][0] != "v3"
    assert ours.lookup(schema="s1", version="v3", parts=["a"], now=104.0)[1] == "a long value"


def test_nothing_is_kept_or_read_while_a_write_is_not_committed(
    tenant_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache.backends.locmem import LocMemCache

    store = LocMemCache("test-kept-uncommitted", {})
    monkeypatch.setattr(dataversion, "_store", lambda: store)
    kept = dataversion.Kept(kind="test-kept", fresh_seconds=60)
    with schema_context(tenant_a.schema_name):
        place, _value = kept.lookup(schema="s1", version="v1", parts=["a"], now=100.0)
        builders.person(names="Орлов Глеб Ильич", category="teacher")  # not committed
        assert kept.version(schema=tenant_a.schema_name) is None
        kept.keep(place=place, value="one", size=3, now=100.0)
    assert store.get(place.key) is None and place.key not in kept._local


def test_the_database_cache_announces_a_commit_made_by_djangos_own_steps(
    tenant_a: Any, other_connection: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without Redis (the demo) the new version is written on the connection that committed,
    between its commit and autocommit turned back on, as ``transaction.atomic`` does them:
    both steps succeed and the version is there."""
    from django.core.cache.backends.db import DatabaseCache

    table = "test_data_versions_commit"
    store = DatabaseCache(table, {"KEY_PREFIX": ":nv"})
    monkeypatch.setattr(dataversion, "_store", lambda: store)
    key = store.make_and_validate_key(dataversion.KEY.format(schema=tenant_a.schema_name))
    with other_connection.cursor() as cursor:  # committed: the other connection must see it
        cursor.execute(
            f'CREATE TABLE "public"."{table}" ("cache_key" varchar(255) PRIMARY KEY, '
            '"value" text NOT NULL, "expires" timestamp with time zone NOT NULL)'
        )
    try:
        other_connection.set_autocommit(False)  # what atomic() does on entering
        with other_connection.cursor() as cursor:
            cursor.execute(NO_CHANGE)
        other_connection.commit()  # on leaving: commit, then autocommit back on
        other_connection.set_autocommit(True)
        with other_connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "public"."{table}" WHERE "cache_key" = %s', [key])
            assert cursor.fetchone()[0] == 1
    finally:
        other_connection.set_autocommit(True)
        with other_connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE "public"."{table}"')
