"""The regional URLconf plus ``/bench/bare/`` (for the bench server only)."""

from bench_views import bare, layout
from django.urls import path

from config.urls_public import urlpatterns as public_urlpatterns

urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/layout/", layout, name="bench-layout"),
    *public_urlpatterns,
]
