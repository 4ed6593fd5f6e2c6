"""A version of each schema's data: changed by every committed write, so that what is kept
rendered under it is never served after the data it was made from has changed.

Every statement a Django connection runs passes ``watch_writes`` (an execute wrapper put on
each new connection by ``install``). A statement that writes (anything but a read: INSERT,
UPDATE, DELETE, TRUNCATE, DDL, a data-modifying ``WITH``) marks the schema it writes in — the
connection's schema, or the public one for a table of a public-only app, both when the table
cannot be read off the statement:

* outside a transaction the statement has committed when it returns: the schema's version is
  changed at once;
* inside one, the schema is *pending* on that connection until the transaction commits, and
  changed then (``announce``, from the connection's commit). Until then the connection sees
  data no other connection sees: ``cacheable()`` is false and the caller must neither read
  nor fill a cache. A rollback forgets the pending schemas and changes nothing (a rolled-back
  savepoint does not: its schemas are changed at the commit, which costs nothing but a
  rebuilt answer).

A reader reads the version *before* the data and stores what it built under that version.
A write that commits in between changes the version after its commit, so the entry is made
under a version no later reader will ask for: an entry is never newer than its version says,
and at worst older data is not served after the commit that changed it.

The versions live in the cache (Redis in production), under keys of their own that name the
schema (not prefixed by the connection's current schema as the default cache's keys are). A
version is a random token, not a counter, so that any backend can store it without a race
(the database cache of the demo included); a version the cache has lost is a new version.
If the cache cannot be reached the callers build their answer anew; entries are kept for a
bounded time (the callers' timeout) so that a change lost with an unreachable cache is not
kept for longer than that.

Callers keep what they build under the versions with ``Kept``: a key naming the schema and
everything else the value depends on, the version read before the data, nothing read or kept
while the connection holds uncommitted writes; in the store (not the database cache's: see
``_shares_values``) and, bounded, in the process.

Tables whose writes say nothing about a school's data are left out (``IGNORED_TABLES``):
the sessions, the cache's own table, the login-attempt log of django-axes, the outbox of
tasks and the periodic tasks' bookkeeping. What is cached under a version must therefore
never be made from those tables."""

from __future__ import annotations

import base64
import datetime
import hashlib
import logging
import pickle
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

PUBLIC = "public"
KEY = "data-version:{schema}"

# Statements that never change data (the first word, upper-cased).
_READS = frozenset(
    {
        "SELECT",
        "SHOW",
        "SET",
        "RESET",
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
        "EXPLAIN",
        "VALUES",
        "FETCH",
        "CLOSE",
        "DECLARE",
        "LISTEN",
        "UNLISTEN",
        "DISCARD",
    }
)
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")
# The written table of Django's own statements: INSERT INTO "t", UPDATE "t", DELETE FROM "t",
# TRUNCATE "t"; a schema-qualified name is "s"."t".
_TABLE = re.compile(
    r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?"
    r'(?:"?(\w+)"?\.)?"?(\w+)"?',
    re.IGNORECASE,
)
_MODIFYING = re.compile(r"\b(?:INSERT|UPDATE|DELETE|TRUNCATE|MERGE)\b", re.IGNORECASE)

IGNORED_TABLES = frozenset(
    {
        "django_session",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
        "outbox_outboxmessage",
    }
)
_IGNORED_PREFIXES = ("django_celery_beat_", "kombu_")


@cache
def _public_only_tables() -> frozenset[str]:
    """The tables of apps that live in the public schema only (SHARED_APPS, not TENANT_APPS)."""
    from django.apps import apps

    tenant_apps = set(getattr(settings, "TENANT_APPS", ()))
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_config.name not in tenant_apps:
            tables.add(model._meta.db_table)
    return frozenset(tables)


@cache
def _ignored(table: str) -> bool:
    return table in IGNORED_TABLES or table.startswith(_IGNORED_PREFIXES) or table == _cache_table()


