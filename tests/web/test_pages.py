"""Every page renders for every role, in Russian and in English, without a server error; the
roles a page is for get it, the others get 403; anonymous visitors go to the login page."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, get_resolver

from accounts.models import Role
from tests.conftest import make_user
from tests.web.conftest import School, page_client

TENANT_ROLES = [
    Role.COORDINATOR,
    Role.CURATOR,
    Role.DIRECTOR,
    Role.DEPUTY,
    Role.MENTOR,
    Role.MENTEE,
    Role.PARENT,
]
STAFF = {Role.COORDINATOR, Role.CURATOR, Role.DIRECTOR, Role.DEPUTY}
# Who gets 200 from each GET page (others 403, or 404 where the object is out of their scope).
ALLOWED = {
    "home": set(TENANT_ROLES),
    "programme": STAFF,
    "participants": STAFF,
    "participant": STAFF - {Role.CURATOR},  # a curator sees the people of its groups only
    "imports": {Role.COORDINATOR},
    "import": {Role.COORDINATOR},
    "import-progress": {Role.COORDINATOR},
    "matching": STAFF,
    "matching-run": STAFF,
    "pairs": STAFF,
    "pair": STAFF | {Role.MENTOR, Role.MENTEE},
}
ID_OF = {
    "participant": "participant",
    "consent-create": "participant",
    "import": "importbatch",
    "import-progress": "importbatch",
    "import-commit": "importbatch",
    "matching-run": "matchrun",
    "matching-approve": "matchrun",
    "matching-decide": "matchproposal",
    "pair": "pair",
    "meeting-create": "pair",
}
SIGN_OUT = {"ru": "Выйти", "en": "Sign out"}


def page_paths(urlconf: str, namespace: str, ids: dict[str, int]) -> dict[str, str]:
    resolver = get_resolver(urlconf)
    paths = {}
    for entry in resolver.url_patterns:
        if getattr(entry, "namespace", None) != namespace:
            continue
        for pattern in entry.url_patterns:  # type: ignore[union-attr]
            assert isinstance(pattern, URLPattern)
            name = pattern.name or ""
            value = str(ids.get(ID_OF.get(name, ""), 1))
            paths[name] = "/" + re.sub(r"<int:pk>", value, str(pattern.pattern))
    return paths


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_institution_page_for_every_role(tenant_a, school: School, language):
    paths = page_paths("config.urls_tenant", "school", school.ids)
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
                body = response.content.decode()
                if "HX-Refresh" not in response and name != "import-progress":
                    assert f'lang="{language}"' in body, (role, path)
                    assert SIGN_OUT[language] in body, (role, path, language)
            else:  # refused: the role may not open the page, or the object is out of its scope
                assert response.status_code in (403, 404), (role, path, response.status_code)


def test_institution_pages_send_anonymous_visitors_to_login(tenant_a, school: School):
    paths = page_paths("config.urls_tenant", "school", school.ids)
    client = page_client(tenant_a.host, None, tenant_a.schema_name)
    for name in ALLOWED:
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
    id_of = {"institution": "institution", "institution-status": "institution"}
    resolver = get_resolver("config.urls_public")
    paths: dict[str, str] = {}
    for entry in resolver.url_patterns:
        if getattr(entry, "namespace", None) == "regional":
            for pattern in entry.url_patterns:  # type: ignore[union-attr]
                assert isinstance(pattern, URLPattern) and pattern.name
                value = str(ids.get(id_of.get(pattern.name, "onboardingapplication"), 1))
                paths[pattern.name] = "/" + str(pattern.pattern).replace("<int:pk>", value)
    allowed = {
        "home": {Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF, Role.EMPLOYER},
        "institution-create": {Role.REGIONAL_ADMIN},
        "institution": {Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF},
        "institution-status": {Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF},
        "applications": {Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF},
        "kpis": {Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF},
    }
    for role in (Role.REGIONAL_ADMIN, Role.REGIONAL_STAFF, Role.EMPLOYER):
        user = make_user("public", role, f"web-{role}")
        client = page_client("nastavnik.test", user, "public", language)
        for name, path in paths.items():
            response = client.get(path)
            assert response.status_code < 500, (role, path)
            if name not in allowed:
                assert response.status_code == 405, (role, path)
            elif role in allowed[name]:
                assert response.status_code == 200, (role, path, response.status_code)
                if name != "institution-status":  # a fragment polled by HTMX
                    assert SIGN_OUT[language] in response.content.decode()
            else:
                assert response.status_code == 403, (role, path)


def test_open_pages_render_in_both_languages(tenant_a, db):
    for host, schema in ((tenant_a.host, tenant_a.schema_name), ("nastavnik.test", "public")):
        for language, word in (("ru", "Войти"), ("en", "Sign in")):
            client = page_client(host, None, schema, language)
            for path in ("/accounts/login/", "/accounts/password-reset/"):
                response = client.get(path)
                assert response.status_code == 200, (host, path)
                assert f'lang="{language}"' in response.content.decode()
            assert word in client.get("/accounts/login/").content.decode()
