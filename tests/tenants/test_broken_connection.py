"""The web server's health check of a persistent connection (config/wsgi.py turns Django's
``SELECT 1`` off): the tenant lookup, a request's first statement, finds a connection the
server closed and sends itself again on a new one; inside a transaction it does not."""

from __future__ import annotations

import psycopg
import pytest
from django.db import OperationalError, connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from config.db import tenant_connection
from tenants.middleware import InstitutionTenantMiddleware, institution_by_host


def _kill_our_session() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    settings = connection.get_connection_params()
    conninfo = {k: v for k, v in settings.items() if k in ("host", "port", "user", "dbname")}
    with psycopg.connect(**conninfo, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_the_tenant_lookup_reconnects_once_on_a_broken_connection(tenants, django_db_blocker):
    host = tenants.a.host
    with django_db_blocker.unblock():  # no test transaction: as a request of the server
        try:
            _kill_our_session()
            institution, path_set = institution_by_host(host)
            assert institution is not None and institution.pk == tenants.a.pk and path_set
            # the path the new session has (the raw connection: Django's cursor would set one)
            shown = connection.connection.execute("SHOW search_path").fetchone()[0]
            assert shown.startswith(tenants.a.schema_name), shown

            _kill_our_session()
            with pytest.raises(OperationalError), transaction.atomic():
                institution_by_host(host)  # a transaction's work is never sent again
        finally:
            connection.close()
            tenant_connection().set_schema_to_public()


def test_the_regional_host_drops_a_broken_connection_before_its_first_query(
    tenants, django_db_blocker, settings
):
    # the regional centre's host has no tenant lookup to find the connection broken
    request = RequestFactory().get("/", HTTP_HOST=settings.BASE_DOMAIN)
    middleware = InstitutionTenantMiddleware(lambda request: HttpResponse())
    with django_db_blocker.unblock():
        try:
            _kill_our_session()
            assert middleware.process_request(request) is None
            with connection.cursor() as cursor:  # the request's first query
                cursor.execute("SELECT 1")
                assert cursor.fetchone() == (1,)
            assert request.tenant.schema_name == "public"  # type: ignore[attr-defined]
        finally:
            connection.close()
            tenant_connection().set_schema_to_public()