@cache
def _cache_table() -> str:
    default = settings.CACHES.get("default", {})
    if default.get("BACKEND") == "django.core.cache.backends.db.DatabaseCache":
        return str(default.get("LOCATION", ""))
    return ""


def schemas_written(sql: Any, schema: str) -> frozenset[str]:
    """The schemas ``sql`` run in ``schema`` (the connection's) may change: none for a read."""
    if not isinstance(sql, str):  # psycopg's composed SQL, bytes: not read, so both
        return frozenset({schema, PUBLIC})
    body = sql.rstrip().rstrip(";")
    if ";" in body:  # several statements: they may write anywhere
        return frozenset({schema, PUBLIC})
    first = _FIRST_WORD.match(sql)
    word = first.group(1).upper() if first else ""
    if word in _READS:
        return frozenset()
    if word == "WITH" and not _MODIFYING.search(sql):
        return frozenset()
    found = _TABLE.match(sql)
    if found is None:  # DDL, COPY, a data-modifying WITH, anything unknown: both
        return frozenset({schema, PUBLIC})
    qualifier, table = found.group(1), found.group(2)
    if _ignored(table):
        return frozenset()
    if qualifier:
        return frozenset({qualifier})
    if schema != PUBLIC and table in _public_only_tables():
        return frozenset({PUBLIC})
    return frozenset({schema})


# --- the versions' store -------------------------------------------------------------------


@cache
def _store() -> BaseCache:
    """The default cache's backend with keys of its own: no schema prefix from django-tenants'
    key function (a version names its schema itself and is read from any schema)."""
    params = dict(settings.CACHES["default"])
    backend = import_string(params.pop("BACKEND"))
    location = params.pop("LOCATION", "")
    params.pop("KEY_FUNCTION", None)
    params.pop("REVERSE_KEY_FUNCTION", None)
    params["KEY_PREFIX"] = f"{params.get('KEY_PREFIX', '')}:nv"
    return backend(location, params)


def store() -> BaseCache:
    """The cache that holds the versions; callers may keep their entries in it too (its keys
    are not prefixed by the connection's schema: an entry's key must name its schema)."""
    return _store()


def _key(schema: str) -> str:
    return KEY.format(schema=schema)


def bump(schemas: Iterable[str], *, connection: Any | None = None) -> None:
    """Give each schema a new version (``connection``: the one that committed the writes, for
    the database cache of its own database)."""
    keys = {_key(schema): uuid.uuid4().hex for schema in schemas}
    if not keys:
        return
    store = _store()
    if isinstance(store, DatabaseCache):
        _upsert(store, keys, connection=connection)
    else:
        store.set_many(keys, timeout=None)


def _upsert(store: DatabaseCache, values: dict[str, str], *, connection: Any | None) -> None:
    """``set_many`` of the database cache in one statement: its own ``set`` counts the table
    and reads the row before it writes it, three statements a key after every commit (the
    demo's and the benchmarks' cache; production's is Redis). The row is what ``set`` writes:
    the key made by the backend, the value pickled in base64, no expiry."""
    from django.db import connections, router

    db = router.db_for_write(store.cache_model_class)
    if connection is None or connection.alias != db:
        connection = connections[db]
    table = connection.ops.quote_name(store._table)  # type: ignore[attr-defined]
    rows = []
    for key, value in values.items():
        pickled = pickle.dumps(value, store.pickle_protocol)
        rows.extend([store.make_and_validate_key(key), base64.b64encode(pickled).decode("latin1")])
    placeholders = ", ".join(["(%s, %s, %s)"] * len(values))
    never = connection.ops.adapt_datetimefield_value(datetime.datetime.max.replace(microsecond=0))
    params: list[Any] = []
    for index in range(0, len(rows), 2):
        params.extend([rows[index], rows[index + 1], never])
    sql = (
        f'INSERT INTO {table} ("cache_key", "value", "expires") VALUES {placeholders} '  # noqa: S608  # the quoted table
        'ON CONFLICT ("cache_key") DO UPDATE SET "value" = EXCLUDED."value", '
        '"expires" = EXCLUDED."expires"'
    )
    # Announced by a commit (``install``): the transaction that wrote has committed and Django
    # turns autocommit back on next, which it cannot do inside a transaction this statement
    # would begin: the statement is then committed (or rolled back) on its own.
    after_commit = not connection.in_atomic_block and not connection.get_autocommit()
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    except Exception:
        if after_commit:
            connection.connection.rollback()
        raise
    if after_commit:
        connection.connection.commit()


