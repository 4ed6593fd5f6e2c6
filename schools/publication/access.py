"""Who may change the institution's public page and its documents: the coordinator (or a
system job). Everyone, signed in or not, reads what is published."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.actor import Actor
from schools.participants.access import NotFound
from schools.publication.models import PublicDocument


def can_edit_public_page(*, actor: Actor) -> bool:
    return actor.is_system or actor.is_coordinator


def check_public_page_edit(actor: Actor) -> None:
    if not can_edit_public_page(actor=actor):
        raise PermissionDenied


def access_public_document_by_id(
    actor: Actor,
    document_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[PublicDocument] | None = None,
) -> PublicDocument:
    """A document of the public page (everyone reads it), or ``NotFound``; for a write
    (remove it) ``PermissionDenied`` unless ``can_edit_public_page``."""
    queryset = PublicDocument.objects.all() if queryset is None else queryset
    found = queryset.filter(pk=document_id).first()
    if found is None:
        raise NotFound
    if for_write:
        check_public_page_edit(actor)
    return found


__all__ = ["access_public_document_by_id", "can_edit_public_page", "check_public_page_edit"]
