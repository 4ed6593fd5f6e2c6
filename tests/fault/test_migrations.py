"""Migrating every schema when one of them is broken: the broken schema is reported by name
with its error, every other schema is migrated, the command fails naming it, and the drift
report lists it until it is repaired."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.utils import schema_exists

from config.db import tenant_connection
from tenants.models import Domain, Institution
from tests.conftest import Tenants, _provision

pytestmark = pytest.mark.fault

APP, MIGRATION, PREVIOUS = "documents", "0002_order", "0001_initial"
# Later migrations of APP (state only), forgotten and remembered with MIGRATION.
LATER = ["0003_named_non_negative_checks"]


@pytest.fixture
def healthy_behind(committed: None, django_db_setup: Tenants) -> Iterator[Institution]:
    """An institution one real migration behind (it was unapplied): it has work to do."""
    from tenants.schemas import drop_schema

    institution = _provision("fault-behind", "Школа отставшая", django_db_setup.municipality)
    call_command("migrate_schemas", APP, PREVIOUS, schema_name=institution.schema_name, verbosity=0)
    yield institution
    tenant_connection().set_schema_to_public()
    if schema_exists(institution.schema_name):
        drop_schema(institution.schema_name)
    Domain.objects.filter(tenant_id=institution.pk).delete()
    Institution.objects.filter(pk=institution.pk).delete()


def _forget(schema: str) -> None:
    """The schema's record of the migration is lost while its table stays: applying it again
    fails ("relation already exists"), as a migration half-applied by hand would."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = ANY(%s)',
            [APP, [MIGRATION, *LATER]],
        )


def _remember(schema: str) -> None:
    with connection.cursor() as cursor:
        for name in (MIGRATION, *LATER):
            cursor.execute(
                f'INSERT INTO "{schema}".django_migrations (app, name, applied)'
                " VALUES (%s, %s, now())",
                [APP, name],
            )


@pytest.mark.parametrize("executor", ["standard", "multiprocessing"])
def test_a_broken_schema_is_named_and_every_other_is_migrated(
    executor: str, school: Any, healthy_behind: Institution, tenants: Tenants
) -> None:
    broken = school.schema_name  # provisioned before the healthy one: it is migrated first
    _forget(broken)
    try:
        out = io.StringIO()
        with pytest.raises(CommandError) as failure:
            call_command("migrate_schemas", tenant=True, executor=executor, stdout=out, verbosity=1)
        report = out.getvalue()
        assert f"{broken}: FAILED" in report and "ProgrammingError" in report
        assert f"{healthy_behind.schema_name}: applied {1 + len(LATER)}" in report
        assert f"{tenants.a.schema_name}: up to date" in report
        # the template is not migrated after a failed institution (never ahead of them)
        assert "tenant_template: not migrated — institutions 1 failed" in report
        assert broken in str(failure.value) and "1 schema" in str(failure.value)

        drift_out = io.StringIO()
        with pytest.raises(CommandError) as drifted:
            call_command("migration_drift", stdout=drift_out)
        behind = ", ".join(f"{APP}.{name}" for name in (MIGRATION, *LATER))
        assert f"{broken}: {1 + len(LATER)} behind ({behind})" in drift_out.getvalue()
        assert healthy_behind.schema_name not in str(drifted.value)
    finally:
        _remember(broken)
    clean = io.StringIO()
    call_command("migration_drift", stdout=clean)
    assert "0 differ from the template" in clean.getvalue()
