"""The cache without Redis: Django's database cache, its table in the public schema."""

from __future__ import annotations

from django.conf import settings


def create_cache_table() -> None:
    """Create the database cache's table in the public schema when the cache is the database
    one (``nastavnik demo`` and the benchmarks without Redis); nothing otherwise. The tenant
    router hides the cache's pseudo-app from the public schema's migrations, so the table is
    made through the command's own method rather than through ``call_command``."""
    from django.core.management.commands.createcachetable import Command as CreateCacheTable
    from django_tenants.utils import get_public_schema_name, schema_context

    cache = settings.CACHES["default"]
    if cache["BACKEND"] != "django.core.cache.backends.db.DatabaseCache":
        return
    with schema_context(get_public_schema_name()):
        command = CreateCacheTable()
        command.verbosity = 0
        command.create_table("default", cache["LOCATION"], dry_run=False)
