"""Who may write the region's shared questionnaire templates: the one place of the rule (the
services, the API and the pages call it).

- The regional centre (its administrators and staff) writes templates, their drafts and
  questions, and publishes a version; only an administrator retires one (institutions keep
  using it, but no new one adopts it).
- A system job (seeding, a data migration) may do everything it is asked to."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts import roles
from accounts.actor import Actor


def may_write_templates(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.REGIONAL)


def may_retire_versions(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.REGIONAL_ADMIN)


def check_templates_write(actor: Actor) -> None:
    if not may_write_templates(actor):
        raise PermissionDenied


def check_version_retire(actor: Actor) -> None:
    if not may_retire_versions(actor):
        raise PermissionDenied


__all__ = [
    "check_templates_write",
    "check_version_retire",
    "may_retire_versions",
    "may_write_templates",
]
