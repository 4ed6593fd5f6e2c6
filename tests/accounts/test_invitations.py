from __future__ import annotations

import re

from django.core import mail
from django_tenants.utils import schema_context

from accounts import services
from accounts.models import Invitation, User
from tests.conftest import SETUP


def _invite_and_send(tenant, email="curator@school.ru", role="curator"):
    with schema_context(tenant.schema_name):
        invitation = services.invitation_create(
            email=email, role=role, last_name="Орлова", actor=SETUP
        )
        services.invitation_send(invitation_id=invitation.pk)
    return invitation


def _link_token(body: str) -> str:
    match = re.search(r"/accounts/invite/([\w-]+)/", body)
    assert match, body
    return match.group(1)


def test_invitation_link_creates_an_account_once(tenant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite_and_send(tenant_a)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"http://{tenant_a.host}/accounts/invite/" in body
    token = _link_token(str(body))

    from django.test import Client

    client = Client(HTTP_HOST=tenant_a.host)
    assert client.get(f"/accounts/invite/{token}/").status_code == 200
    weak = client.post(f"/accounts/invite/{token}/", {"username": "orlova", "password": "123"})
    assert weak.status_code == 400
    ok = client.post(
        f"/accounts/invite/{token}/", {"username": "orlova", "password": "Str0ng-Passw0rd!"}
    )
    assert ok.status_code == 302
    with schema_context(tenant_a.schema_name):
        user = User.objects.get(username="orlova")
        assert user.role == "curator" and user.email == "curator@school.ru"
    # the link works once
    again = Client(HTTP_HOST=tenant_a.host).get(f"/accounts/invite/{token}/")
    assert again.status_code == 404
    # and never on another institution's host
    assert (
        Client(HTTP_HOST="beta.nastavnik.test").get(f"/accounts/invite/{token}/").status_code == 404
    )


def test_sending_is_idempotent(tenant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite_and_send(tenant_a)
        with schema_context(tenant_a.schema_name):
            assert services.invitation_send(invitation_id=invitation.pk) is False
    assert len(mail.outbox) == 1
    with schema_context(tenant_a.schema_name):
        assert Invitation.objects.get(pk=invitation.pk).token_hash


def test_coordinator_invites_through_the_api_and_others_cannot(tenant_a, user_in, client_for):
    coordinator = user_in(tenant_a.schema_name, "coordinator")
    mentor = user_in(tenant_a.schema_name, "mentor")
    response = client_for(tenant_a, coordinator).post(
        "/api/v1/invitations/", {"email": "mentor2@school.ru", "role": "mentor"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["sent_at"] is None  # the worker sends it after commit
    denied = client_for(tenant_a, mentor).post(
        "/api/v1/invitations/", {"email": "x@school.ru", "role": "coordinator"}
    )
    assert denied.status_code == 403
    bad = client_for(tenant_a, coordinator).post(
        "/api/v1/invitations/", {"email": "x@school.ru", "role": "regional_admin"}
    )
    assert bad.status_code == 400 and "role" in bad.json()["errors"]
