"""Who runs the region's KPI aggregation and closes its periods: the regional centre (its
administrators and staff), or the system (the monthly beat, the demo's and the benchmark's
history). The one place of the rule: the services, the API and the pages call it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts import roles
from accounts.actor import Actor


def may_run_aggregation(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.REGIONAL)


def check_aggregation(actor: Actor) -> None:
    if not may_run_aggregation(actor):
        raise PermissionDenied


__all__ = ["check_aggregation", "may_run_aggregation"]
