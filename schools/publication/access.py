"""Who may change the institution's public page and its documents: the coordinator (or a
system job). Everyone, signed in or not, reads what is published."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.actor import Actor


def can_edit_public_page(*, actor: Actor) -> bool:
    return actor.is_system or actor.is_coordinator


def check_public_page_edit(actor: Actor) -> None:
    if not can_edit_public_page(actor=actor):
        raise PermissionDenied


__all__ = ["can_edit_public_page", "check_public_page_edit"]
