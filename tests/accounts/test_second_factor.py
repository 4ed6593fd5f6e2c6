"""The second factor (TOTP with django-otp, recovery codes): required of regional
administrators and coordinators, optional for others; wrong codes count towards the lockout."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from accounts.models import Role
from tests.conftest import PASSWORD, make_user

ADDRESS = "10.20.30.41"


@pytest.fixture(autouse=True)
def _required_as_in_production(settings: Any) -> None:
    settings.OTP_REQUIRED_ROLES = ["regional_admin", "coordinator"]
    # django-otp also makes a device wait 2^n seconds after n wrong codes; the tests type the
    # right code at once after a wrong one (the lockout below is django-axes')
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def signed_in(host: str, username: str) -> Client:
    client = Client(HTTP_HOST=host, REMOTE_ADDR=ADDRESS, HTTP_ACCEPT_LANGUAGE="ru")
    answer = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert answer.status_code == 302
    return client


def code_from(secret: str, drift: int = 0) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, drift=drift):06d}"


def set_up(client: Client) -> tuple[str, list[str]]:
    """Connect the app on the setup page; the key it shows and the recovery codes."""
    page = client.get("/accounts/two-factor/setup/").content.decode()
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page)
    assert secret is not None
    answer = client.post("/accounts/two-factor/setup/", {"code": code_from(secret.group(1))})
    assert answer.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", answer.content.decode())
    return secret.group(1), codes


def test_a_coordinator_must_connect_an_app_before_anything_else(tenant_a: Any) -> None:
    make_user(tenant_a.schema_name, Role.COORDINATOR, "coord-2fa")
    client = signed_in(tenant_a.host, "coord-2fa")

    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == "/accounts/two-factor/setup/?next=%2F"
    api = client.get("/api/v1/me/")
    assert api.status_code == 403
    assert "вторым фактором" in api.json()["detail"]

    wrong = client.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert wrong.status_code == 400
    assert "Неверный код" in wrong.content.decode()

    secret, codes = set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    with schema_context(tenant_a.schema_name):
        assert TOTPDevice.objects.filter(user__username="coord-2fa", confirmed=True).count() == 1

    # the next sign-in asks for a code; a recovery code works once
    again = signed_in(tenant_a.host, "coord-2fa")
    assert again.get("/programme/")["Location"] == "/accounts/two-factor/?next=%2Fprogramme%2F"
    answer = again.post("/accounts/two-factor/", {"code": codes[0], "next": "/programme/"})
    assert answer.status_code == 302 and answer["Location"] == "/programme/"
    third = signed_in(tenant_a.host, "coord-2fa")
    assert third.post("/accounts/two-factor/", {"code": codes[0]}).status_code == 400
    answer = third.post("/accounts/two-factor/", {"code": code_from(secret, drift=1)})
    assert answer.status_code == 302


def test_wrong_codes_lock_the_login_like_wrong_passwords(tenant_a: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    make_user(tenant_a.schema_name, Role.COORDINATOR, "coord-lock")
    client = signed_in(tenant_a.host, "coord-lock")
    set_up(client)
    second = signed_in(tenant_a.host, "coord-lock")
    assert second.post("/accounts/two-factor/", {"code": "111111"}).status_code == 400
    assert second.post("/accounts/two-factor/", {"code": "222222"}).status_code == 400
    locked = second.post("/accounts/two-factor/", {"code": "333333"})
    assert locked.status_code == 429
    assert "Слишком много неудачных попыток входа" in locked.content.decode()
    assert second.get("/").status_code == 302  # signed out
    # the password alone is refused too now, from this address
    retry = Client(HTTP_HOST=tenant_a.host, REMOTE_ADDR=ADDRESS)
    answer = retry.post("/accounts/login/", {"username": "coord-lock", "password": PASSWORD})
    assert answer.status_code == 429


def test_a_mentor_may_turn_it_on_and_off(tenant_a: Any) -> None:
    make_user(tenant_a.schema_name, Role.MENTOR, "mentor-2fa")
    client = signed_in(tenant_a.host, "mentor-2fa")
    assert client.get("/accounts/two-factor/manage/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200  # not required

    set_up(client)
    later = signed_in(tenant_a.host, "mentor-2fa")
    assert later.get("/api/v1/me/").status_code == 403  # turned on: asked for it

    # turning it off takes a confirmed session
    assert later.post("/accounts/two-factor/disable/").status_code == 302
    with schema_context(tenant_a.schema_name):
        assert TOTPDevice.objects.filter(user__username="mentor-2fa").exists()
    client.post("/accounts/two-factor/disable/")
    with schema_context(tenant_a.schema_name):
        assert not TOTPDevice.objects.filter(user__username="mentor-2fa").exists()
    assert signed_in(tenant_a.host, "mentor-2fa").get("/api/v1/me/").status_code == 200


def test_a_coordinator_cannot_turn_it_off(tenant_a: Any) -> None:
    make_user(tenant_a.schema_name, Role.COORDINATOR, "coord-keep")
    client = signed_in(tenant_a.host, "coord-keep")
    set_up(client)
    manage = client.get("/accounts/two-factor/manage/").content.decode()
    assert "Новые коды восстановления" in manage
    assert "Отключить второй фактор" not in manage
    client.post("/accounts/two-factor/disable/")
    with schema_context(tenant_a.schema_name):
        assert TOTPDevice.objects.filter(user__username="coord-keep", confirmed=True).exists()


def test_an_api_token_takes_the_code_too(tenant_a: Any) -> None:
    make_user(tenant_a.schema_name, Role.COORDINATOR, "coord-api")
    secret, _codes = set_up(signed_in(tenant_a.host, "coord-api"))
    api = Client(HTTP_HOST=tenant_a.host, REMOTE_ADDR=ADDRESS)
    credentials = {"username": "coord-api", "password": PASSWORD}

    refused = api.post("/api/v1/auth/token/", credentials)
    assert refused.status_code == 400
    assert "otp" in refused.json()["errors"]
    wrong = api.post("/api/v1/auth/token/", {**credentials, "otp": "123456"})
    assert wrong.status_code == 400
    issued = api.post("/api/v1/auth/token/", {**credentials, "otp": code_from(secret, drift=1)})
    assert issued.status_code == 200 and issued.json()["token"]


def test_a_regional_administrator_is_asked_too(db: None) -> None:
    make_user("public", Role.REGIONAL_ADMIN, "admin-2fa")
    client = signed_in("nastavnik.test", "admin-2fa")
    assert client.get("/")["Location"].startswith("/accounts/two-factor/setup/")
    set_up(client)
    assert client.get("/").status_code == 200


def test_a_verified_session_reads_its_device_once_per_request_and_loses_it(
    tenant_a: Any,
) -> None:
    """A verified session's device is read on every request (one statement: the device must
    still exist, be the user's and be confirmed); an unconfirmed or deleted device ends the
    verification at the next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_user(tenant_a.schema_name, Role.COORDINATOR, "coord-device")
    client = signed_in(tenant_a.host, "coord-device")
    set_up(client)
    assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/settings/time-zone/").status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if "otp_totp_totpdevice" in q["sql"]]
    assert reads == [reads[0]] and 'WHERE "id" = ' in reads[0]

    with schema_context(tenant_a.schema_name):
        TOTPDevice.objects.filter(user__username="coord-device").update(confirmed=False)
    answer = client.get("/settings/time-zone/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/two-factor/")
    with schema_context(tenant_a.schema_name):
        TOTPDevice.objects.filter(user__username="coord-device").update(confirmed=True)
    assert client.get("/settings/time-zone/").status_code == 302  # the session forgot it

    again = signed_in(tenant_a.host, "coord-device")
    with schema_context(tenant_a.schema_name):
        device = TOTPDevice.objects.get(user__username="coord-device")
    key = base64.b32encode(device.bin_key).decode()
    # the next time step: the setup's code may not be used twice
    assert again.post("/accounts/two-factor/", {"code": code_from(key, drift=1)}).status_code == 302
    assert again.get("/settings/time-zone/").status_code == 200
    with schema_context(tenant_a.schema_name):
        device.delete()
    assert again.get("/settings/time-zone/").status_code == 302
