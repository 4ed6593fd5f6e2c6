"""Security a person meets in the browser: "remember me" at sign-in decides whether the session
outlives the browser, and the Content-Security-Policy blocks nothing the pages need (htmx,
Bootstrap, the charts, the API documentation) while refusing inline script."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from accounts.models import Role, User
from config.db import tenant_connection
from tests.browser.conftest import PASSWORD, make_user_in

pytestmark = pytest.mark.browser

TENANT_PAGES = ["/", "/programme/", "/participants/", "/imports/", "/matching/"]
REGIONAL_PAGES = ["/", "/kpis/", "/api/docs/"]


@pytest.fixture(scope="module")
def people(live: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        from tenants.models import Institution

        alpha = Institution.objects.get(slug="alpha")
        coordinator = make_user_in(alpha.schema_name, Role.COORDINATOR, "sec-coordinator")
        staff = make_user_in("public", Role.REGIONAL_STAFF, "sec-staff")
        try:
            yield {"alpha": alpha}
        finally:
            tenant_connection().set_schema_to_public()
            with schema_context(alpha.schema_name):
                User.objects.filter(pk=coordinator.pk).delete()
            User.objects.filter(pk=staff.pk).delete()


def sign_in_ru(page: Any, url: str, username: str, *, remember: bool) -> None:
    page.goto(url)
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(PASSWORD)
    if remember:
        page.get_by_label("Запомнить меня на этом устройстве").check()
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(lambda address: "/accounts/login/" not in address)


def session_cookie(context: Any) -> dict[str, Any]:
    return next(c for c in context.cookies() if c["name"] == "nastavnik_session")


def test_remember_me_decides_whether_the_session_outlives_the_browser(live, browser, people):
    login = live.url("alpha.localhost", "/accounts/login/")
    shared = browser.new_context(locale="ru-RU")
    sign_in_ru(shared.new_page(), login, "sec-coordinator", remember=False)
    assert session_cookie(shared)["expires"] == -1  # gone when the browser closes
    shared.close()

    personal = browser.new_context(locale="ru-RU")
    sign_in_ru(personal.new_page(), login, "sec-coordinator", remember=True)
    days = (session_cookie(personal)["expires"] - time.time()) / 86400
    assert 13.9 < days <= 14.01
    personal.close()


@pytest.mark.parametrize(
    ("host", "username", "paths"),
    [
        ("alpha.localhost", "sec-coordinator", TENANT_PAGES),
        ("localhost", "sec-staff", REGIONAL_PAGES),
    ],
)
def test_the_policy_blocks_nothing_the_pages_need(live, browser, people, host, username, paths):
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    sign_in_ru(page, live.url(host, "/accounts/login/"), username, remember=False)
    for path in paths:
        response = page.goto(live.url(host, path))
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        if path == "/api/docs/":
            page.locator(".swagger-ui .info").wait_for()  # started by the split view's file
        else:
            assert page.evaluate("typeof htmx") == "object", path
            assert page.evaluate("typeof bootstrap") == "object", path
    # an inline script injected into a page is refused
    page.goto(live.url(host, paths[0]))
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }"
    )
    assert page.evaluate("window.__injected === undefined")
    context.close()
    refused = [v for v in violations if "window.__injected" not in v and "inline" not in v]
    assert not refused, refused
    assert any("inline" in v or "Refused to execute" in v for v in violations)
