"""Per-institution access rules applied to every request on an institution's host."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from config.db import tenant_connection
from tenants.models import Institution, InstitutionStatus

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Paths that only read or end a session; allowed while an institution is archived.
ARCHIVE_WRITABLE_PATHS = ("/accounts/login/", "/accounts/logout/", "/api/v1/auth/")


class InstitutionTenantMiddleware(TenantMainMiddleware):
    """django-tenants' host routing, with the regional layer served at BASE_DOMAIN.

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


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    html = render_to_string(
        "status_page.html", {"title": title, "message": message}, request=request
    )
    return HttpResponse(html, status=status)


# Schemas seen to exist, with when to look again (per process): a present schema costs one
# query a minute, a missing one is looked for on every request until it is back.
_SCHEMA_SEEN: dict[str, float] = {}
SCHEMA_RECHECK_SECONDS = 60.0


def schema_present(schema_name: str) -> bool:
    import time

    now = time.monotonic()
    if _SCHEMA_SEEN.get(schema_name, 0.0) > now:
        return True
    from django_tenants.utils import schema_exists

    if schema_exists(schema_name):
        _SCHEMA_SEEN[schema_name] = now + SCHEMA_RECHECK_SECONDS
        return True
    _SCHEMA_SEEN.pop(schema_name, None)
    return False


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
        if not schema_present(tenant.schema_name):
            import logging

            logging.getLogger(__name__).error(
                "institution %s (%s): its schema is missing", tenant.pk, tenant.schema_name
            )
            tenant_connection().set_schema_to_public()
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

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
