"""A row of a model by its primary key, read by a statement written once per model.

For the reads every signed-in request makes (the user, the second factor's device): the ORM's
``Model.objects.get(pk=…)`` is built and compiled on each call, which cost more CPU than the
query itself (issue #17 item 2, ``bench/README.md``). The table is the request's schema's, as
for any query of the connection."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


@cache
def _statement(model: type[Model]) -> tuple[str, tuple[str, ...]]:
    meta = model._meta
    quote = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    columns = ", ".join(quote(f.column) for f in fields)
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    sql = f"SELECT {columns} FROM {table} WHERE {pk} = %s"  # noqa: S608  # the model's names
    return sql, tuple(f.attname for f in fields)


def by_pk(model: type[M], pk: Any) -> M | None:
    """``model.objects.filter(pk=pk).first()`` for a model whose default manager filters
    nothing (the instance as the ORM would load it: ``from_db``)."""
    sql, attnames = _statement(model)
    value = model._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    return model.from_db(connection.alias, list(attnames), row)
