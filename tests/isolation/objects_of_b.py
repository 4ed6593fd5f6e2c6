"""Objects of institution B, one per model that any route can address by id.

The cross-tenant test creates them inside B's schema with ids far above anything A has, each
carrying ``MARKER`` where the model has text, so that a leak shows in a response body. When a
new model gets a route (API detail route or admin), add a factory here: the test fails with
"add an object of B for <app_label.model_name>" until you do.

Each factory runs inside B's schema, gets B's coordinator ``user``, and returns the value the
route takes as its id (usually ``str(obj.pk)``)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection

from accounts.models import Invitation, Role, User

MARKER = "СЕКРЕТ-Б-7f3a"

Factory = Callable[[User], str]
FACTORIES: dict[str, Factory] = {}


def factory(label: str) -> Callable[[Factory], Factory]:
    def register(func: Factory) -> Factory:
        FACTORIES[label] = func
        return func

    return register


def bump_sequence(table: str) -> None:
    """Move the table's id sequence far above anything the other institution has."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), 1000000 + (random()*1000)::int)",
            [table],
        )


@factory("accounts.user")
def _user(user: User) -> str:
    return str(user.pk)


@factory("authtoken.tokenproxy")
def _token(user: User) -> str:
    from rest_framework.authtoken.models import Token

    Token.objects.get_or_create(user=user)
    return str(user.pk)


@factory("accounts.invitation")
def _invitation(user: User) -> str:
    bump_sequence("accounts_invitation")
    invitation = Invitation.objects.create(
        email="secret-b@beta.ru",
        role=Role.MENTOR,
        first_name=MARKER,
        expires_at="2099-01-01T00:00:00Z",
    )
    return str(invitation.pk)


@factory("auth.group")
def _group(user: User) -> str:
    from django.contrib.auth.models import Group

    bump_sequence("auth_group")
    return str(Group.objects.create(name=MARKER).pk)


@factory("programmes.programme")
def _programme(user: User) -> str:
    from schools.programmes.models import Programme

    bump_sequence("programmes_programme")
    return str(Programme.objects.create(academic_year=2031, title=MARKER).pk)