# The schemas whose versions this process has read: what it can have kept entries under
# (the tests change them after each test, whose writes are rolled back, not committed).
_read: set[str] = set()


def schemas_read() -> set[str]:
    return _read


def versions(schemas: Sequence[str]) -> tuple[str, ...] | None:
    """The current version of each schema (one made for a schema that has none), or None if
    the cache cannot be reached."""
    _read.update(schemas)
    keys = [_key(schema) for schema in schemas]
    try:
        found = _store().get_many(keys)
        missing = {key: uuid.uuid4().hex for key in keys if key not in found}
        for key, token in missing.items():
            if not _store().add(key, token, timeout=None):
                token = _store().get(key)
                if token is None:
                    return None
            found[key] = token
    except Exception:  # the cache away: no version, no cached answer
        logger.warning("data versions unreadable", exc_info=True)
        return None
    return tuple(str(found[key]) for key in keys)


# --- what callers keep under the versions ---------------------------------------------------


def _shares_values() -> bool:
    """Are the values kept in the store too, or in each process only? In the store unless it
    is the database cache (the demo's: one machine): there a value's ``set`` counts the table,
    reads the row and writes tens of kilobytes in base64 — more than building most values
    again — while each process keeps its own copy under the shared version just as well."""
    return not isinstance(_store(), DatabaseCache)


# An entry: (the version it was made under, when it was made, its size, the value).
_Entry = tuple[str, float, int, Any]


@dataclass(frozen=True, slots=True)
class Place:
    """Where what is built now is kept: its key (naming its schema) and the version read
    before the data it is built from."""

    key: str
    schema: str
    version: str


class Kept:
    """Values built from one schema's data, kept under the schema's version read before the
    data: in the shared store (``store()``, ``fresh_seconds`` at most; not the database cache,
    ``_shares_values``) and in this process (the
    last ``local_entries`` looked up, each of at most ``local_size``, as its keeper measures it),
    so that a hit costs the version's read only.

    A caller reads ``version()`` first (None: build anew, keep nothing), then its data, then
    asks ``lookup()`` under a key made of its schema and of everything its value depends on
    (``parts``), and on a miss ``keep()``s what it built at the place it was given. A value
    served may be shared by the requests of this process: it must not be changed."""

    def __init__(
        self,
        *,
        kind: str,
        fresh_seconds: int,
        local_entries: int = 128,
        local_size: int = 512 * 1024,
    ) -> None:
        self.kind = kind
        self.fresh_seconds = fresh_seconds
        self.local_entries = local_entries
        self.local_size = local_size
        self._local: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def version(self, *, schema: str) -> str | None:
        """The schema's version to look up and keep under, read before the data; None when
        this connection may not read or fill a cache now or the versions are unreadable."""
        if not cacheable():
            return None
        found = versions([schema])
        return None if found is None else found[0]

    def key(self, *, schema: str, parts: Sequence[str]) -> str:
        """The entry's key: the kind, the schema, and a digest of the parts."""
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return f"{self.kind}:{schema}:{digest}"

    def lookup(
        self, *, schema: str, version: str, parts: Sequence[str], now: float
    ) -> tuple[Place, Any | None]:
        """(where to keep the value built now, the value kept under ``version`` and younger
        than ``fresh_seconds`` at ``now``, or None)."""
        place = Place(key=self.key(schema=schema, parts=parts), schema=schema, version=version)
        entry = self._local_get(place.key)
        if entry is None or entry[0] != version:  # another process may have made it since
            shared = self._shared_get(place.key)
            if shared is not None:
                entry = shared
                self._local_put(place.key, entry)
        if entry is not None and entry[0] == version and now - entry[1] < self.fresh_seconds:
            return place, entry[3]
        return place, None

    def keep(self, *, place: Place, value: Any, size: int, now: float) -> None:
        """Keep ``value`` (of ``size``, in the caller's unit) at ``place``: not while this
        connection holds writes no one else sees."""
        if not cacheable():
            return
        entry = (place.version, now, size, value)
        self._local_put(place.key, entry)
        if not _shares_values():
            return
        try:
            store().set(place.key, entry, self.fresh_seconds)
        except Exception:  # the cache away: the next request builds it again
            return

    def _shared_get(self, key: str) -> _Entry | None:
        if not _shares_values():
            return None
        try:
            entry = store().get(key)
        except Exception:  # the cache away: built anew
            return None
        return entry if isinstance(entry, tuple) and len(entry) == 4 else None

    def _local_get(self, key: str) -> _Entry | None:
        with self._lock:
            entry = self._local.get(key)
            if entry is not None:
                self._local.move_to_end(key)
            return entry

    def _local_put(self, key: str, entry: _Entry) -> None:
        if entry[2] > self.local_size:
            return
        with self._lock:
            self._local[key] = entry
            self._local.move_to_end(key)
            while len(self._local) > self.local_entries:
                self._local.popitem(last=False)


