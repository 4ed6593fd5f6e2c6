"""The regional URLconf plus ``/bench/bare/`` (for the bench server only)."""

from bench_views import bare
from django.urls import path

from config.urls_public import urlpatterns as public_urlpatterns

urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *public_urlpatterns]
