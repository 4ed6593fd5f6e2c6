"""Reads of the documents app."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.actor import Actor
from schools.documents import access
from schools.documents.models import DocumentJob


def document_job_list() -> QuerySet[DocumentJob]:
    return DocumentJob.objects.select_related("created_by")


def document_jobs_visible_to(
    actor: Actor, queryset: QuerySet[DocumentJob]
) -> QuerySet[DocumentJob]:
    """``schools.documents.access.document_jobs_visible_to``."""
    return access.document_jobs_visible_to(actor, queryset)
