"""Celery with a real worker (in a thread of this process) and the real Redis broker.

These tests commit their data (the worker has its own database connection) and clean up
after themselves."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import schema_context, schema_exists

from accounts import services as account_services
from accounts.models import Invitation, Role
from accounts.tasks import invitation_send
from config.celery import app
from config.db import tenant_connection
from config.tasks import MissingTenantSchema
from tenants.models import Domain, Institution
from tenants.schemas import drop_schema
from tests.conftest import SETUP, wait_for

pytestmark = pytest.mark.celery_worker


def test_tenant_task_writes_into_the_schema_it_was_sent_from(worker, committed, tenants):
    mail.outbox.clear()
    with schema_context(tenants.a.schema_name):
        invitation = account_services.invitation_create(
            email="worker-test@alpha.ru", role=Role.MENTOR, actor=SETUP
        )
    try:

        def sent() -> bool:
            with schema_context(tenants.a.schema_name):
                return bool(Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False))

        wait_for(sent)
        with schema_context(tenants.b.schema_name):
            assert not Invitation.objects.filter(email="worker-test@alpha.ru").exists()
        assert not Invitation.objects.filter(email="worker-test@alpha.ru").exists()  # public
        wait_for(lambda: mail.outbox)
        assert "http://alpha.nastavnik.test/accounts/invite/" in mail.outbox[0].body
    finally:
        with schema_context(tenants.a.schema_name):
            Invitation.objects.filter(pk=invitation.pk).delete()


def test_tenant_task_without_a_schema_fails_loudly(committed):
    tenant_connection().set_schema_to_public()
    result = invitation_send.apply(kwargs={"invitation_id": 1})
    with pytest.raises(MissingTenantSchema):
        result.get()


def test_provisioning_through_the_api_and_the_worker(worker, committed, tenants, client_for):
    from tests.conftest import make_user

    admin = make_user("public", Role.REGIONAL_ADMIN, "celery-admin")
    mail.outbox.clear()
    try:
        response = client_for(None, admin).post(
            "/api/v1/institutions/",
            {
                "name": "МБОУ Лицей № 3",
                "short_name": "Лицей № 3",
                "kind": "school",
                "municipality": tenants.municipality.pk,
                "slug": "lyceum-3",
                "coordinator_email": "coord@lyceum3.ru",
                "coordinator_name": "Кузнецова Елена Викторовна",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        institution_id = response.json()["id"]

        def active() -> Institution | None:
            return Institution.objects.filter(pk=institution_id, status="active").first()

        institution = wait_for(active)
        assert schema_exists("lyceum_3")
        status = client_for(None, admin).get(f"/api/v1/institutions/{institution_id}/").json()
        assert status["status"] == "active" and status["provisioned_at"]
        # the coordinator's invitation is sent by a tenant task in the new schema
        wait_for(lambda: [m for m in mail.outbox if m.to == ["coord@lyceum3.ru"]])
        letter = next(m for m in mail.outbox if m.to == ["coord@lyceum3.ru"])
        assert "http://lyceum-3.nastavnik.test/accounts/invite/" in letter.body
        with schema_context(institution.schema_name):
            invitation = Invitation.objects.get(email="coord@lyceum3.ru")
            assert invitation.role == Role.COORDINATOR and invitation.last_name == "Кузнецова"
    finally:
        tenant_connection().set_schema_to_public()
        if schema_exists("lyceum_3"):
            drop_schema("lyceum_3")
        Domain.objects.filter(tenant__slug="lyceum-3").delete()
        Institution.objects.filter(slug="lyceum-3").delete()
        admin.delete()


def test_beat_sends_regional_entries_to_public_and_fan_out_to_institutions(
    worker, committed, tenants
):
    from django.core.cache import cache

    from config.beat import PlatformScheduler
    from config.health import HEARTBEAT_KEY, last_heartbeat

    cache.delete(HEARTBEAT_KEY)
    scheduler = PlatformScheduler(app=app, lazy=True)
    scheduler.setup_schedule()
    entry = scheduler.schedule["heartbeat@public"]
    scheduler.apply_entry(entry)
    wait_for(last_heartbeat)
    assert set(PlatformScheduler.get_queryset().values_list("schema_name", flat=True)) >= {
        "alpha",
        "beta",
    }
