"""Who may ask for bulk documents and see the jobs that make them. The one place of these
rules (the services, the API and the pages call it).

- The institution's staff ask for documents (each for the people or pairs it may see: the
  caller limits the ids first).
- The coordinator, the director and the deputies see every job of the institution; a curator
  only the jobs it asked for (they hold the people of its own classes); nobody else any.
- A system job (a sweeper, seeding) sees and retries every job."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts import roles
from accounts.actor import Actor
from accounts.models import Role
from schools.documents.models import DocumentJob, Order
from schools.participants.access import NotFound, found_by_id


def may_generate_documents(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.STAFF)


def check_document_generate(actor: Actor) -> None:
    if not may_generate_documents(actor):
        raise PermissionDenied


def document_jobs_visible_to(
    actor: Actor, queryset: QuerySet[DocumentJob] | None = None
) -> QuerySet[DocumentJob]:
    queryset = DocumentJob.objects.all() if queryset is None else queryset
    if actor.sees_whole_institution:
        return queryset
    if actor.has_role({Role.CURATOR}):
        return queryset.filter(created_by_id=actor.user_id)
    return queryset.none()


def access_document_job_by_id(
    actor: Actor,
    job_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[DocumentJob] | None = None,
) -> DocumentJob:
    """The job, or ``NotFound`` (missing or not the actor's to see). Whoever sees a job and
    may ask for documents may retry or cancel it (``for_write``)."""
    found = document_jobs_visible_to(actor, queryset).filter(pk=job_id).first()
    if found is None:
        raise NotFound
    if for_write:
        check_document_generate(actor)
    return found


# --- the programme's orders ------------------------------------------------------------------


def orders_visible_to(actor: Actor, queryset: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """The programme's orders: every staff member reads them (like the programme)."""
    queryset = Order.objects.all() if queryset is None else queryset
    return queryset if actor.is_system or actor.has_role(roles.STAFF) else queryset.none()


def may_decide_orders(actor: Actor) -> bool:
    """Act on an order: the coordinator prepares and withdraws drafts, the director approves
    (which of the two an act needs is the page's and the service's ``check_object``)."""
    return actor.is_system or actor.has_role(roles.COORDINATION | roles.DIRECTOR)


def access_order_by_id(
    actor: Actor,
    order_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[Order] | None = None,
) -> Order:
    """The order, or ``NotFound``; for a write ``PermissionDenied`` unless the actor is the
    coordinator or the director."""
    return found_by_id(
        orders_visible_to(actor, queryset),
        order_id,
        write_refused=for_write and not may_decide_orders(actor),
    )


__all__ = [
    "access_document_job_by_id",
    "access_order_by_id",
    "check_document_generate",
    "document_jobs_visible_to",
    "may_decide_orders",
    "may_generate_documents",
    "orders_visible_to",
]
