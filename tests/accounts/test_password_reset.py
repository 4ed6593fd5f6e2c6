"""The password reset letter is sent by the worker, not inside the request."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import Role, User
from tests.conftest import make_user, wait_for

pytestmark = pytest.mark.celery_worker


def test_the_reset_letter_is_mailed_by_the_worker(worker, committed, tenants):
    mail.outbox.clear()
    user = make_user(tenants.a.schema_name, Role.CURATOR, "reset-by-worker", email="rw@alpha.ru")
    try:
        client = Client(HTTP_HOST=tenants.a.host, HTTP_ACCEPT_LANGUAGE="ru")
        response = client.post("/accounts/password-reset/", {"email": "rw@alpha.ru"})
        assert response.status_code == 302
        wait_for(lambda: mail.outbox)
        letter = mail.outbox[0]
        assert letter.to == ["rw@alpha.ru"]
        assert "Восстановление пароля" in letter.subject
        assert f"http://{tenants.a.host}/accounts/reset/" in letter.body
    finally:
        with schema_context(tenants.a.schema_name):
            User.objects.filter(pk=user.pk).delete()
