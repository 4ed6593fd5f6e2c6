"""Who may import people from a file: the coordinator (the import writes the whole
institution's register), or a system job. Exports follow the readers of each register."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.actor import Actor


def may_import(actor: Actor) -> bool:
    return actor.is_system or actor.is_coordinator


def check_import(actor: Actor) -> None:
    if not may_import(actor):
        raise PermissionDenied


__all__ = ["check_import", "may_import"]
