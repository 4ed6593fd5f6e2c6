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
# request (the same rows; the checks are DRF's, in DRF's order, then the expiry).
TOKEN_AND_USER = (
    'SELECT u.*, t.created AS token_created FROM "authtoken_token" t'
    ' JOIN "accounts_user" u ON u.id = t.user_id WHERE t.key = %s'
)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        from rest_framework.authtoken.models import Token

        from accounts.models import User

        user = next(iter(User.objects.raw(TOKEN_AND_USER, [key])), None)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token(key=key, user=user, created=user.token_created)  # type: ignore[attr-defined]
        if token_expires_at(token.created) <= timezone.now():
            raise exceptions.AuthenticationFailed(
                _("The token has expired. Sign in again to get a new one.")
            )
        return user, token
