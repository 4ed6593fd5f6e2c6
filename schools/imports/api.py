"""Public interface of the imports app (other apps import only this module)."""

from __future__ import annotations

from schools.imports.models import ImportBatch, ImportStatus


def import_batch_count(*, done_only: bool = False) -> int:
    batches = ImportBatch.objects.all()
    if done_only:
        batches = batches.filter(status=ImportStatus.DONE)
    return batches.count()
