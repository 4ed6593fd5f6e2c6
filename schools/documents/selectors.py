"""Reads of the documents app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.actor import role_of
from accounts.models import Role
from schools.documents.models import DocumentJob


def document_job_list() -> QuerySet[DocumentJob]:
    return DocumentJob.objects.select_related("created_by")


def document_jobs_visible_to(user: Any, queryset: QuerySet[DocumentJob]) -> QuerySet[DocumentJob]:
    """The coordinator, the director and deputies see every job of the institution; a curator
    only the jobs it asked for (they hold the people of its own groups)."""
    role = role_of(user)
    if role in (Role.COORDINATOR, Role.DIRECTOR, Role.DEPUTY):
        return queryset
    if role == Role.CURATOR:
        return queryset.filter(created_by=user)
    return queryset.none()
