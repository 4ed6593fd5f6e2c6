"""Who runs the region's KPI aggregation and closes its periods: the regional centre (its
administrators and staff), or the system (the monthly beat, the demo's and the benchmark's
history). The one place of the rule: the services, the API and the pages call it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts import roles
from accounts.actor import Actor
from regional.kpis.models import AggregationRun


def may_run_aggregation(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.REGIONAL)


def check_aggregation(actor: Actor) -> None:
    if not may_run_aggregation(actor):
        raise PermissionDenied


def access_run_by_id(
    actor: Actor,
    run_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[AggregationRun] | None = None,
) -> AggregationRun:
    """A run and its progress: the regional centre's (404 for anyone else, as for a run that
    does not exist)."""
    if not may_run_aggregation(actor):
        raise Http404
    queryset = AggregationRun.objects.all() if queryset is None else queryset
    run = queryset.filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


__all__ = ["access_run_by_id", "check_aggregation", "may_run_aggregation"]
