"""The public programme page is rendered once per institution and language and shared by its
visitors (``schools.publication.cache``): the next visitor reads no programme, person, pair or
answer; the entry is never another institution's, never holds a signed-in user's data, never
a preview, and a change of the page's settings or documents is shown at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from schools.programmes.models import Programme
from schools.publication import cache as publication_cache
from schools.publication import services as publication_services
from tests.conftest import SETUP, make_user
from tests.web.conftest import page_client

TODAY = timezone.localdate()
YEAR = TODAY.year if TODAY.month >= 9 else TODAY.year - 1
CONTENT_TABLES = ("participants_", "programmes_", "pairs_", "monitoring_", "publicdocument")


@pytest.fixture(autouse=True)
def _no_entry_of_an_earlier_test(tenant_a: Any, tenant_b: Any) -> None:
    for tenant in (tenant_a, tenant_b):
        with schema_context(tenant.schema_name):
            publication_cache.content_html_clear()


def _get(client: Client, path: str = "/public/") -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def _content_read(sql: list[str]) -> list[str]:
    """Queries of the content (or of the signed-in mentor's scope: the menu needs its role
    only, and the public page nothing else of the actor)."""
    return [q for q in sql if any(table in q for table in CONTENT_TABLES)]


def test_the_next_visitor_reads_no_content_and_no_one_elses_name(tenant_a: Any) -> None:
    mentor = make_user(
        tenant_a.schema_name, Role.MENTOR, "public-cache-mentor", last_name="Щербатова"
    )
    signed_in = page_client(tenant_a.host, mentor, tenant_a.schema_name)
    anonymous = Client(HTTP_HOST=tenant_a.host, HTTP_ACCEPT_LANGUAGE="ru")

    first, first_sql = _get(signed_in)
    assert "Щербатова" in first  # the menu names the signed-in user
    assert _content_read(first_sql)  # built: the programme, the surnames to hide, ...
    body, sql = _get(anonymous)
    assert not _content_read(sql), _content_read(sql)
    assert "Щербатова" not in body and 'data-testid="whoami"' not in body
    again, sql = _get(signed_in)
    assert not _content_read(sql)
    assert "Щербатова" in again
    embed, sql = _get(anonymous, "/public/embed/")
    assert not _content_read(sql)
    assert "Щербатова" not in embed


def test_each_institution_is_shown_its_own_page(tenant_a: Any, tenant_b: Any) -> None:
    a = Client(HTTP_HOST=tenant_a.host, HTTP_ACCEPT_LANGUAGE="ru")
    b = Client(HTTP_HOST=tenant_b.host, HTTP_ACCEPT_LANGUAGE="ru")
    for _round in range(2):  # built, then from the cache
        body_a, _sql = _get(a)
        body_b, _sql = _get(b)
        assert tenant_a.name in body_a and tenant_a.name not in body_b
        assert tenant_b.name in body_b and tenant_b.name not in body_a


def test_saved_settings_show_at_once_and_a_preview_never(tenant_a: Any) -> None:
    schema = tenant_a.schema_name
    coordinator = make_user(schema, Role.COORDINATOR, "public-cache-coordinator")
    settings_page = page_client(tenant_a.host, coordinator, schema)
    anonymous = Client(HTTP_HOST=tenant_a.host, HTTP_ACCEPT_LANGUAGE="ru")
    fields = {"is_published": "on", "show_forms": "on", "show_documents": "on"}

    saved = settings_page.post("/programme/public/", {**fields, "intro": "Первый текст"})
    assert saved.status_code == 302
    assert "Первый текст" in _get(anonymous)[0]
    assert "Первый текст" in _get(anonymous)[0]  # from the cache

    preview = settings_page.post(
        "/programme/public/", {**fields, "intro": "Черновик", "action": "preview"}
    )
    assert preview.status_code == 200 and "Черновик" in preview.content.decode()
    invalid = settings_page.post(
        "/programme/public/", {**fields, "intro": "Неверный", "contact_email": "не почта"}
    )
    assert invalid.status_code == 400
    body = _get(anonymous)[0]
    assert "Первый текст" in body and "Черновик" not in body and "Неверный" not in body
    assert "Неверный" not in settings_page.get("/programme/public/").content.decode()

    settings_page.post("/programme/public/", {**fields, "intro": "Второй текст"})
    body = _get(anonymous)[0]
    assert "Второй текст" in body and "Первый текст" not in body

    hidden = settings_page.post("/programme/public/", {"intro": "Второй текст"})
    assert hidden.status_code == 302
    body = _get(anonymous)[0]
    assert "Второй текст" not in body and 'data-testid="public-empty"' in body


def test_a_published_document_shows_at_once(
    tenant_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    schema = tenant_a.schema_name
    anonymous = Client(HTTP_HOST=tenant_a.host, HTTP_ACCEPT_LANGUAGE="ru")
    with schema_context(schema):
        programme, _created = Programme.objects.get_or_create(
            academic_year=YEAR, defaults={"title": "Вместе к успеху", "status": "active"}
        )
        programme.status = "active"
        programme.save()
    with schema_context(schema), django_capture_on_commit_callbacks(execute=True):
        publication_services.public_page_update(actor=SETUP, is_published=True, show_documents=True)
    body = _get(anonymous)[0]
    assert "Вместе к успеху" in body and "Положение о наставничестве" not in body
    with schema_context(schema), django_capture_on_commit_callbacks(execute=True):
        publication_services.public_document_add(
            actor=SETUP,
            title="Положение о наставничестве",
            kind="regulation",
            file=SimpleUploadedFile("polozhenie.pdf", b"%PDF-1.4 test"),
            no_learner_data=True,
        )
    assert "Положение о наставничестве" in _get(anonymous)[0]
