"""Who reads the region's library of published success stories (anonymised before they
leave the institution): the regional centre and the employers. The one place of the rule."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts import roles
from accounts.actor import Actor
from regional.practices.models import PracticeCase

READERS = roles.REGIONAL | roles.EMPLOYER


def may_read_practices(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(READERS)


def access_practice_case_by_id(
    actor: Actor,
    case_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[PracticeCase] | None = None,
) -> PracticeCase:
    """A published case (404 for anyone outside the readers, as for a missing one); the
    library is read-only in the pages (``for_write`` finds nothing to write)."""
    if not may_read_practices(actor) or for_write:
        raise Http404
    queryset = PracticeCase.objects.all() if queryset is None else queryset
    case = queryset.filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case


__all__ = ["READERS", "access_practice_case_by_id", "may_read_practices"]
