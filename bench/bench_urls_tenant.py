"""The institution URLconf plus ``/bench/bare/`` (for the bench server only)."""

from bench_views import bare
from django.urls import path

from config.urls_tenant import urlpatterns as tenant_urlpatterns

urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *tenant_urlpatterns]