# --- watching the writes ---------------------------------------------------------------------


def _pending(connection: Any) -> set[str]:
    pending: set[str] | None = connection.__dict__.get("_data_pending")
    if pending is None:
        pending = connection.__dict__["_data_pending"] = set()
    return pending


def _default_connection() -> Any:
    """The wrapper itself, not the proxy ``django.db.connection``."""
    from django.db import DEFAULT_DB_ALIAS, connections

    return connections[DEFAULT_DB_ALIAS]


def announce(connection: Any | None = None) -> None:
    """What a commit does: the schemas the connection wrote get new versions. (The suite's
    tests, whose transactions never commit, call it where a commit would be.)"""
    pending = _pending(connection or _default_connection())
    if pending:
        changed = set(pending)
        pending.clear()
        try:
            bump(changed, connection=connection)
        except Exception:  # the commit stands; kept entries end within their timeout
            logger.warning("data versions not changed after a commit", exc_info=True)


def watch_writes(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """The execute wrapper: run the statement, then mark what it may have changed."""
    result = execute(sql, params, many, context)
    connection = context["connection"]
    written = schemas_written(sql, getattr(connection, "schema_name", PUBLIC))
    if written:
        _pending(connection).update(written)
        if not connection.in_atomic_block and connection.get_autocommit():
            announce(connection)  # committed already
    return result


def cacheable(connection: Any | None = None) -> bool:
    """May this connection read or fill a cache kept under the versions now? Not while its
    transaction holds writes no one else sees."""
    return not _pending(connection or _default_connection())


def install(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: watch the new connection's writes, and announce them when it
    commits (its ``_commit``, which every commit of Django's calls; a rollback forgets them).
    Not ``transaction.on_commit``: that would add a callback to every writing transaction,
    which the tests that count a transaction's callbacks (the tasks it enqueues) would see."""
    # First in the list (the outermost): ``connection.execute_wrapper()`` pops the last one
    # when its block ends, and a connection may be made inside such a block.
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, watch_writes)
    if connection.__dict__.get("_data_hooked"):
        return
    connection.__dict__["_data_hooked"] = True
    commit, rollback = connection._commit, connection._rollback

    def _commit_and_announce() -> None:
        commit()
        announce(connection)

    def _rollback_and_forget() -> None:
        try:
            rollback()
        finally:
            _pending(connection).clear()

    connection._commit = _commit_and_announce
    connection._rollback = _rollback_and_forget
