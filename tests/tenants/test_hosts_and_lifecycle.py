from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from config.db import tenant_connection
from tenants.models import InstitutionStatus

from ..conftest import PASSWORD


def test_unknown_host_gets_a_clean_404_page(db):
    response = Client(HTTP_HOST="nowhere.nastavnik.test").get("/api/v1/programmes/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Traceback" not in text and "nowhere" not in text
    assert "<html" in text


def test_base_domain_serves_the_regional_layer(db):
    response = Client(HTTP_HOST="nastavnik.test").get("/api/v1/municipalities/")
    assert response.status_code == 200


def _set_status(institution, status):
    type(institution).objects.filter(pk=institution.pk).update(status=status)


def _token_for(institution, user):
    from rest_framework.authtoken.models import Token

    with schema_context(institution.schema_name):
        return Token.objects.create(user=user).key


def test_suspended_institution_blocks_logins_and_existing_sessions(tenant_a, user_in, client_for):
    coordinator = user_in(tenant_a.schema_name, "coordinator", "coord-suspend")
    session_client = client_for(tenant_a, coordinator)
    token = _token_for(tenant_a, coordinator)
    _set_status(tenant_a, InstitutionStatus.SUSPENDED)

    assert session_client.get("/api/v1/programmes/").status_code == 403
    token_client = client_for(tenant_a)
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert token_client.get("/api/v1/programmes/").status_code == 403
    login = client_for(tenant_a).post(
        "/api/v1/auth/token/", {"username": "coord-suspend", "password": PASSWORD}
    )
    assert login.status_code == 403
    # and the backend itself refuses, whatever route is used
    from django.contrib.auth import authenticate

    with schema_context(tenant_a.schema_name):
        tenant_connection().tenant.status = InstitutionStatus.SUSPENDED
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.1")
        assert authenticate(request, username="coord-suspend", password=PASSWORD) is None


def test_archived_institution_is_read_only(tenant_a, user_in, client_for):
    coordinator = user_in(tenant_a.schema_name, "coordinator", "coord-archive")
    client = client_for(tenant_a, coordinator)
    _set_status(tenant_a, InstitutionStatus.ARCHIVED)
    assert client.get("/api/v1/programmes/").status_code == 200
    response = client.post("/api/v1/programmes/", {"academic_year": 2026, "title": "Программа"})
    assert response.status_code == 403
    # signing in still works: the data can be read
    login = client_for(tenant_a).post(
        "/api/v1/auth/token/", {"username": "coord-archive", "password": PASSWORD}
    )
    assert login.status_code == 200


def _session_search_path() -> str:
    """The connection's search path as PostgreSQL has it (not as django-tenants believes)."""
    connection.ensure_connection()
    row = connection.connection.execute("SHOW search_path").fetchone()
    return str(row[0]).replace(" ", "").replace('"', "")


def test_the_host_is_looked_up_in_one_statement_that_sets_the_search_path(
    tenant_a, tenant_b, user_in, client_for
):
    """One statement finds the institution and makes its schema the connection's path: no
    `SET search_path` before it or after it, and each request runs in its own schema, also
    when the connection served another institution just before."""
    clients = {}
    for tenant in (tenant_a, tenant_b):
        coordinator = user_in(tenant.schema_name, "coordinator", f"coord-path-{tenant.slug}")
        clients[tenant.schema_name] = client_for(tenant, coordinator)
    for tenant in (tenant_a, tenant_b, tenant_a, tenant_b):
        with CaptureQueriesContext(connection) as queries:
            response = clients[tenant.schema_name].get("/api/v1/programmes/")
        assert response.status_code == 200
        statements = [q["sql"] for q in queries.captured_queries]
        assert '"public"."tenants_domain"' in statements[0]
        assert not [s for s in statements if "search_path" in s and s.startswith("SET")]
        assert _session_search_path() == f"{tenant.schema_name},public"


def test_a_refused_institution_never_gets_its_schema_as_the_path(tenant_a, tenant_b, client_for):
    """Suspended, being set up: the lookup does not set the institution's path, and what
    runs after the refusal runs in the public schema."""
    assert client_for(tenant_b).get("/api/v1/programmes/").status_code == 403  # no token
    assert _session_search_path() == f"{tenant_b.schema_name},public"
    for status, code in ((InstitutionStatus.SUSPENDED, 403), (InstitutionStatus.PROVISIONING, 503)):
        _set_status(tenant_a, status)
        assert client_for(tenant_a).get("/api/v1/programmes/").status_code == code
        assert tenant_a.schema_name not in _session_search_path()
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            assert cursor.fetchone()[0] == "public"


def test_institution_being_provisioned_answers_503(tenant_a, client_for):
    _set_status(tenant_a, InstitutionStatus.PROVISIONING)
    assert client_for(tenant_a).get("/").status_code == 503


def test_cache_keys_are_per_institution(tenant_a, tenant_b):
    with schema_context(tenant_a.schema_name):
        cache.set("programme-count", 11)
    with schema_context(tenant_b.schema_name):
        assert cache.get("programme-count") is None
        cache.set("programme-count", 22)
    with schema_context(tenant_a.schema_name):
        assert cache.get("programme-count") == 11
        cache.delete("programme-count")
    with schema_context(tenant_b.schema_name):
        cache.delete("programme-count")


def test_uploaded_files_are_stored_per_institution(tenant_a, tenant_b, tmp_path, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    settings.MEDIA_ROOT = str(tmp_path)
    storage = storages.create_storage({"BACKEND": settings.STORAGES["default"]["BACKEND"]})
    with schema_context(tenant_a.schema_name):
        name = storage.save("orders/order.docx", ContentFile(b"A"))
        path_a = storage.path(name)
    with schema_context(tenant_b.schema_name):
        assert not storage.exists(name)
        path_b = storage.path(name)
    assert tenant_a.schema_name in path_a and tenant_b.schema_name in path_b
