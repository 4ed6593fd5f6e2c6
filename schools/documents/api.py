"""Public interface of the documents app (other apps import only this module)."""

from __future__ import annotations

from schools.documents.models import DocumentJob, JobStatus


def document_jobs_done_count() -> int:
    """How many bulk generations finished (a number, for reports)."""
    return DocumentJob.objects.filter(status=JobStatus.DONE).count()
