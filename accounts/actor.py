"""Who is acting: a typed ``Actor`` instead of ``Any``.

An actor is either a signed-in user with its role and its scope in the current schema, or a
named system job (a Celery task, the importer, the seeding of a demo). It is built once per
request (``actor_of``) and passed, keyword-only, to every service that writes; the apps'
``access.py`` modules decide from it what may be seen and done.

The scope is what the role's rules need, read once:

- a curator: the ids of the study groups (classes) it curates;
- a mentor or a mentee: its own participant id;
- a parent: the participant ids of its children (and its own participant id);
- the coordinator, the director and the deputies: nothing (they see the whole institution).

The scope of a tenant user is read from the participants app, which sits above this one: the
resolver is named by the ``ACTOR_SCOPE_RESOLVER`` setting (a dotted path, like an
authentication backend), so ``accounts`` imports nothing from ``schools``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string

from accounts import roles
from accounts.models import Role

ScopeResolver = Callable[[int, str], "ActorScope"]
_ACTOR_ATTRIBUTE: Final = "_nastavnik_actor"


@dataclass(frozen=True)
class ActorScope:
    """What a tenant user's rules need besides its role (see the module's docstring)."""

    participant_id: int | None = None
    ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    role: str
    schema: str
    # class ids (curator), own participant id (mentor, mentee), children's ids (parent)
    scope: frozenset[int] = frozenset()
    participant_id: int | None = None
    # the name of a system job; empty for a user
    job: str = ""
    username: str = field(default="", compare=False)

    @classmethod
    def system(cls, job: str, *, schema: str = "") -> Actor:
        """A named system job: writes what it is asked to, records no user as author."""
        if not job:
            raise ValueError("a system actor needs the job's name")
        return cls(user_id=None, role="", schema=schema, job=job)

    @property
    def is_system(self) -> bool:
        return bool(self.job)

    @property
    def is_user(self) -> bool:
        return self.user_id is not None and not self.job

    def has_role(self, allowed: Iterable[str]) -> bool:
        """A user whose role is one of ``allowed`` (a system job has no role)."""
        return self.is_user and self.role in frozenset(allowed)

    @property
    def is_coordinator(self) -> bool:
        return self.has_role(roles.COORDINATION)

    @property
    def sees_whole_institution(self) -> bool:
        """The coordinator, the director and the deputies; system jobs too."""
        return self.is_system or self.has_role(roles.FULL_READERS)

    @property
    def audit_user_id(self) -> int | None:
        """The user to record as author (None for a system job)."""
        return self.user_id if self.is_user else None

    def __str__(self) -> str:
        if self.is_system:
            return f"system:{self.job}"
        return f"{self.username or self.user_id} ({self.role})"


ANONYMOUS_ROLE: Final = ""


@cache
def _resolver() -> ScopeResolver | None:
    path = getattr(settings, "ACTOR_SCOPE_RESOLVER", "")
    return import_string(path) if path else None


def _public_schema() -> str:
    return str(getattr(settings, "PUBLIC_SCHEMA_NAME", "public"))


def _current_schema() -> str:
    from config.db import tenant_connection

    return str(tenant_connection().schema_name)


def actor_for(user: Any, *, schema: str | None = None) -> Actor:
    """The actor of ``user`` (a ``User``, or an anonymous user) in ``schema`` (default: the
    schema the connection is on). Anonymous users are actors without a role: every access
    function refuses them."""
    schema = _current_schema() if schema is None else schema
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(user_id=None, role=ANONYMOUS_ROLE, schema=schema)
    role = str(getattr(user, "role", "") or "")
    user_id = int(user.pk)
    username = str(getattr(user, "username", ""))
    if schema == _public_schema() or role not in roles.TENANT:
        return Actor(user_id=user_id, role=role, schema=schema, username=username)
    resolver = _resolver()
    scope = resolver(user_id, role) if resolver is not None else ActorScope()
    return Actor(
        user_id=user_id,
        role=role,
        schema=schema,
        scope=scope.ids,
        participant_id=scope.participant_id,
        username=username,
    )


def actor_of(request: Any) -> Actor:
    """The actor of a request (a Django ``HttpRequest`` or a DRF ``Request``), built once per
    request and user: the API and the pages ask the same question the same way."""
    django_request: HttpRequest = getattr(request, "_request", request)
    user = request.user  # DRF authenticates here (token or session)
    cached: Actor | None = getattr(django_request, _ACTOR_ATTRIBUTE, None)
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    if cached is not None and cached.user_id == user_id:
        return cached
    actor = actor_for(user)
    setattr(django_request, _ACTOR_ATTRIBUTE, actor)
    return actor


def as_actor(actor_or_user: Any) -> Actor:
    """Code that still hands a ``User`` (or None, for a system path) gets its actor; an actor
    is returned as is. For the edges that have not been converted yet."""
    if isinstance(actor_or_user, Actor):
        return actor_or_user
    if actor_or_user is None:
        raise TypeError("an actor is required: a user's Actor or Actor.system(job)")
    return actor_for(actor_or_user)


def role_of(actor_or_user: Any) -> str:
    """The role of an Actor, or of a User (or "" for anyone else): for code still handed a
    User; new code reads ``actor.role``."""
    if isinstance(actor_or_user, Actor):
        return actor_or_user.role
    if not getattr(actor_or_user, "is_authenticated", False):
        return ""
    return str(getattr(actor_or_user, "role", "") or "")


def author_id(actor: Any) -> int | None:
    """The id of the user to record as the author of a write (``created_by``, the audit's
    actor): an Actor's user, a signed-in User; None for a system job or an anonymous visitor."""
    if isinstance(actor, Actor):
        return actor.audit_user_id
    user = getattr(actor, "audit_user", None) or getattr(actor, "user", actor)
    if getattr(user, "is_authenticated", False):
        return int(user.pk)
    return None


__all__ = [
    "Actor",
    "ActorScope",
    "Role",
    "actor_for",
    "actor_of",
    "as_actor",
    "author_id",
    "role_of",
]
