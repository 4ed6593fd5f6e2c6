"""The public interface of the accounts app for other apps (and the seeding package).

Writes return ids: a login or an invitation never leaves the app as a model."""

from __future__ import annotations

from django.utils import timezone

from accounts import services
from accounts.actor import Actor
from accounts.models import Invitation, Role, User
from accounts.services import invitation_url, site_url


def invitation_create(
    *,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    middle_name: str = "",
    actor: Actor,
) -> int:
    """Record an invitation in the active schema (mailed after commit); returns its id."""
    return services.invitation_create(
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        middle_name=middle_name,
        actor=actor,
    ).pk


def user_create(
    *,
    username: str,
    role: str,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    middle_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    actor: Actor,
) -> int:
    """A login made directly in the active schema (seeding, benchmarks); returns its id."""
    return services.user_create(
        username=username,
        role=role,
        password=password,
        email=email,
        first_name=first_name,
        last_name=last_name,
        middle_name=middle_name,
        is_staff=is_staff,
        is_superuser=is_superuser,
        actor=actor,
    ).pk


def user_id_by_username(*, username: str) -> int | None:
    """The id of the account ``username`` in the active schema, or None."""
    return User.objects.filter(username=username).values_list("pk", flat=True).first()


def actor_by_username(*, username: str) -> Actor | None:
    """The actor of the account ``username`` in the active schema (seeding acts as a given
    person, e.g. the demo's coordinator asking for an employer's mentor), or None."""
    from accounts.actor import actor_for

    user = User.objects.filter(username=username).first()
    return actor_for(user) if user is not None else None


__all__ = [
    "Actor",
    "Role",
    "actor_by_username",
    "invitation_create",
    "invitation_url",
    "invitations_fulfil",
    "site_url",
    "user_create",
    "user_ensure",
    "user_id_by_username",
]


def user_ensure(
    *,
    username: str,
    role: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    middle_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    actor: Actor,
) -> int:
    """The account ``username`` in the active schema with this password, active: created when
    missing; an existing one gets the password back and is reactivated (its name, e-mail and
    role are left as its user may have changed them). Returns its id."""
    user = User.objects.filter(username=username).first()
    if user is None:
        return user_create(
            username=username,
            role=role,
            password=password,
            email=email,
            first_name=first_name,
            last_name=last_name,
            middle_name=middle_name,
            is_staff=is_staff,
            is_superuser=is_superuser,
            actor=actor,
        )
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    return user.pk


def invitations_fulfil(*, email: str, user_id: int) -> int:
    """Pending invitations to ``email`` in the active schema count as accepted by the account
    ``user_id`` (an account made for that person otherwise). Returns how many."""
    return Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), user_id=user_id
    )
