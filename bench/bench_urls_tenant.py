"""The institution URLconf plus ``/bench/bare/`` (for the bench server only)."""

from bench_views import bare, layout
from django.urls import path

from config.urls_tenant import urlpatterns as tenant_urlpatterns

urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/layout/", layout, name="bench-layout"),
    *tenant_urlpatterns,
]
