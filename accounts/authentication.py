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


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if token_expires_at(token.created) <= timezone.now():
            raise exceptions.AuthenticationFailed(
                _("The token has expired. Sign in again to get a new one.")
            )
        return user, token
