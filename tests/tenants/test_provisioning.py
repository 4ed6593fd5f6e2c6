"""Provisioning: a schema cloned from the template, all-or-nothing, retryable, idempotent."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from accounts.models import Invitation
from tenants import schemas, services
from tenants.models import Institution, InstitutionStatus
from tests.conftest import SETUP


def _new(tenants, slug: str) -> Institution:
    return services.institution_create(
        actor=SETUP,
        name=f"Школа {slug}",
        short_name=slug,
        kind="school",
        municipality_id=tenants.municipality.pk,
        slug=slug,
        coordinator_email=f"coordinator@{slug}.ru",
        coordinator_name="Смирнова Ольга Ивановна",
    )


def test_clone_gives_every_tenant_table_and_the_migration_history(tenants, db):
    institution = services.institution_provision(institution_id=_new(tenants, "gamma").pk)
    assert institution is not None and institution.status == InstitutionStatus.ACTIVE
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            ["gamma"],
        )
        tables = {row[0] for row in cursor.fetchall()}
    assert {"programmes_programme", "accounts_user", "django_session"} <= tables
    assert "tenants_institution" not in tables  # shared tables stay in public
    with schema_context("gamma"):
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.role) == ("coordinator@gamma.ru", "coordinator")
        assert (invitation.last_name, invitation.first_name) == ("Смирнова", "Ольга")
    assert schemas.template_is_current()


def test_a_failed_provisioning_leaves_no_schema_and_can_be_retried(tenants, db, monkeypatch):
    institution = _new(tenants, "delta")

    def broken_invitation(**kwargs: object) -> None:
        raise RuntimeError("mail system exploded")

    monkeypatch.setattr(services, "invitation_create", broken_invitation)
    with pytest.raises(RuntimeError):
        services.institution_provision(institution_id=institution.pk)
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.FAILED
    assert "mail system exploded" in institution.provisioning_error
    assert not schema_exists("delta")  # the clone was rolled back with everything else

    monkeypatch.undo()
    services.institution_retry_provisioning(actor=SETUP, institution=institution)
    assert Institution.objects.get(pk=institution.pk).status == InstitutionStatus.PROVISIONING
    provisioned = services.institution_provision(institution_id=institution.pk)
    assert provisioned is not None and provisioned.status == InstitutionStatus.ACTIVE
    assert provisioned.provisioning_attempts == 2 and provisioned.provisioning_error == ""
    assert schema_exists("delta")


def test_provisioning_twice_changes_nothing(tenants, db):
    institution = services.institution_provision(institution_id=_new(tenants, "epsilon").pk)
    again = services.institution_provision(institution_id=institution.pk)  # type: ignore[union-attr]
    assert again is not None and again.provisioning_attempts == 1
    with schema_context("epsilon"):
        assert Invitation.objects.count() == 1


def test_provisioning_an_institution_that_is_gone_is_a_no_op(db):
    assert services.institution_provision(institution_id=987654) is None


def test_template_follows_migrations(db):
    """A template behind the migrations is detected and brought back in step."""
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{schemas.template_schema_name()}" CASCADE')
    assert not schemas.template_is_current()
    assert schemas.sync_template_schema() is True
    assert schemas.template_is_current()
    assert schemas.sync_template_schema() is False  # nothing to do the second time
