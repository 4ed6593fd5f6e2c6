"""Who may bring people in: invitations and logins. The one place of the rule (the services,
the API and the pages call it).

- An institution's coordinator invites the institution's people (its roles only).
- The regional administrator invites the public schema's people (municipal departments'
  accounts, the regional centre's staff, employers).
- A system job (provisioning, placements, seeding) may invite anyone and is the only one to
  create a login directly: people otherwise join through an invitation."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts import roles
from accounts.actor import Actor


def may_invite(actor: Actor, role: str) -> bool:
    if actor.is_system:
        return True
    if actor.is_coordinator:
        return role in roles.TENANT
    if actor.has_role(roles.REGIONAL_ADMIN):
        return role in roles.PUBLIC
    return False


def check_invite(actor: Actor, role: str) -> None:
    if not may_invite(actor, role):
        raise PermissionDenied


def check_login_create(actor: Actor) -> None:
    """Logins are made directly only by the system (seeding, benchmarks)."""
    if not actor.is_system:
        raise PermissionDenied


__all__ = ["check_invite", "check_login_create", "may_invite"]
