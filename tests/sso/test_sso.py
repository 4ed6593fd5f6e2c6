"""Single sign-on against a real OpenID provider (tests/sso/oidc_provider.py): the whole code
flow over HTTP, the regional callback relaying to the institution's host, and every refusal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import ExternalIdentity, Role, User
from accounts.sso.backend import RegionalOidcBackend
from tests.conftest import make_user
from tests.sso.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_CLIENT_ID,
    OTHER_CLIENT_SECRET,
    Provider,
    ProviderBrowser,
    running_provider,
)

REGION = "nastavnik.test"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider([f"http://{REGION}"]) as running:
        yield running


@pytest.fixture
def sso(provider: Provider, settings: Any) -> Provider:
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.SITE_SCHEME = "http"
    settings.SITE_PORT = ""
    return provider


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def sso_sign_in(
    provider: Provider,
    host: str,
    login: str,
    *,
    client: Client | None = None,
    tamper: dict[str, str] | None = None,
) -> tuple[Client, Any]:
    """Press the provider's button on ``host``, sign in at the provider as ``login``, and come
    back through the regional callback; the answer of the last hop on ``host``."""
    client = client or Client(HTTP_HOST=host)
    start = client.get("/oidc/start/")
    assert start.status_code == 302
    authorization = start["Location"]
    if tamper:
        parts = urlsplit(authorization)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        authorization = parts._replace(query=urlencode({**query, **tamper})).geturl()
    back = ProviderBrowser(provider).authorize(authorization, login)
    assert urlsplit(back).netloc == REGION, "the provider knows only the regional callback"
    if host == REGION:
        return client, client.get(path_of(back))
    answer = Client(HTTP_HOST=REGION).get(path_of(back))  # the regional host: no session needed
    assert answer.status_code == 302, answer.content
    assert urlsplit(answer["Location"]).netloc == host
    return client, client.get(path_of(answer["Location"]))


def signed_in_as(client: Client) -> str | None:
    response = client.get("/api/v1/me/")
    return response.json()["username"] if response.status_code == 200 else None


def test_a_coordinator_signs_in_on_the_institution_host_and_is_linked_by_subject(
    sso: Provider, tenants: Any, db: None
) -> None:
    a = tenants.a
    make_user(a.schema_name, Role.COORDINATOR, "coord-a", email="Coord.A@alpha.ru")
    sso.add_person("sub-coord-a", email="coord.a@alpha.ru", email_verified=True)

    client, answer = sso_sign_in(sso, a.host, "sub-coord-a")

    assert answer.status_code == 302 and answer["Location"] == "/"
    assert signed_in_as(client) == "coord-a"
    with schema_context(a.schema_name):
        identity = ExternalIdentity.objects.get(subject="sub-coord-a")
        assert identity.user.username == "coord-a" and identity.issuer == sso.issuer
    # once linked, the subject decides: a new e-mail at the provider changes nothing
    sso.add_person("sub-coord-a", email="renamed@elsewhere.ru", email_verified=True)
    client, answer = sso_sign_in(sso, a.host, "sub-coord-a")
    assert signed_in_as(client) == "coord-a"


def test_a_person_unknown_to_the_institution_is_refused_and_nothing_is_created(
    sso: Provider, tenants: Any, db: None
) -> None:
    a = tenants.a
    sso.add_person("sub-stranger", email="stranger@example.ru", email_verified=True)
    with schema_context(a.schema_name):
        users_before = User.objects.count()

    client, answer = sso_sign_in(sso, a.host, "sub-stranger")

    assert answer.status_code == 403
    page = answer.content.decode()
    assert 'data-reason="unknown"' in page and "has no account for you" in page
    assert signed_in_as(client) is None
    with schema_context(a.schema_name):
        assert User.objects.count() == users_before  # never a learner made from a token
        assert not ExternalIdentity.objects.exists()


def test_an_unverified_email_links_nobody(sso: Provider, tenants: Any, db: None) -> None:
    a = tenants.a
    make_user(a.schema_name, Role.MENTOR, "mentor-a", email="mentor.a@alpha.ru")
    sso.add_person("sub-unverified", email="mentor.a@alpha.ru", email_verified=False)

    client, answer = sso_sign_in(sso, a.host, "sub-unverified")

    assert answer.status_code == 403
    assert signed_in_as(client) is None


def test_a_person_of_another_institution_is_refused(sso: Provider, tenants: Any, db: None) -> None:
    a, b = tenants.a, tenants.b
    make_user(b.schema_name, Role.COORDINATOR, "coord-b", email="coord.b@beta.ru")
    sso.add_person("sub-coord-b", email="coord.b@beta.ru", email_verified=True)

    # on A's host B's coordinator is nobody
    client, answer = sso_sign_in(sso, a.host, "sub-coord-b")
    assert answer.status_code == 403
    assert signed_in_as(client) is None
    with schema_context(a.schema_name):
        assert not ExternalIdentity.objects.exists()

    # an answer that B's host asked for cannot be delivered to A's host
    b_client = Client(HTTP_HOST=b.host)
    authorization = b_client.get("/oidc/start/")["Location"]
    back = ProviderBrowser(sso).authorize(authorization, "sub-coord-b")
    answer = Client(HTTP_HOST=a.host).get(path_of(back))
    assert answer.status_code == 400
    assert 'data-reason="state"' in answer.content.decode()
    # and B's own host still takes it (the state was not spent on A)
    answer = Client(HTTP_HOST=REGION).get(path_of(back))
    answer = b_client.get(path_of(answer["Location"]))
    assert answer.status_code == 302
    assert signed_in_as(b_client) == "coord-b"


def test_a_code_issued_to_another_application_is_refused(
    sso: Provider, tenants: Any, db: None
) -> None:
    a = tenants.a
    make_user(a.schema_name, Role.COORDINATOR, "coord-aud", email="aud@alpha.ru")
    sso.add_person("sub-aud", email="aud@alpha.ru", email_verified=True)

    client, answer = sso_sign_in(sso, a.host, "sub-aud", tamper={"client_id": OTHER_CLIENT_ID})

    assert answer.status_code == 400
    assert 'data-reason="token"' in answer.content.decode()
    assert signed_in_as(client) is None


def test_an_id_token_for_another_audience_is_refused(sso: Provider, db: None) -> None:
    sso.add_person("sub-token", email="token@alpha.ru", email_verified=True)
    browser = ProviderBrowser(sso)
    callback = f"http://{REGION}/oidc/callback/"
    ours = browser.token_for(
        login="sub-token", client_id=CLIENT_ID, secret=CLIENT_SECRET, redirect_uri=callback
    )
    theirs = browser.token_for(
        login="sub-token",
        client_id=OTHER_CLIENT_ID,
        secret=OTHER_CLIENT_SECRET,
        redirect_uri=callback,
    )
    backend = RegionalOidcBackend()
    nonce = "nonce-of-the-other-app"
    assert backend.verify_token(ours["id_token"], nonce=nonce)["sub"] == "sub-token"
    with pytest.raises(SuspiciousOperation, match="InvalidAudienceError"):
        backend.verify_token(theirs["id_token"], nonce=nonce)


def test_an_id_token_of_another_issuer_is_refused(sso: Provider, settings: Any, db: None) -> None:
    sso.add_person("sub-iss", email="iss@alpha.ru", email_verified=True)
    token = ProviderBrowser(sso).token_for(
        login="sub-iss",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        redirect_uri=f"http://{REGION}/oidc/callback/",
    )
    settings.OIDC_OP_ISSUER = "https://idp.other-region.example"
    with pytest.raises(SuspiciousOperation, match="InvalidIssuerError"):
        RegionalOidcBackend().verify_token(token["id_token"], nonce="nonce-of-the-other-app")


def test_regional_staff_from_the_group_claim_only_when_the_region_enables_it(
    sso: Provider, settings: Any, tenants: Any, db: None
) -> None:
    sso.add_person(
        "sub-staff",
        email="staff@region.ru",
        email_verified=True,
        given_name="Анна",
        family_name="Петрова",
        groups=["/nastavnik-staff"],
    )
    client, answer = sso_sign_in(sso, REGION, "sub-staff")
    assert answer.status_code == 403  # not enabled: nobody is made from a token

    settings.OIDC_REGIONAL_STAFF_GROUP = "nastavnik-staff"
    client, answer = sso_sign_in(sso, REGION, "sub-staff")
    assert answer.status_code == 302
    user = User.objects.get(external_identities__subject="sub-staff")
    assert user.role == Role.REGIONAL_STAFF and user.last_name == "Петрова"
    assert not user.has_usable_password()
    assert signed_in_as(client) == user.username

    # the group never makes anyone in an institution
    a = tenants.a
    _client, answer = sso_sign_in(sso, a.host, "sub-staff")
    assert answer.status_code == 403
    with schema_context(a.schema_name):
        assert not User.objects.filter(email="staff@region.ru").exists()


def test_signing_out_ends_the_providers_session_too(sso: Provider, tenants: Any, db: None) -> None:
    a = tenants.a
    make_user(a.schema_name, Role.COORDINATOR, "coord-out", email="out@alpha.ru")
    sso.add_person("sub-out", email="out@alpha.ru", email_verified=True)
    client, _answer = sso_sign_in(sso, a.host, "sub-out")

    answer = client.post("/accounts/logout/")

    assert answer.status_code == 302
    parts = urlsplit(answer["Location"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{sso.issuer}/session/end"
    query = parse_qs(parts.query)
    assert query["post_logout_redirect_uri"] == [f"http://{REGION}/oidc/signed-out/"]
    assert query["id_token_hint"][0].count(".") == 2
    assert signed_in_as(client) is None
    # the provider sends the browser back to the regional host, which knows the institution
    back = Client(HTTP_HOST=REGION).get(f"/oidc/signed-out/?state={query['state'][0]}")
    assert back["Location"] == f"http://{a.host}/accounts/login/"


def test_a_password_session_signs_out_here_only(sso: Provider, tenants: Any, db: None) -> None:
    a = tenants.a
    user = make_user(a.schema_name, Role.COORDINATOR, "coord-pw", email="pw@alpha.ru")
    client = Client(HTTP_HOST=a.host)
    with schema_context(a.schema_name):
        client.force_login(user, backend="accounts.backends.InstitutionAwareBackend")
    answer = client.post("/accounts/logout/")
    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/"


def test_the_login_page_offers_the_provider_in_russian(
    sso: Provider, settings: Any, tenants: Any, db: None
) -> None:
    settings.OIDC_PROVIDER_NAME = "Госуслуги"
    page = Client(HTTP_HOST=tenants.a.host, HTTP_ACCEPT_LANGUAGE="ru").get("/accounts/login/")
    assert "Войти через Госуслуги" in page.content.decode()
    assert 'href="/oidc/start/"' in page.content.decode()

    settings.OIDC_OP_ISSUER = ""
    page = Client(HTTP_HOST=tenants.a.host).get("/accounts/login/")
    assert "/oidc/start/" not in page.content.decode()
    assert Client(HTTP_HOST=tenants.a.host).get("/oidc/start/").status_code == 404


def test_the_regional_callback_relays_only_to_a_known_active_institution(
    sso: Provider, tenants: Any, db: None
) -> None:
    regional = Client(HTTP_HOST=REGION)
    unknown = regional.get("/oidc/callback/?code=x&state=nosuch.abcdef")
    assert unknown.status_code == 400
    assert 'data-reason="state"' in unknown.content.decode()
    known = regional.get("/oidc/callback/?code=x&state=alpha.abcdef&evil=1")
    assert known["Location"] == f"http://{tenants.a.host}/oidc/callback/?code=x&state=alpha.abcdef"


def test_an_answer_naming_another_issuer_is_refused(sso: Provider, tenants: Any, db: None) -> None:
    a = tenants.a
    client = Client(HTTP_HOST=a.host)
    authorization = client.get("/oidc/start/")["Location"]
    state = parse_qs(urlsplit(authorization).query)["state"][0]
    answer = client.get(
        "/oidc/callback/?" + urlencode({"code": "x", "state": state, "iss": "https://evil.example"})
    )
    assert answer.status_code == 400
    assert 'data-reason="provider"' in answer.content.decode()


def test_half_configured_single_sign_on_fails_the_system_check(settings: Any) -> None:
    from accounts.sso.checks import sso_settings_complete

    settings.OIDC_OP_ISSUER = "https://sso.region.example/realms/education"
    settings.OIDC_OP_TOKEN_ENDPOINT = ""
    assert any("OIDC_OP_TOKEN_ENDPOINT" in error.msg for error in sso_settings_complete())
    settings.OIDC_OP_ISSUER = ""
    assert sso_settings_complete() == []
