"""Live progress of a batch while its work runs.

The commit writes every row inside one transaction, so a progress column updated there would
stay invisible to readers until the very end. Progress therefore goes to the cache (keyed by
the tenant's schema through django-tenants' key function) while the work runs, and to the
batch row when a phase ends."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)
TTL_SECONDS = 6 * 3600


def _key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def progress_set(*, batch_id: int, percent: int) -> None:
    """Best effort: a cache that fails never stops an import. The savepoint keeps a failing
    database cache from breaking the import's own transaction."""
    try:
        with transaction.atomic():
            cache.set(_key(batch_id), max(0, min(100, int(percent))), TTL_SECONDS)
    except Exception:
        logger.warning("import batch %s: progress not recorded", batch_id, exc_info=True)


def progress_get(*, batch_id: int) -> int | None:
    try:
        with transaction.atomic():
            value = cache.get(_key(batch_id))
    except Exception:
        logger.warning("import batch %s: progress not readable", batch_id, exc_info=True)
        return None
    return int(value) if value is not None else None


def progress_clear(*, batch_id: int) -> None:
    try:
        with transaction.atomic():
            cache.delete(_key(batch_id))
    except Exception:
        logger.warning("import batch %s: progress not cleared", batch_id, exc_info=True)
