"""PostgreSQL or Redis unreachable: the API answers 503 JSON, pages the 503 status page,
``/healthz`` 503 JSON naming what is down; an institution whose schema is missing is a 503,
never the public tables."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings

from tests.fault.conftest import free_port

pytestmark = pytest.mark.fault


@contextmanager
def postgres_unreachable() -> Iterator[None]:
    """This process's connection points at a port nobody listens on (the server itself is
    shared with other test runs: it is not stopped)."""
    settings_dict = connection.settings_dict
    before = settings_dict.get("PORT")
    connection.close()
    settings_dict["PORT"] = str(free_port())
    try:
        yield
    finally:
        connection.close()
        settings_dict["PORT"] = before


def client(host: str, **extra: Any) -> Client:
    """A client that gets the error response (not the exception) the server would send."""
    return Client(raise_request_exception=False, HTTP_HOST=host, **extra)


def _redis_cache_at(url: str) -> dict[str, Any]:
    from django.conf import settings

    return {"default": {**settings.CACHES["default"], "LOCATION": url}}


def test_postgres_unreachable_is_a_503_for_the_api_pages_and_healthz(
    committed: None, tenants: Any
) -> None:
    host = tenants.a.host
    with postgres_unreachable():
        api = client(host).get("/api/v1/me/")
        page = client(host, HTTP_ACCEPT_LANGUAGE="ru").get("/")
        health = client(host).get("/healthz")
    assert api.status_code == 503 and api["Content-Type"] == "application/json"
    assert api["Retry-After"]
    assert "temporarily unavailable" in api.json()["detail"]
    assert page.status_code == 503 and b"<h1>" in page.content
    assert health.status_code == 503 and health["Content-Type"] == "application/json"
    report = json.loads(health.content)
    assert report["database"]["ok"] is False and report["ok"] is False
    assert report["broker"]["ok"] is True  # the others are still reported
    # and it all comes back with the database
    assert client(host).get("/api/v1/me/").status_code in (
        401,
        403,
    )


def test_redis_unreachable_is_a_503_for_a_token_login_and_healthz(
    committed: None, tenants: Any
) -> None:
    from config.celery import app

    dead = f"redis://127.0.0.1:{free_port()}/0"
    broker_before = app.conf.broker_url
    app.conf.broker_url = dead
    try:
        with override_settings(CACHES=_redis_cache_at(dead)):
            login = client(tenants.a.host).post(
                "/api/v1/auth/token/", {"username": "nobody", "password": "wrong"}
            )
            health = client(tenants.a.host).get("/healthz")
    finally:
        app.conf.broker_url = broker_before
    assert login.status_code == 503 and login["Content-Type"] == "application/json"
    report = json.loads(health.content)
    assert health.status_code == 503
    assert report["cache"]["ok"] is False and report["broker"]["ok"] is False
    assert report["database"]["ok"] is True


def test_an_active_institution_without_its_schema_answers_503(
    committed: None, tenants: Any
) -> None:
    from tenants.models import Domain, Institution

    institution = Institution.objects.create(
        schema_name="gone_school",
        slug="gone-school",
        name="Школа без схемы",
        short_name="Школа без схемы",
        kind="school",
        municipality=tenants.municipality,
        status="active",
    )
    Domain.objects.create(tenant=institution, domain=institution.host, is_primary=True)
    try:
        page = client(institution.host).get("/accounts/login/")
        api = client(institution.host).post(
            "/api/v1/auth/token/", {"username": "regional-admin", "password": "x"}
        )
    finally:
        Domain.objects.filter(tenant=institution).delete()
        institution.delete()
    assert page.status_code == 503
    assert api.status_code == 503 and api["Content-Type"] == "application/json"
