"""Brute-force protection (django-axes): a login is locked for a username and an address
together, on the login page and on the API token endpoint; password reset by e-mail."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import Role
from tests.conftest import PASSWORD, make_user

LIMIT = 5  # AXES_FAILURE_LIMIT
SCHOOL_ADDRESS = "10.20.30.40"


def login(host: str, username: str, password: str, address: str = SCHOOL_ADDRESS) -> Any:
    client = Client(HTTP_HOST=host, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="ru")
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def teacher(tenant_a):
    return make_user(tenant_a.schema_name, Role.COORDINATOR, "locked-coord")


def test_authenticate_without_a_request_is_not_a_login_and_passes_through(db):
    from django.contrib.auth import authenticate

    staff = make_user("public", Role.REGIONAL_STAFF, "no-request-staff")
    assert authenticate(username="no-request-staff", password=PASSWORD) == staff


def test_failed_logins_lock_the_username_at_that_address_only(tenant_a, teacher):
    host = tenant_a.host
    for _ in range(LIMIT - 1):
        response = login(host, "locked-coord", "wrong-password")
        assert response.status_code == 200  # the form again, with the error
    assert login(host, "locked-coord", "wrong-password").status_code == 429  # the limit
    # now even the right password is refused, with the lockout page
    locked = login(host, "locked-coord", PASSWORD)
    assert locked.status_code == 429
    assert "locked_out" not in locked.content.decode()
    assert "Слишком много неудачных попыток входа" in locked.content.decode()
    # the rest of the school, behind the same address, still signs in
    other = make_user(tenant_a.schema_name, Role.CURATOR, "other-teacher")
    assert login(host, other.username, PASSWORD).status_code == 302
    # and the same person from another address too
    assert login(host, "locked-coord", PASSWORD, address="10.99.0.1").status_code == 302


def test_the_api_token_endpoint_counts_and_honours_the_lockout(tenant_a, teacher):
    client = Client(HTTP_HOST=tenant_a.host, REMOTE_ADDR=SCHOOL_ADDRESS)
    for attempt in range(1, LIMIT + 1):
        response = client.post(
            "/api/v1/auth/token/", {"username": "locked-coord", "password": "nope"}
        )
        assert response.status_code == (429 if attempt == LIMIT else 400)
    response = client.post(
        "/api/v1/auth/token/", {"username": "locked-coord", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "token" not in response.json()
    # the login page is locked for the same pair as well
    assert login(tenant_a.host, "locked-coord", PASSWORD).status_code == 429


def test_lockouts_are_per_institution(tenant_a, tenant_b, teacher):
    make_user(tenant_b.schema_name, Role.COORDINATOR, "locked-coord")
    for _ in range(LIMIT):
        login(tenant_a.host, "locked-coord", "wrong-password")
    assert login(tenant_a.host, "locked-coord", PASSWORD).status_code == 429
    assert login(tenant_b.host, "locked-coord", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(tenant_a, teacher):
    for _ in range(LIMIT - 1):
        login(tenant_a.host, "locked-coord", "wrong-password")
    assert login(tenant_a.host, "locked-coord", PASSWORD).status_code == 302
    for _ in range(LIMIT - 1):
        login(tenant_a.host, "locked-coord", "wrong-password")
    assert login(tenant_a.host, "locked-coord", PASSWORD).status_code == 302


PROXY = "172.30.0.10"  # the shipped proxy's address on compose's internal network


def test_client_address_behind_the_trusted_proxy_only(settings):
    from django.test import RequestFactory

    from accounts.security import client_ip

    def address(remote: str, forwarded: str) -> str | None:
        request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
        return client_ip(request)

    settings.TRUSTED_PROXIES = []
    assert address(PROXY, "203.0.113.7") == PROXY  # no proxy trusted: the peer itself
    settings.TRUSTED_PROXIES = [PROXY]
    assert address(PROXY, "203.0.113.7") == "203.0.113.7"  # the address the proxy saw
    # what the client wrote itself, left of the proxy's entry, is ignored
    assert address(PROXY, "6.6.6.6, 203.0.113.7") == "203.0.113.7"
    assert address(PROXY, "not-an-address") == PROXY
    # any other peer is keyed on its own address, whatever it claims
    assert address("198.51.100.9", "203.0.113.7") == "198.51.100.9"
    settings.TRUSTED_PROXIES = ["172.30.0.0/24"]  # networks work too
    assert address("172.30.0.11", "172.30.0.10, 203.0.113.7") == "203.0.113.7"


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing(
    tenant_a, teacher, settings
):
    """30 wrong passwords straight to the web port, each claiming another address: the
    lockout keys on the peer's own address and locks after the limit."""
    settings.TRUSTED_PROXIES = [PROXY]
    attacker = "198.51.100.23"
    statuses = []
    for attempt in range(30):
        client = Client(
            HTTP_HOST=tenant_a.host,
            REMOTE_ADDR=attacker,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt + 1}",
        )
        response = client.post(
            "/accounts/login/", {"username": "locked-coord", "password": "wrong-password"}
        )
        statuses.append(response.status_code)
    assert statuses[: LIMIT - 1] == [200] * (LIMIT - 1)
    assert set(statuses[LIMIT - 1 :]) == {429}
    with schema_context(tenant_a.schema_name):
        from axes.models import AccessAttempt

        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {attacker}
    # the right password from that peer is refused too, whatever address it claims
    spoofed = Client(
        HTTP_HOST=tenant_a.host, REMOTE_ADDR=attacker, HTTP_X_FORWARDED_FOR="192.0.2.99"
    ).post("/accounts/login/", {"username": "locked-coord", "password": PASSWORD})
    assert spoofed.status_code == 429


