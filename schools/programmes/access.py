"""Who may read and change the programme: its set-up, its approval, the next year. The one
place of these rules (the services, the API and the pages call it).

- Every staff member (the coordinator, the curators, the director and the deputies) reads the
  programme; the coordinator sets it up and prepares its orders; the director approves it (and
  signs the orders); the coordinator starts the next year from it.
- A system job (seeding, a migration of data) may do everything it is asked to."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts import roles
from accounts.actor import Actor


def require(allowed: bool) -> None:
    """Raise ``PermissionDenied`` (a 403) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied


def can_read_programme(*, actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.STAFF)


def can_set_up_programme(*, actor: Actor) -> bool:
    """The coordinator fills in the set-up (and prepares the orders)."""
    return actor.is_system or actor.is_coordinator


def can_approve_programme(*, actor: Actor) -> bool:
    """The director approves the programme, its orders and the pairs."""
    return actor.is_system or actor.has_role(roles.DIRECTOR)


def can_start_next_year(*, actor: Actor) -> bool:
    """Only the coordinator starts a new programme year (a system job may too)."""
    return actor.is_system or actor.is_coordinator


__all__ = [
    "can_approve_programme",
    "can_read_programme",
    "can_set_up_programme",
    "can_start_next_year",
    "require",
]
