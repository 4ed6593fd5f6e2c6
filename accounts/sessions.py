"""The database session store with its one read per request written once.

Django's ``db`` store reads the session with ``Session.objects.get(session_key=…,
expire_date__gt=now)``: building and compiling that query cost as much CPU as the rest of a
signed-in request's middleware (``bench/README.md``, issue #17 item 2). Here the statement is
the same (the same table of the request's schema, the same conditions), written once; writes
(create, save, delete, flush) stay Django's."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connection
from django.utils import timezone

_statement: tuple[str, list[str]] | None = None


def _session_sql() -> tuple[str, list[str]]:
    """``SELECT <the session's columns> FROM django_session WHERE session_key = %s AND
    expire_date > %s``, and the fields' attribute names (for ``Model.from_db``)."""
    global _statement
    if _statement is None:
        from django.contrib.sessions.models import Session

        meta = Session._meta
        quote = connection.ops.quote_name
        fields = list(meta.concrete_fields)
        columns = ", ".join(quote(f.column) for f in fields)
        key = quote(meta.get_field("session_key").column)
        expires = quote(meta.get_field("expire_date").column)
        table = quote(meta.db_table)
        # the model's own names, quoted; the values are parameters
        sql = f"SELECT {columns} FROM {table} WHERE {key} = %s AND {expires} > %s"  # noqa: S608
        _statement = (sql, [f.attname for f in fields])
    return _statement


class SessionStore(DatabaseSessionStore):
    """``django.contrib.sessions.backends.db`` with the read written once (above)."""

    def _get_session_from_db(self) -> Any:
        if self.session_key is None:  # no cookie, or an invalid key: nothing to read
            self._session_key = None
            return None
        sql, attnames = _session_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model.from_db(connection.alias, attnames, row)