def test_behind_the_proxy_each_client_address_is_locked_on_its_own(tenant_a, teacher, settings):
    """Through the proxy (the peer is the proxy, which wrote the client's address), a client
    that is locked out does not lock the rest of the school behind other addresses."""
    settings.TRUSTED_PROXIES = [PROXY]

    def through_proxy(client_address: str, password: str) -> int:
        client = Client(
            HTTP_HOST=tenant_a.host, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address
        )
        return client.post(
            "/accounts/login/", {"username": "locked-coord", "password": password}
        ).status_code

    for _ in range(LIMIT):
        through_proxy("203.0.113.50", "wrong-password")
    assert through_proxy("203.0.113.50", PASSWORD) == 429
    assert through_proxy("203.0.113.51", PASSWORD) == 302


def run_enqueued_here(monkeypatch: Any) -> None:
    """The password reset task runs in this process when enqueued (the worker's own path is
    tested in test_password_reset.py)."""
    from accounts.tasks import password_reset_send

    monkeypatch.setattr(
        password_reset_send,
        "apply_async",
        lambda kwargs, headers: password_reset_send.apply(kwargs=kwargs, headers=headers),
    )


def test_password_reset_by_email_on_the_institution_host(
    tenant_a, teacher, django_capture_on_commit_callbacks, monkeypatch
):
    with schema_context(tenant_a.schema_name):
        teacher.email = "reset-me@alpha.ru"
        teacher.save(update_fields=["email"])
    mail.outbox.clear()
    run_enqueued_here(monkeypatch)
    client = Client(HTTP_HOST=tenant_a.host, HTTP_ACCEPT_LANGUAGE="ru")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password-reset/", {"email": "reset-me@alpha.ru"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    letter = mail.outbox[0]
    assert "Восстановление пароля" in letter.subject
    link = re.search(r"http://\S+/accounts/reset/\S+/", str(letter.body))
    assert link and link.group(0).startswith(f"http://{tenant_a.host}/")
    # the link opens on its own host only
    path = link.group(0).split(tenant_a.host, 1)[1]
    other = Client(HTTP_HOST="beta.nastavnik.test", HTTP_ACCEPT_LANGUAGE="ru").get(
        path, follow=True
    )
    assert "Ссылка недействительна" in other.content.decode()
    form = client.get(path, follow=True)
    assert form.status_code == 200
    new_password = "Sovsem-Novyi-Parol-42"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert login(tenant_a.host, "locked-coord", new_password).status_code == 302
