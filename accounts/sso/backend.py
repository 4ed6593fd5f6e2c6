"""mozilla-django-oidc's code flow, made strict and regional.

The library does the authorization code exchange (with the PKCE verifier), fetches the
provider's keys and the user info. What it leaves open is closed here: the ID token must be for
this client (``aud``, ``azp``) from this provider (``iss``) and current (``exp``, ``iat``); the
user info must be about the token's subject; the redirect URI of the exchange is the regional
callback (the one the provider knows), whichever host exchanges the code; and the person is
resolved by ``services.identity_resolve`` in the active schema, never created as a learner."""

from __future__ import annotations

from typing import Any

import jwt
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.models import User
from accounts.sso import callback_url
from accounts.sso.services import identity_resolve

CLOCK_LEEWAY_SECONDS = 60


class RegionalOidcBackend(OIDCAuthenticationBackend):
    """Used by ``views.callback`` directly (not listed in AUTHENTICATION_BACKENDS: the session
    it starts is kept by ``InstitutionAwareBackend``, like a password's)."""

    id_token: str = ""

    def get_token(self, payload: dict[str, Any]) -> Any:
        payload["redirect_uri"] = callback_url()
        return super().get_token(payload)

    def _verify_jws(self, payload: Any, key: Any) -> Any:
        header = jwt.get_unverified_header(payload)
        algorithm = header.get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("unexpected signing algorithm")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[algorithm],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {type(exc).__name__}") from None
        audience = claims["aud"]
        several = isinstance(audience, list) and len(audience) > 1
        if several and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token refused: another authorized party")
        return claims

    def store_tokens(self, access_token: Any, id_token: Any) -> None:
        # kept for the provider's sign-out (id_token_hint) by the view, after the login
        # (which starts a new session)
        self.id_token = str(id_token or "")

    def get_or_create_user(self, access_token: Any, id_token: Any, payload: Any) -> User:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub")) != str(payload["sub"]):
            raise SuspiciousOperation("user info about another subject")
        claims = {**payload, **userinfo}
        return identity_resolve(issuer=settings.OIDC_OP_ISSUER, claims=claims)
