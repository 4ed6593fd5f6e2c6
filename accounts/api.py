"""The public interface of the accounts app for other apps (and the seeding package)."""

from __future__ import annotations

from accounts.models import User
from accounts.services import invitation_create, invitation_url, site_url, user_create


def user_id_by_username(*, username: str) -> int | None:
    """The id of the account ``username`` in the active schema, or None."""
    return User.objects.filter(username=username).values_list("pk", flat=True).first()


__all__ = [
    "invitation_create",
    "invitation_url",
    "site_url",
    "user_create",
    "user_id_by_username",
]
