"""Per-institution access rules applied to every request on an institution's host."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, schema_exists

from config.db import tenant_connection
from tenants.models import Domain, Institution, InstitutionStatus

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Paths that only read or end a session; allowed while an institution is archived.
ARCHIVE_WRITABLE_PATHS = ("/accounts/login/", "/accounts/logout/", "/api/v1/auth/")


# The institution of a host, its schema made the connection's search path and whether that
# schema exists, in ONE statement (django-tenants' lookup is three round trips: ``SET
# search_path = public``, the domain with its tenant through the ORM, then ``SET search_path``
# to the tenant's schema before the first query of the request). The tables are named with
# their schema, so the statement reads the same whatever path the connection had. The path is
# set only for an institution whose requests are served (active or archived, its schema
# present); for any other the middleware below answers from the public schema, and the
# connection is told to set that path itself before its next query.
SERVED_STATUSES = (InstitutionStatus.ACTIVE.value, InstitutionStatus.ARCHIVED.value)
_TENANT_BY_HOST = (
    "SELECT {columns},"
    " EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = i.schema_name)"
    " AS schema_exists,"
    " CASE WHEN i.status IN ({served}) AND EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n"
    " WHERE n.nspname = i.schema_name)"
    " THEN set_config('search_path', quote_ident(i.schema_name) || ',' || quote_ident(%s),"
    " false) END AS search_path"
    ' FROM "public"."tenants_domain" d'
    ' JOIN "public"."tenants_institution" i ON i.id = d.tenant_id'
    " WHERE d.domain = %s"
)
_lookup_sql: str | None = None


def _tenant_by_host_sql() -> str:
    global _lookup_sql
    if _lookup_sql is None:
        columns = ", ".join(f'i."{field.column}"' for field in Institution._meta.concrete_fields)
        served = ", ".join(f"'{status}'" for status in SERVED_STATUSES)
        _lookup_sql = _TENANT_BY_HOST.format(columns=columns, served=served)
    return _lookup_sql


def institution_by_host(hostname: str) -> tuple[Institution | None, bool]:
    """The institution whose domain is ``hostname`` (None if none), read with whether its
    schema exists (``schema_exists``), and whether the statement made that schema (then
    ``public``) the connection's search path: only for a served institution.

    It is the request's first statement, and the one that finds a persistent connection
    broken (the server restarted, a proxy or an idle timeout closed it): then, outside a
    transaction, it is sent once more on a new connection. This is the health check of
    persistent connections (``CONN_HEALTH_CHECKS`` is off: it cost a ``SELECT 1`` before
    every request's first query); a database that is really away still answers 503."""
    try:
        row = _lookup(hostname)
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            raise
        logger.info("the database connection was broken: the tenant lookup reconnects")
        connection.close()
        row = _lookup(hostname)
    if row is None:
        return None, False
    count = len(Institution._meta.concrete_fields)
    institution = Institution.from_db(
        connection.alias, [f.attname for f in Institution._meta.concrete_fields], row[:count]
    )
    institution.schema_exists = row[count]  # type: ignore[attr-defined]
    return institution, row[count + 1] is not None


def _lookup(hostname: str) -> tuple[Any, ...] | None:
    db = tenant_connection()
    known = db.search_path_set_schemas
    # The statement names every table with its schema and sets the path itself: no `SET
    # search_path` before it (django-tenants sends one when it does not know the path, as on
    # a new connection). What the connection knows is put back after it.
    db.search_path_set_schemas = known or [get_public_schema_name()]
    try:
        with connection.cursor() as cursor:
            cursor.execute(_tenant_by_host_sql(), [get_public_schema_name(), hostname])
            row: tuple[Any, ...] | None = cursor.fetchone()
    finally:
        if db.search_path_set_schemas is not None:  # None: the connection was closed meanwhile
            db.search_path_set_schemas = known
    return row


def _drop_if_broken() -> None:
    """Close the connection if the server went away since its last request (a `SELECT 1`),
    so the request's first query opens a new one instead of failing."""
    reused = connection.connection is not None and not connection.in_atomic_block
    if reused and not connection.is_usable():
        logger.info("the database connection was broken: the regional host reconnects")
        connection.close()


class InstitutionTenantMiddleware(TenantMainMiddleware):
    """django-tenants' host routing, with the regional layer served at BASE_DOMAIN and the
    institution looked up in one statement that also sets the search path (above).

    The public schema needs no Institution row: the base domain maps to an unsaved stand-in."""

    def get_tenant(self, domain_model: type, hostname: str) -> Institution:
        if hostname == settings.BASE_DOMAIN:
            return Institution(
                schema_name=get_public_schema_name(),
                name=settings.REGIONAL_CENTRE_NAME,
                short_name=settings.REGIONAL_CENTRE_NAME,
                status=InstitutionStatus.ACTIVE,
            )
        return super().get_tenant(domain_model, hostname)

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        db = tenant_connection()
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            db.set_schema_to_public()
            return HttpResponseNotFound()
        if hostname == settings.BASE_DOMAIN:
            # No tenant lookup here to find a broken persistent connection (config/wsgi.py
            # turns Django's check off): the regional centre's few requests pay the check.
            _drop_if_broken()
            db.set_schema_to_public()
            tenant = self.get_tenant(Domain, hostname)
            path_set = False
        else:
            found, path_set = institution_by_host(hostname)
            if found is None:
                db.set_schema_to_public()
                response: HttpResponse | None = self.no_tenant_found(request, hostname)
                return response
            tenant = found
        tenant.domain_url = hostname
        request.tenant = tenant  # type: ignore[attr-defined]
        db.set_tenant(tenant)  # forgets the path the connection had: set before the next query
        if path_set:
            paths = db._get_cursor_search_paths()
            if paths == [tenant.schema_name, get_public_schema_name()]:
                # what the statement set: django-tenants (TENANT_LIMIT_SET_CALLS) sets no other
                db.search_path_set_schemas = paths
        self.setup_url_routing(request)
        return None


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    html = render_to_string(
        "status_page.html", {"title": title, "message": message}, request=request
    )
    return HttpResponse(html, status=status)


class InstitutionStatusMiddleware:
    """Blocks a provisioning or suspended institution entirely and makes an archived one
    read-only. An institution whose schema is missing (dropped by hand, a partial restore)
    answers 503: its requests would otherwise fall through the search path to public tables."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == get_public_schema_name():
            return self.get_response(request)
        status = tenant.status
        if status in (InstitutionStatus.PROVISIONING, InstitutionStatus.FAILED):
            tenant_connection().set_schema_to_public()
            return _page(
                request,
                503,
                _("The institution is being set up"),
                _("Its workspace is not ready yet. Try again in a minute."),
            )
        # read with the tenant by ``institution_by_host`` (above); asked here only for a
        # tenant set some other way
        exists = getattr(tenant, "schema_exists", None)
        if not (schema_exists(tenant.schema_name) if exists is None else exists):
            logger.error(
                "institution %s (%s): its schema is missing", tenant.pk, tenant.schema_name
            )
            tenant_connection().set_schema_to_public()
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("The institution's workspace is unavailable. Try again later.")},
                    status=503,
                )
            return _page(
                request,
                503,
                _("The workspace is unavailable"),
                _("The institution's workspace is unavailable. Try again later."),
            )
        if status == InstitutionStatus.SUSPENDED:
            tenant_connection().set_schema_to_public()
            return _page(
                request,
                403,
                _("Access is suspended"),
                _("The regional centre has suspended this institution's access."),
            )
        if (
            status == InstitutionStatus.ARCHIVED
            and request.method not in SAFE_METHODS
            and not request.path.startswith(ARCHIVE_WRITABLE_PATHS)
        ):
            return _page(
                request,
                403,
                _("The institution is archived"),
                _("Its data can be viewed but not changed."),
            )
        return self.get_response(request)


class InstitutionTimeZoneMiddleware:
    """Shows times in the institution's own time zone on its host (the region's host: the
    project's TIME_ZONE): pages, forms and the documents and exports a request makes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils import timezone

        from tenants.timezones import institution_zone

        timezone.activate(institution_zone(getattr(request, "tenant", None)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
