"""Live progress of a batch while its work runs.

The commit writes every row inside one transaction, so a progress column updated there would
stay invisible to readers until the very end. Progress therefore goes to the cache (keyed by
the tenant's schema through django-tenants' key function) while the work runs, and to the
batch row when a phase ends."""

from __future__ import annotations

from django.core.cache import cache

TTL_SECONDS = 6 * 3600


def _key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def progress_set(*, batch_id: int, percent: int) -> None:
    cache.set(_key(batch_id), max(0, min(100, int(percent))), TTL_SECONDS)


def progress_get(*, batch_id: int) -> int | None:
    value = cache.get(_key(batch_id))
    return int(value) if value is not None else None


def progress_clear(*, batch_id: int) -> None:
    cache.delete(_key(batch_id))
