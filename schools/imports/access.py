"""Who may import people from a file: the coordinator (the import writes the whole
institution's register), or a system job. Exports follow the readers of each register.

An import's batch (its file, preview and report: people's data of the whole institution) is
seen by who may import, and by nobody else."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.actor import Actor
from schools.imports.models import ImportBatch
from schools.participants.access import NotFound


def may_import(actor: Actor) -> bool:
    return actor.is_system or actor.is_coordinator


def check_import(actor: Actor) -> None:
    if not may_import(actor):
        raise PermissionDenied


def import_batches_visible_to(
    actor: Actor, queryset: QuerySet[ImportBatch] | None = None
) -> QuerySet[ImportBatch]:
    queryset = ImportBatch.objects.all() if queryset is None else queryset
    return queryset if may_import(actor) else queryset.none()


def access_import_batch_by_id(
    actor: Actor,
    batch_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[ImportBatch] | None = None,
) -> ImportBatch:
    """The batch, or ``NotFound`` (missing, or not the actor's to see). Whoever sees a batch
    may also commit or cancel it (``for_write`` asks nothing more)."""
    found = import_batches_visible_to(actor, queryset).filter(pk=batch_id).first()
    if found is None:
        raise NotFound
    if for_write:
        check_import(actor)
    return found


__all__ = ["access_import_batch_by_id", "check_import", "import_batches_visible_to", "may_import"]
