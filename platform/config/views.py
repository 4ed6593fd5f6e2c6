from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.health import health_report


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker and Celery worker status; 503 when any of them is down."""
    report = health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


def unknown_host(request: HttpRequest) -> HttpResponse:
    """What a host that names no institution gets: a plain 404 page, never a stack trace."""
    return render(request, "404.html", status=404)


@extend_schema(exclude=True)
class HostSchemaView(SpectacularAPIView):
    """The OpenAPI schema of the host asked: the regional API on the base domain, the
    institution API on an institution's host (each host has its own URLconf)."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.urlconf = getattr(request, "urlconf", None)
        return super().get(request, *args, **kwargs)
