from __future__ import annotations

from django.db.models import QuerySet

from schools.imports.models import ImportBatch, ImportStatus
from schools.imports.progress import progress_get


def import_batch_list() -> QuerySet[ImportBatch]:
    return ImportBatch.objects.select_related("created_by")


def import_batch_progress(*, batch: ImportBatch) -> int:
    """The live progress while a check or an import runs (from the cache), else the stored."""
    if batch.status in (ImportStatus.VALIDATING, ImportStatus.IMPORTING):
        live = progress_get(batch_id=batch.pk)
        if live is not None:
            return live
    return int(batch.progress)
