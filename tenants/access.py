"""Who may change the region's institutions and who oversees them. The one place of the rule
(the services, the API and the pages call it).

- The regional administrator registers institutions (one by one or from a spreadsheet),
  retries a failed provisioning, suspends, archives and re-activates them, and says who acts
  for a municipal education department.
- The regional centre (its administrators and staff) decides the schools' applications.
- A system job (seeding, benchmarks, a command run by the operator) may do all of it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts import roles
from accounts.actor import Actor


def may_manage_institutions(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.REGIONAL_ADMIN)


def may_decide_applications(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.REGIONAL)


def check_institutions_manage(actor: Actor) -> None:
    if not may_manage_institutions(actor):
        raise PermissionDenied


def check_applications_decide(actor: Actor) -> None:
    if not may_decide_applications(actor):
        raise PermissionDenied


__all__ = [
    "check_applications_decide",
    "check_institutions_manage",
    "may_decide_applications",
    "may_manage_institutions",
]
