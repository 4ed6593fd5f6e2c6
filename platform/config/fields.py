"""Non-negative integer fields whose CHECK constraint has an explicit name.

Django's ``Positive*Field`` puts an unnamed ``CHECK ("col" >= 0)`` into the column definition,
and ``ALTER TABLE ... ADD COLUMN ... CHECK (...)`` is refused by Citus on a distributed table
("all constraints in Citus must have explicit names", docs/scaling.md). The fields here keep
everything of ``Positive*Field`` (the 0..max validators, ``min_value=0`` in forms and
serializers) except that inline check; the model declares the check in ``Meta.constraints``
with :func:`non_negative`, which names it ``<table>_<column>_check`` — the very name PostgreSQL
gives an inline column check, so a schema made either way has the same constraints.

    count = NonNegativeIntegerField(default=0)

    class Meta:
        constraints = [*non_negative("count")]

``tests/schools/test_migration_constraints.py`` fails when a tenant migration adds a column with
an unnamed constraint, or a tenant model has a field of this module without its check."""

from __future__ import annotations

from typing import Any

from django.db import models


class _NoInlineCheck:
    def db_check(self, connection: Any) -> None:
        return None


class NonNegativeSmallIntegerField(_NoInlineCheck, models.PositiveSmallIntegerField):
    pass


class NonNegativeIntegerField(_NoInlineCheck, models.PositiveIntegerField):
    pass


class NonNegativeBigIntegerField(_NoInlineCheck, models.PositiveBigIntegerField):
    pass


NON_NEGATIVE_FIELDS = (
    NonNegativeSmallIntegerField,
    NonNegativeIntegerField,
    NonNegativeBigIntegerField,
)


class NamedCheckConstraint(models.CheckConstraint):
    """A CHECK constraint that the database enforces and model validation skips: the field's
    own validators already refuse a negative number, without a query per constraint."""

    def validate(self, *args: Any, **kwargs: Any) -> None:
        return None


def check_name(field_name: str) -> str:
    """``<table>_<column>_check`` for a model with the default table name."""
    return f"%(app_label)s_%(class)s_{field_name}_check"


def non_negative(*field_names: str) -> list[models.CheckConstraint]:
    """Named ``CHECK (<field> >= 0)`` constraints for the model's non-negative fields."""
    return [
        NamedCheckConstraint(condition=models.Q(**{f"{name}__gte": 0}), name=check_name(name))
        for name in field_names
    ]
