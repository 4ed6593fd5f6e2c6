"""Sessions and tokens: tokens expire, rotate and die with the password; a session ends with
the browser unless "remember me"; every page carries a Content-Security-Policy and no page has
an inline script; password reset is rate-limited and mailed by the worker."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token

from accounts.authentication import token_and_user_sql
from accounts.models import Role
from tests.accounts.test_login_protection import run_enqueued_here
from tests.conftest import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def mentor(tenant_a):
    return make_user(tenant_a.schema_name, Role.MENTOR, "token-mentor", email="m@alpha.ru")


def issue(host: str, username: str, password: str = PASSWORD) -> dict:
    response = Client(HTTP_HOST=host).post(
        "/api/v1/auth/token/", {"username": username, "password": password}
    )
    assert response.status_code == 200, response.content
    return response.json()


def me(host: str, token: str) -> int:
    return (
        Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/me/").status_code
    )


def test_tokens_expire_rotate_and_die_with_the_password(tenant_a, mentor, settings):
    host = tenant_a.host
    first = issue(host, "token-mentor")
    assert me(host, first["token"]) == 200
    expires = datetime.fromisoformat(first["expires_at"])
    assert timedelta(days=29) < expires - timezone.now() <= settings.API_TOKEN_TTL
    # a new sign-in rotates: the old token stops working
    second = issue(host, "token-mentor")
    assert second["token"] != first["token"]
    assert me(host, first["token"]) in (401, 403)
    assert me(host, second["token"]) == 200
    # expiry
    with schema_context(tenant_a.schema_name):
        Token.objects.filter(key=second["token"]).update(
            created=timezone.now() - settings.API_TOKEN_TTL - timedelta(minutes=1)
        )
    expired = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Token {second['token']}")
    response = expired.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert "expired" in response.json()["detail"]
    # a password change revokes the token, whichever way it happens
    third = issue(host, "token-mentor")
    with schema_context(tenant_a.schema_name):
        mentor.set_password("Sovsem-Novyi-Parol-42")
        mentor.save()
        assert not Token.objects.filter(user=mentor).exists()
    assert me(host, third["token"]) in (401, 403)


def test_a_token_and_its_user_are_read_in_one_query(tenant_a, mentor):
    host = tenant_a.host
    key = issue(host, "token-mentor")["token"]
    client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me/").json()["username"] == "token-mentor"
    assert [q["sql"] for q in queries.captured_queries if "authtoken_token" in q["sql"]] == [
        token_and_user_sql().replace("%s", f"'{key}'")
    ]
    unknown = Client(HTTP_HOST=host, HTTP_AUTHORIZATION="Token 0123456789abcdef").get("/api/v1/me/")
    assert unknown.status_code in (401, 403) and unknown.json()["detail"] == "Invalid token."
    with schema_context(tenant_a.schema_name):
        mentor.is_active = False
        mentor.save()
    inactive = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert inactive.status_code in (401, 403) and "inactive" in inactive.json()["detail"]


def test_the_token_gives_the_user_as_the_orm_reads_it(tenant_a, mentor):
    """The user and the token built from the one statement's row are the ORM's, field for
    field, and the token's user needs no query of its own."""
    from accounts.authentication import ExpiringTokenAuthentication
    from accounts.models import User

    key = issue(tenant_a.host, "token-mentor")["token"]
    with schema_context(tenant_a.schema_name):
        user, token = ExpiringTokenAuthentication().authenticate_credentials(key)
        expected = User.objects.get(pk=mentor.pk)
        stored = Token.objects.get(key=key)
        for field in User._meta.concrete_fields:
            assert getattr(user, field.attname) == getattr(expected, field.attname), field.name
        assert not user._state.adding and user._state.db == expected._state.db
        assert (token.key, token.user_id, token.created) == (key, mentor.pk, stored.created)
        with CaptureQueriesContext(connection) as queries:
            assert token.user is user
        assert not queries.captured_queries


def session_cookie(response):
    return response.cookies["nastavnik_session"]


