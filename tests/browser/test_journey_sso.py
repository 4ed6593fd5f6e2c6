"""Browser journey: single sign-on through a real OpenID provider (the npm ``oidc-provider``,
tests/sso/oidc_provider.py). A coordinator signs in on the institution's host through the
regional callback, lands on the institution's home and signs out of both; a person the
institution does not know, a person of another institution and a code issued to another
application are refused with a clear page."""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from accounts.models import ExternalIdentity, Role, User
from config.db import tenant_connection
from tests.browser.conftest import make_user_in, shot
from tests.sso.oidc_provider import OTHER_CLIENT_ID, Provider, running_provider

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider(live: Any, django_db_blocker: Any) -> Iterator[Provider]:
    with running_provider([f"http://localhost:{live.port}"]) as running:
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["form-action"].append(running.issuer)  # the sign-out redirect
        overrides = override_settings(
            **running.settings(),
            OIDC_PROVIDER_NAME="Госуслуги",
            CONTENT_SECURITY_POLICY=policy,
            OTP_REQUIRED_ROLES=["regional_admin", "coordinator"],  # as in production
        )
        overrides.enable()
        try:
            yield running
        finally:
            overrides.disable()


@pytest.fixture(scope="module")
def people(provider: Provider, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        from tenants.models import Institution

        alpha = Institution.objects.get(slug="alpha")
        beta = Institution.objects.get(slug="beta")
        made = [
            (
                alpha,
                make_user_in(
                    alpha.schema_name,
                    Role.COORDINATOR,
                    "sso-coordinator",
                    email="sso.coordinator@alpha.ru",
                    last_name="Соколова",
                    first_name="Ирина",
                ),
            ),
            (
                beta,
                make_user_in(
                    beta.schema_name, Role.COORDINATOR, "sso-beta", email="sso.beta@beta.ru"
                ),
            ),
        ]
        admin = make_user_in(
            "public", Role.REGIONAL_ADMIN, "sso-admin", email="sso.admin@region.ru"
        )
        provider.add_person("sub-admin", email="sso.admin@region.ru", email_verified=True)
        with schema_context(alpha.schema_name):
            # the coordinator connected an authenticator app earlier
            app = TOTPDevice.objects.create(user=made[0][1], name="app", confirmed=True)
        provider.add_person(
            "sub-coordinator", email="sso.coordinator@alpha.ru", email_verified=True
        )
        provider.add_person("sub-stranger", email="stranger@example.ru", email_verified=True)
        provider.add_person("sub-beta", email="sso.beta@beta.ru", email_verified=True)
        try:
            yield {"alpha": alpha, "beta": beta, "app_key": app.bin_key}
        finally:
            tenant_connection().set_schema_to_public()
            ExternalIdentity.objects.filter(user=admin).delete()
            User.objects.filter(pk=admin.pk).delete()
            for institution, user in made:
                with schema_context(institution.schema_name):
                    ExternalIdentity.objects.filter(user=user).delete()
                    User.objects.filter(pk=user.pk).delete()


def provider_sign_in(page: Any, login: str) -> None:
    """The provider's own sign-in form (its development interaction)."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()


def test_a_coordinator_signs_in_through_the_provider_and_out_of_both(
    live: Any, browser: Any, provider: Provider, people: dict[str, Any]
) -> None:
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    login_page = live.url("alpha.localhost", "/accounts/login/")
    page.goto(login_page)
    button = page.get_by_role("link", name="Войти через Госуслуги")
    shot(page, "sso-login-page")
    button.click()
    page.wait_for_url(f"{provider.issuer}/**")
    provider_sign_in(page, "sub-coordinator")

    # back through the regional callback; a coordinator confirms with the app's code
    page.wait_for_url(live.url("alpha.localhost", "/accounts/two-factor/") + "**")
    page.get_by_label("Код").fill(f"{totp(people['app_key']):06d}")
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url(live.url("alpha.localhost", "/"))
    assert "Соколова Ирина" in page.get_by_test_id("whoami").inner_text()
    shot(page, "sso-home")

    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(f"{provider.issuer}/session/end**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(login_page)
    assert page.get_by_role("link", name="Войти через Госуслуги").is_visible()

    # the provider's session ended too: it asks who you are again
    page.get_by_role("link", name="Войти через Госуслуги").click()
    page.wait_for_url(f"{provider.issuer}/**")
    assert page.locator("input[name=login]").is_visible()
    context.close()


@pytest.mark.parametrize(
    ("login", "tamper", "words"),
    [
        ("sub-stranger", None, "здесь для вас нет учётной записи"),
        ("sub-beta", None, "здесь для вас нет учётной записи"),
        ("sub-coordinator", {"client_id": OTHER_CLIENT_ID}, "Не удалось проверить ответ"),
    ],
    ids=["unknown-person", "other-institutions-person", "another-applications-code"],
)
def test_who_the_institution_does_not_know_is_refused_with_a_clear_page(
    live: Any,
    browser: Any,
    provider: Provider,
    people: dict[str, Any],
    login: str,
    tamper: dict[str, str] | None,
    words: str,
) -> None:
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    page.goto(live.url("alpha.localhost", "/accounts/login/"))
    button = page.get_by_role("link", name="Войти через Госуслуги")
    if tamper:
        # the authorization request rewritten, as if the code were obtained for another
        # application of the region and played against Nastavnik with this browser's state
        with page.expect_request(lambda r: r.url.startswith(f"{provider.issuer}/auth?")) as sent:
            button.click()
        parts = urlsplit(sent.value.url)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        page.goto(parts._replace(query=urlencode({**query, **tamper})).geturl())
    else:
        button.click()
    page.wait_for_url(f"{provider.issuer}/**")
    provider_sign_in(page, login)

    refused = page.get_by_test_id("sso-refused")
    refused.wait_for()
    assert page.url.startswith(live.url("alpha.localhost", "/oidc/callback/"))
    assert "Здесь вы не можете войти" in refused.inner_text()
    assert words in refused.inner_text()
    shot(page, f"sso-refused-{login}")
    page.get_by_role("link", name="Вернуться на страницу входа").click()
    page.wait_for_url(live.url("alpha.localhost", "/accounts/login/"))
    context.close()


def test_a_regional_administrator_signs_in_on_the_regional_host_and_is_asked_for_a_second_factor(
    live: Any, browser: Any, provider: Provider, people: dict[str, Any]
) -> None:
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    page.goto(live.url("localhost", "/accounts/login/"))
    page.get_by_role("link", name="Войти через Госуслуги").click()
    page.wait_for_url(f"{provider.issuer}/**")
    provider_sign_in(page, "sub-admin")

    page.wait_for_url(live.url("localhost", "/accounts/two-factor/setup/") + "**")
    assert page.get_by_role("heading", name="Подключите приложение-аутентификатор").is_visible()
    assert page.get_by_role("img", name="QR-код для приложения-аутентификатора").is_visible()
    shot(page, "sso-second-factor-setup")
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Код").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Подключить").click()

    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Я сохранил(а) коды").click()
    page.wait_for_url(live.url("localhost", "/"))
    assert "Администратор регионального центра" in page.get_by_test_id("whoami").inner_text()
    context.close()
