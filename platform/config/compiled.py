"""A queryset's statement compiled once per process, run again with other values.

For the lookups a class answering at once makes on every request (issue #17 item 4): the
ORM builds and compiles a ``select_related`` of four tables on each call, which cost more CPU
than running it. ``CompiledFirst`` compiles the queryset the caller builds, once, with
stand-in values, notes where each stand-in went among the statement's parameters, and then
runs that same statement with the request's values and turns its row into the objects as the
queryset's own iteration does (``django.db.models.query.ModelIterable``: the model from its
columns, the ``select_related`` objects by Django's populators, the annotations as
attributes, every column through its field's converters). The statement names no schema: it
runs in the request's (the connection's search path), like any query."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]
    ModelIterable,
    get_related_populators,
)

M = TypeVar("M", bound=Model)


class _Compiled:
    def __init__(self, queryset: QuerySet[Any], stand_ins: dict[str, str]) -> None:
        # what this class does not carry over from a queryset's iteration: refused, not lost
        if queryset._iterable_class is not ModelIterable:  # values(), values_list()
            raise ValueError("CompiledFirst takes a queryset of model instances")
        lookups = getattr(queryset, "_prefetch_related_lookups", ())
        if lookups or getattr(queryset, "_known_related_objects", None):
            raise ValueError("CompiledFirst runs one statement: no prefetch, no related manager")
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        if compiler.has_extra_select or compiler.klass_info is None:
            raise ValueError("CompiledFirst takes a queryset of model instances")
        by_value = {value: name for name, value in stand_ins.items()}
        # each parameter: the name of the value it takes, or the constant compiled in
        self.params: list[tuple[str | None, Any]] = [
            (by_value[p], None) if isinstance(p, str) and p in by_value else (None, p)
            for p in params
        ]
        missing = set(stand_ins) - {name for name, _constant in self.params if name}
        if missing:
            raise ValueError(f"values not found in the statement: {sorted(missing)}")
        self.sql = sql
        self.db = queryset.db
        select, klass_info = compiler.select, compiler.klass_info
        self.model: type[Model] = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, self.db)
        self.annotations = list(compiler.annotation_col_map.items())
        self.converters = list(
            compiler.get_converters([s[0] for s in select[: compiler.col_count]]).items()
        )


class CompiledFirst(Generic[M]):
    """``build(...).first()`` with the statement compiled once per process.

    ``build`` takes keyword values (one per name in ``names``) and returns the queryset,
    ordered and filtered as wanted; it is called once, with stand-ins (distinct random
    strings), so every value must reach the statement as a parameter unchanged — a string
    compared with a text column (not transformed, not part of an ``IN`` list whose length
    could vary). ``first(**values)`` then runs the statement with those values in their
    place: a value given as None makes its comparison NULL (no row matches by it), where the
    ORM would have written ``IS NULL``. Everything else the queryset holds (joins, ordering,
    annotations and their own parameters) is fixed at the first call: ``build`` must not read
    anything that changes between calls (the date, settings, the schema)."""

    def __init__(self, build: Callable[..., QuerySet[M]], *, names: Sequence[str]) -> None:
        self._build = build
        self._names = tuple(names)
        self._compiled: _Compiled | None = None

    def first(self, **values: Any) -> M | None:
        if set(values) != set(self._names):
            raise TypeError(f"expected the values {self._names}, got {sorted(values)}")
        compiled = self._compiled
        if compiled is None:  # two threads may both compile: the same statement
            stand_ins = {name: f"compiled-{name}-{secrets.token_hex(16)}" for name in self._names}
            compiled = self._compiled = _Compiled(self._build(**stand_ins)[:1], stand_ins)
        connection = connections[compiled.db]
        params = [values[name] if name else constant for name, constant in compiled.params]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchone()
        if fetched is None:
            return None
        row = list(fetched)
        for position, (functions, expression) in compiled.converters:
            value = row[position]
            for convert in functions:
                value = convert(value, expression, connection)
            row[position] = value
        obj = compiled.model.from_db(
            compiled.db, compiled.init_list, row[compiled.start : compiled.end]
        )
        for populator in compiled.populators:
            populator.populate(row, obj)
        for name, position in compiled.annotations:
            setattr(obj, name, row[position])
        return obj  # type: ignore[return-value]
