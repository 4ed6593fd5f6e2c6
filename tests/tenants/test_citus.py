"""Provisioning with ``NASTAVNIK_CITUS`` on distributes the new schema in the provisioning
transaction (docs/scaling.md, section 4).

CI has no Citus. The Citus functions provisioning calls are stood in for by SQL functions of the
same names and signatures in the test's transaction, which record each call and the
``citus.enable_unsafe_triggers`` setting it ran with; everything else is the real provisioning
on the real database."""

from __future__ import annotations

import contextlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django_tenants.utils import schema_exists

from tenants import services
from tenants.models import Institution, InstitutionStatus
from tests.conftest import SETUP

STUBS = """
CREATE TABLE public.citus_stub_calls (
    n serial, fn text, arg text, unsafe_triggers text, schema_tables int
);
CREATE FUNCTION public.citus_schema_distribute(schemaname regnamespace) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF schemaname::text = 'citus_breaks' THEN
        RAISE EXCEPTION 'the node is down';
    END IF;
    INSERT INTO public.citus_stub_calls (fn, arg, unsafe_triggers, schema_tables)
    VALUES ('citus_schema_distribute', schemaname::text,
            current_setting('citus.enable_unsafe_triggers', true),
            (SELECT count(*) FROM pg_class WHERE relnamespace = schemaname AND relkind = 'r'));
END $$;
CREATE FUNCTION public.truncate_local_data_after_distributing_table(function_name regclass)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO public.citus_stub_calls (fn, arg) VALUES
        ('truncate_local_data_after_distributing_table', function_name::text)
$$;
"""


@pytest.fixture
def citus_stubs(db):
    with connection.cursor() as cursor:
        cursor.execute(STUBS)


def _calls() -> list[tuple[str, str, str | None, int | None]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT fn, arg, unsafe_triggers, schema_tables FROM public.citus_stub_calls ORDER BY n"
        )
        return list(cursor.fetchall())


def _provision(tenants, slug: str) -> Institution:
    institution = services.institution_create(
        actor=SETUP,
        name=f"Школа {slug}",
        short_name=slug,
        kind="school",
        municipality_id=tenants.municipality.pk,
        slug=slug,
        coordinator_email=f"coordinator@{slug}.ru",
    )
    with contextlib.suppress(DatabaseError):  # a failure is recorded on the institution
        services.institution_provision(institution_id=institution.pk)
    return Institution.objects.get(pk=institution.pk)


def test_with_citus_on_the_new_schema_is_distributed_and_its_local_copy_truncated(
    tenants, citus_stubs, settings
):
    settings.NASTAVNIK_CITUS = True

    institution = _provision(tenants, "citus-on")

    assert institution.status == InstitutionStatus.ACTIVE
    distribute, *truncates = _calls()
    schema = institution.schema_name
    # distributed right after the clone (every table there), with triggers allowed
    assert distribute[:3] == ("citus_schema_distribute", schema, "on")
    assert (distribute[3] or 0) > 40
    # then every table's leftover local rows are truncated
    assert {fn for fn, *_ in truncates} == {"truncate_local_data_after_distributing_table"}
    assert len(truncates) == distribute[3]
    assert all(arg.startswith(f"{schema}.") for _, arg, *_ in truncates)
    assert f"{schema}.participants_consent" in {arg for _, arg, *_ in truncates}


def test_with_citus_off_nothing_is_distributed(tenants, citus_stubs, settings):
    settings.NASTAVNIK_CITUS = False

    institution = _provision(tenants, "citus-off")

    assert institution.status == InstitutionStatus.ACTIVE
    assert _calls() == []


def test_a_failed_distribution_rolls_the_whole_provisioning_back(tenants, citus_stubs, settings):
    settings.NASTAVNIK_CITUS = True

    institution = _provision(tenants, "citus-breaks")

    assert institution.status == InstitutionStatus.FAILED
    assert "the node is down" in institution.provisioning_error
    assert not schema_exists("citus_breaks")  # the clone went with the failed distribution


def test_the_citus_command_says_when_the_database_has_no_citus(db):
    with pytest.raises(CommandError, match="no Citus extension"):
        call_command("citus", "status")