def test_a_session_ends_with_the_browser_unless_remember_me(tenant_a, mentor, settings):
    signed_in = Client(HTTP_HOST=tenant_a.host).post(
        "/accounts/login/", {"username": "token-mentor", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    cookie = session_cookie(signed_in)
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert settings.SESSION_COOKIE_AGE == 8 * 3600  # and a school day at most on the server

    remembered = Client(HTTP_HOST=tenant_a.host).post(
        "/accounts/login/",
        {"username": "token-mentor", "password": PASSWORD, "remember": "on"},
    )
    assert remembered.status_code == 302
    assert int(session_cookie(remembered)["max-age"]) == settings.SESSION_REMEMBER_AGE


def test_the_login_page_offers_remember_me_in_russian(tenant_a):
    page = Client(HTTP_HOST=tenant_a.host, HTTP_ACCEPT_LANGUAGE="ru").get("/accounts/login/")
    html = page.content.decode()
    assert 'name="remember"' in html and "Запомнить меня на этом устройстве" in html


def test_every_page_has_a_content_security_policy(tenant_a, client_for, regional_admin):
    for client, path in (
        (Client(HTTP_HOST=tenant_a.host), "/accounts/login/"),
        (client_for(None, regional_admin), "/api/docs/"),
        (client_for(None, regional_admin), "/"),
    ):
        response = client.get(path, follow=True)
        policy = response["Content-Security-Policy"]
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        )
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    docs = client_for(None, regional_admin).get("/api/docs/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", docs)  # the split view


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for folder in ("platform", "schools", "regional", "accounts", "tenants"):
        for path in (ROOT / folder).rglob("templates/**/*.html"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
                offenders.append(f"{path.relative_to(ROOT)}: inline <script>")
            if re.search(r"\son[a-z]+\s*=\s*[\"']", text):
                offenders.append(f"{path.relative_to(ROOT)}: inline event handler")
            if "javascript:" in text:
                offenders.append(f"{path.relative_to(ROOT)}: javascript: URL")
    assert not offenders, offenders


def test_password_reset_is_rate_limited_per_address_and_per_email(
    tenant_a, mentor, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_PER_ADDRESS = 4
    settings.PASSWORD_RESET_PER_EMAIL = 2
    run_enqueued_here(monkeypatch)
    mail.outbox.clear()

    def ask(email: str, address: str = "10.1.1.1"):
        client = Client(HTTP_HOST=tenant_a.host, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="ru")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/accounts/password-reset/", {"email": email})

    assert [ask("m@alpha.ru").status_code for _ in range(3)] == [302, 302, 302]
    assert len(mail.outbox) == 2  # the third letter to the same address is not sent
    assert ask("nobody@alpha.ru").status_code == 302
    refused = ask("m@alpha.ru")
    assert refused.status_code == 429  # the fifth request from this address
    assert "Слишком много запросов" in refused.content.decode()
    assert ask("nobody@alpha.ru", address="10.1.1.2").status_code == 302  # another address


def test_a_session_ends_when_it_expires_or_its_user_is_deactivated(tenant_a, mentor):
    """The session and its user are read by statements written once (``accounts.sessions``,
    ``accounts.backends``): an expired session, a deactivated user or a changed password
    signs out as with Django's ORM reads."""
    from django.contrib.sessions.models import Session

    def signed_in() -> Client:
        client = Client(HTTP_HOST=tenant_a.host)
        answer = client.post("/accounts/login/", {"username": "token-mentor", "password": PASSWORD})
        assert answer.status_code == 302
        assert client.get("/").status_code == 200
        return client

    def signed_out(client: Client) -> bool:
        answer = client.get("/")
        return answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")

    expired = signed_in()
    with schema_context(tenant_a.schema_name):
        key = expired.cookies["nastavnik_session"].value
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() - timedelta(seconds=1)
        )
    assert signed_out(expired)

    deactivated = signed_in()
    with schema_context(tenant_a.schema_name):
        type(mentor).objects.filter(pk=mentor.pk).update(is_active=False)
    assert signed_out(deactivated)
    with schema_context(tenant_a.schema_name):
        type(mentor).objects.filter(pk=mentor.pk).update(is_active=True)

    new_password = signed_in()
    with schema_context(tenant_a.schema_name):
        mentor.refresh_from_db()
        mentor.set_password("another-Passw0rd-42")
        mentor.save()
    assert signed_out(new_password)
