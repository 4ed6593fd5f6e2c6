"""Settings of the migrate benchmark's ``nastavnik migrate_schemas`` runs: the development
settings plus ``bench_tenant_app``, a tenant app whose single migration the benchmark makes
unapplied (table dropped, ``django_migrations`` rows deleted) before each timed run with work."""

from config.settings.dev import *  # noqa: F403
from config.settings.dev import INSTALLED_APPS, TENANT_APPS

TENANT_APPS = [*TENANT_APPS, "bench_tenant_app"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench_tenant_app"]
