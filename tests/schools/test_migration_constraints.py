"""Tenant migrations never add a column with an unnamed constraint (docs/scaling.md, Citus).

Citus refuses ``ALTER TABLE ... ADD COLUMN ... CHECK/UNIQUE/PRIMARY KEY/REFERENCES`` on a
distributed table unless each constraint has an explicit name ("all constraints in Citus must
have explicit names"); on a cluster such a migration fails in every distributed institution and
leaves the schemas at mixed versions. The SQL checked here is what ``sqlmigrate`` prints for each
migration of every app in ``TENANT_APPS``, generated in a tenant schema (in ``public``
django-tenants' router leaves the school apps out)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlparse
from django.apps import apps
from django.conf import settings
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState
from django_tenants.utils import schema_context

from config.fields import NON_NEGATIVE_FIELDS, NonNegativeIntegerField, non_negative
from tenants.schemas import template_schema_name, tenant_app_labels

pytestmark = pytest.mark.django_db

# Migrations of third-party apps that add a column with Django's unnamed positive-integer check.
# They are years old and ran in every schema long before Citus; a schema that is distributed is
# migrated to the end first (``nastavnik citus distribute`` refuses one that is behind).
KNOWN_THIRD_PARTY = {
    ("otp_static", "0002_throttling"),
    ("otp_totp", "0002_auto_20190420_0723"),
}

_CONSTRAINT = re.compile(
    r"\bCHECK\s*\(|\bUNIQUE\b|\bPRIMARY\s+KEY\b|\bFOREIGN\s+KEY\b|\bREFERENCES\b"
)
_NAMED_BEFORE = re.compile(r'CONSTRAINT\s+("[^"]+"|\w+)\s*$')
_FK_BEFORE = re.compile(r"FOREIGN\s+KEY\s*\([^)]*\)\s*$")
_STRING = re.compile(r"'(?:[^']|'')*'")


def unnamed_constraints(sql: str) -> list[str]:
    """The ``ALTER TABLE`` statements in ``sql`` that add a constraint without a name."""
    found = []
    for statement in sqlparse.split(sql):
        bare = sqlparse.format(statement, strip_comments=True)
        text = " ".join(_STRING.sub("''", bare).split())
        if not text.upper().startswith("ALTER TABLE"):
            continue
        for match in _CONSTRAINT.finditer(text):
            before = text[: match.start()]
            if _NAMED_BEFORE.search(before):
                continue
            if match.group().startswith("REFERENCES") and _FK_BEFORE.search(before):
                continue
            found.append(statement.strip())
            break
    return found


def migration_sql(migration: migrations.Migration, state: ProjectState) -> str:
    """What ``sqlmigrate`` prints for ``migration`` applied to ``state``, in a tenant schema."""
    with schema_context(template_schema_name()):
        with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
            migration.apply(state, editor, collect_sql=True)
        return "\n".join(editor.collected_sql)


def test_no_tenant_migration_adds_an_unnamed_constraint() -> None:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    labels = tenant_app_labels()
    offenders = {}
    checked = 0
    for key in sorted(loader.disk_migrations):
        if key[0] not in labels:
            continue
        state = loader.project_state(key, at_end=False)
        found = unnamed_constraints(migration_sql(loader.graph.nodes[key], state))
        checked += 1
        if found and key not in KNOWN_THIRD_PARTY:
            offenders[key] = found
    assert checked > 40  # every school app, accounts and the third-party tenant apps
    assert offenders == {}, (
        "Use config.fields.NonNegative*Field with Meta.constraints = [*non_negative(...)] "
        "instead of Positive*Field, and a named UniqueConstraint instead of unique=True on a "
        f"new column: {offenders}"
    )


def _add_field(
    field: models.Field, *more: migrations.operations.base.Operation
) -> migrations.Migration:
    migration = migrations.Migration("9999_synthetic", "programmes")
    migration.operations = [migrations.AddField("programme", "synthetic_count", field), *more]  # type: ignore[misc]
    return migration


def _leaf_state() -> ProjectState:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return loader.project_state(loader.graph.leaf_nodes())


def test_the_check_catches_a_synthetic_migration_with_an_unnamed_check_or_unique() -> None:
    check = _add_field(models.PositiveIntegerField(default=0))
    unique = _add_field(models.CharField(max_length=10, null=True, unique=True))

    assert len(unnamed_constraints(migration_sql(check, _leaf_state()))) == 1
    assert len(unnamed_constraints(migration_sql(unique, _leaf_state()))) == 1


def test_a_non_negative_field_with_its_named_check_passes() -> None:
    (constraint,) = non_negative("synthetic_count")
    constraint.name = constraint.name % {"app_label": "programmes", "class": "programme"}
    migration = _add_field(
        NonNegativeIntegerField(default=0), migrations.AddConstraint("programme", constraint)
    )

    sql = migration_sql(migration, _leaf_state())

    assert unnamed_constraints(sql) == []
    assert 'ADD CONSTRAINT "programmes_programme_synthetic_count_check" CHECK' in sql


def test_tenant_models_use_named_non_negative_checks() -> None:
    """No Django Positive*Field in a tenant model (its check has no name), and every
    NonNegative*Field has its ``<table>_<column>_check`` in Meta.constraints."""
    problems = []
    for config in apps.get_app_configs():
        if config.name not in settings.TENANT_APPS or not config.name.startswith("schools."):
            continue
        for model in config.get_models():
            names = {constraint.name for constraint in model._meta.constraints}
            for field in model._meta.local_fields:
                label = f"{model._meta.label}.{field.name}"
                if isinstance(field, NON_NEGATIVE_FIELDS):
                    if f"{model._meta.db_table}_{field.column}_check" not in names:
                        problems.append(f"{label}: add *non_negative({field.name!r})")
                elif isinstance(
                    field,
                    models.PositiveIntegerField
                    | models.PositiveSmallIntegerField
                    | models.PositiveBigIntegerField,
                ):
                    problems.append(f"{label}: use config.fields.NonNegative*Field")
    assert problems == []


def test_every_named_non_negative_check_exists_in_an_institution_schema(tenants: Any) -> None:
    """The migrations that named the checks changed only Django's state: the checks are in the
    database under those names (PostgreSQL gave the inline checks the same ones)."""
    wanted = {}
    for config in apps.get_app_configs():
        if config.name not in settings.TENANT_APPS or not config.name.startswith("schools."):
            continue
        for model in config.get_models():
            for field in model._meta.local_fields:
                if isinstance(field, NON_NEGATIVE_FIELDS):
                    wanted[f"{model._meta.db_table}_{field.column}_check"] = field.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'c' AND connamespace = %s::regnamespace",
            [tenants.a.schema_name],
        )
        present = dict(cursor.fetchall())
    assert len(wanted) > 30
    missing = {
        name
        for name, column in wanted.items()
        if not re.fullmatch(rf'CHECK \(\("?{column}"? >= 0\)\)', present.get(name, ""))
    }
    assert missing == set()
