"""Every page renders for every role, in Russian and in English, without a server error; the
roles a page is for get it, the others get 403; anonymous visitors go to the login page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import URLPattern, get_resolver

from accounts.models import Role
from tests.conftest import make_user
from tests.web import areas
from tests.web.areas import core
from tests.web.conftest import School, page_client

TENANT_ROLES = sorted(core.TENANT_ROLES)
PUBLIC_ROLES = (Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF, Role.EMPLOYER, Role.MUNICIPAL)
# Who gets 200 from each GET page (others 403, or 404 where the object is out of their scope),
# described per area in tests/web/areas/.
ALLOWED = areas.merged("TENANT_ALLOWED")
ID_OF = areas.merged("TENANT_ID_OF")
FRAGMENTS: set[str] = set().union(*(getattr(m, "FRAGMENTS", set()) for m in areas.modules()))
# Pages open without signing in (a secret token in the path), described per area.
OPEN_PAGES: set[str] = set().union(*(getattr(m, "OPEN_PAGES", set()) for m in areas.modules()))
SIGN_OUT = {"ru": "Выйти", "en": "Sign out"}


def body_of(response: Any) -> str:
    """The text of a page; downloads (files, streamed or binary) are read but not framed."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def page_paths(
    urlconf: str, namespace: str, ids: dict[str, int], id_of: dict[str, str]
) -> dict[str, str]:
    resolver = get_resolver(urlconf)
    paths = {}
    for entry in resolver.url_patterns:
        if getattr(entry, "namespace", None) != namespace:
            continue
        for pattern in entry.url_patterns:  # type: ignore[union-attr]
            assert isinstance(pattern, URLPattern)
            name = pattern.name or ""
            value = str(ids.get(id_of.get(name, ""), 1))
            paths[name] = "/" + re.sub(r"<(?:\w+:)?\w+>", value, str(pattern.pattern))
    return paths


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_institution_page_for_every_role(tenant_a, school: School, language):
    paths = page_paths("config.urls_tenant", "school", school.ids, ID_OF)
    assert set(ALLOWED) <= set(paths)
    for role in TENANT_ROLES:
        client = page_client(tenant_a.host, school.users[role], tenant_a.schema_name, language)
        for name, path in paths.items():
            response = client.get(path)
            assert response.status_code < 500, (role, path, response.status_code)
            if name not in ALLOWED:
                assert response.status_code == 405, (role, path)  # a POST-only route
            elif role in ALLOWED[name]:
                assert response.status_code == 200, (role, path, response.status_code)
                body = body_of(response)
                if "HX-Refresh" not in response and name not in FRAGMENTS:
                    assert f'lang="{language}"' in body, (role, path)
                    assert SIGN_OUT[language] in body, (role, path, language)
            else:  # refused: the role may not open the page, or the object is out of its scope
                assert response.status_code in (403, 404), (role, path, response.status_code)


def test_institution_pages_send_anonymous_visitors_to_login(tenant_a, school: School):
    paths = page_paths("config.urls_tenant", "school", school.ids, ID_OF)
    client = page_client(tenant_a.host, None, tenant_a.schema_name)
    for name in set(ALLOWED) - OPEN_PAGES:
        response = client.get(paths[name])
        assert response.status_code == 302, paths[name]
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_regional_page_for_every_role(tenant_a, language, db):
    from tenants.models import OnboardingApplication

    application = OnboardingApplication.objects.create(
        name="МБОУ СОШ № 9",
        short_name="СОШ № 9",
        kind="school",
        municipality=tenant_a.municipality,
        desired_slug="school-9",
        applicant_name="Орлова Анна",
        applicant_email="orlova@school9.ru",
    )
    ids = {"institution": tenant_a.pk, "onboardingapplication": application.pk}
    areas.public_objects(tenant_a, ids)
    allowed = areas.merged("PUBLIC_ALLOWED")
    paths = page_paths("config.urls_public", "regional", ids, areas.merged("PUBLIC_ID_OF"))
    assert set(allowed) <= set(paths)
    for role in PUBLIC_ROLES:
        user = make_user("public", role, f"web-{role}")
        client = page_client("nastavnik.test", user, "public", language)
        for name, path in paths.items():
            response = client.get(path)
            assert response.status_code < 500, (role, path)
            if name not in allowed:
                assert response.status_code == 405, (role, path)
            elif role in allowed[name]:
                assert response.status_code == 200, (role, path, response.status_code)
                if name not in FRAGMENTS:
                    assert SIGN_OUT[language] in body_of(response), (role, path)
            else:
                assert response.status_code in (403, 404), (role, path, response.status_code)


def test_open_pages_render_in_both_languages(tenant_a, db):
    for host, schema in ((tenant_a.host, tenant_a.schema_name), ("nastavnik.test", "public")):
        for language, word in (("ru", "Войти"), ("en", "Sign in")):
            client = page_client(host, None, schema, language)
            for path in ("/accounts/login/", "/accounts/password-reset/"):
                response = client.get(path)
                assert response.status_code == 200, (host, path)
                assert f'lang="{language}"' in response.content.decode()
            assert word in client.get("/accounts/login/").content.decode()
