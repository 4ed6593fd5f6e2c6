"""API tokens that expire and rotate.

A token is issued by ``POST /api/v1/auth/token/`` (``services.api_token_issue``): every
issue replaces the user's previous token, a token stops working ``API_TOKEN_TTL`` after it was
issued, and changing the password revokes it (``User.save``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_ttl() -> timedelta:
    return getattr(settings, "API_TOKEN_TTL", timedelta(days=30))


def token_expires_at(created: datetime) -> datetime:
    return created + token_ttl()


# The token and its user in one statement, written out: it runs on every API request, and the
# ORM's ``select_related`` of a token and a user cost more to build and compile than the bare
# request. Its row becomes the user by ``Model.from_db`` (what a queryset does per row) and the
# token by the same: a ``RawQuerySet`` read the cursor's description, looked up a converter per
# column and built the model by keyword, which cost more than the statement (the same rows; the
# checks are DRF's, in DRF's order, then the expiry).
_TOKEN_AND_USER = (
    'SELECT {columns}, t."created" FROM "authtoken_token" t'
    ' JOIN "accounts_user" u ON u."id" = t."user_id" WHERE t."key" = %s'
)
_user_fields: tuple[str, list[str], list[tuple[int, list[Any]]]] | None = None


def _token_and_user() -> tuple[str, list[str], list[tuple[int, list[Any]]]]:
    """The statement, the user's attribute names in its columns' order, and the converters of
    the columns that have any (none today; a field that needs one gets it as in a queryset)."""
    global _user_fields
    if _user_fields is None:
        from django.db import connection

        from accounts.models import User

        fields: list[Any] = list(User._meta.concrete_fields)
        columns = ", ".join(f'u."{field.column}"' for field in fields)
        converters = [
            (index, field.get_db_converters(connection))
            for index, field in enumerate(fields)
            if field.get_db_converters(connection)
        ]
        _user_fields = (
            _TOKEN_AND_USER.format(columns=columns),
            [field.attname for field in fields],
            converters,
        )
    return _user_fields


def token_and_user_sql() -> str:
    return _token_and_user()[0]


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        from django.db import connection
        from rest_framework.authtoken.models import Token

        from accounts.models import User

        sql, names, converters = _token_and_user()
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        values = list(row[:-1])
        for index, functions in converters:
            for convert in functions:
                values[index] = convert(values[index], None, connection)
        user = User.from_db(connection.alias, names, values)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token.from_db(
            connection.alias, ["key", "user_id", "created"], [key, user.pk, row[-1]]
        )
        Token.user.field.set_cached_value(token, user)  # token.user without a query
        if token_expires_at(token.created) <= timezone.now():
            raise exceptions.AuthenticationFailed(
                _("The token has expired. Sign in again to get a new one.")
            )
        return user, token
