"""`manage.py check`: single sign-on switched on half-way is an error at start-up, not at the
first person's sign-in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

REQUIRED = (
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
)


def sso_settings_complete(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not settings.OIDC_OP_ISSUER:
        return []
    return [
        Error(
            f"OIDC_OP_ISSUER is set but {name} is empty.",
            hint="Copy it from the provider's /.well-known/openid-configuration (docs/sso.md).",
            id="accounts.E001",
        )
        for name in REQUIRED
        if not getattr(settings, name, "")
    ]
