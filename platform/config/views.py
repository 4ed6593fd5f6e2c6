from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.health import health_report
from config.links import absolute_url, bare_host


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker and Celery worker status; 503 when any of them is down."""
    report = health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def server_error(request: HttpRequest) -> HttpResponse:
    """500: the API's JSON error shape under /api/, the page elsewhere; 503 when the error is
    PostgreSQL or Redis being unreachable (e.g. in the tenant lookup, before any view)."""
    import sys

    from django.views.defaults import server_error as page

    from config.outage import is_outage, outage_response

    if is_outage(sys.exc_info()[1]):
        return outage_response(request)
    if _is_api(request):
        from config.api.exceptions import server_error_detail

        return JsonResponse({"detail": server_error_detail()}, status=500)
    return page(request)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: the API's JSON error shape under /api/ (an unknown API path), the page elsewhere."""
    from django.utils.translation import gettext as _
    from django.views.defaults import page_not_found as page

    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page(request, exception)


def unknown_host(request: HttpRequest) -> HttpResponse:
    """What a host that names no institution gets: the bare address of the server (an IP,
    as gunicorn prints it) is sent to the regional centre's address; any other unknown host
    gets the 404 page, never a stack trace."""
    full = request.get_host()
    host = bare_host(full)
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        # The tenant middleware answers before the locale middleware: choose the language here.
        with translation.override(translation.get_language_from_request(request)):
            return render(request, "404.html", status=404)
    port = full[len(host) + 1 :] or None  # the port the browser used, else SITE_PORT
    return redirect(absolute_url(settings.BASE_DOMAIN, request.get_full_path(), port=port))


@extend_schema(exclude=True)
class HostSchemaView(SpectacularAPIView):
    """The OpenAPI schema of the host asked: the regional API on the base domain, the
    institution API on an institution's host (each host has its own URLconf)."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.urlconf = getattr(request, "urlconf", None)
        return super().get(request, *args, **kwargs)
