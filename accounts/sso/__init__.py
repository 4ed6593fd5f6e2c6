"""Single sign-on through the region's OpenID Connect provider (mozilla-django-oidc underneath).

One provider serves the whole region and knows ONE redirect URI: the regional host's
``/oidc/callback/``. A sign-in started on an institution's host carries the institution's slug in
its ``state``; the regional callback relays the answer (code, state) to that host, where the
state, the nonce and the PKCE verifier wait in the host's own session and the code is exchanged.
The person is then looked up in that host's schema only (``services.identity_resolve``)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django_tenants.utils import get_public_schema_name

from accounts.services import site_url

STATE_SEPARATOR = "."


def sso_enabled() -> bool:
    return bool(settings.OIDC_OP_ISSUER and settings.OIDC_RP_CLIENT_ID)


def regional_url(path: str) -> str:
    """An absolute URL on the regional host (the one the provider knows)."""
    return f"{site_url(settings.BASE_DOMAIN)}{path}"


def callback_url() -> str:
    return regional_url("/oidc/callback/")


def signed_out_url() -> str:
    return regional_url("/oidc/signed-out/")


def host_slug() -> str:
    """The slug of the institution whose host this is, or "" on the regional host."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return ""
    return str(tenant.slug)


def state_for_host(random_part: str) -> str:
    """A state that tells the regional host where to relay the answer."""
    slug = host_slug()
    return f"{slug}{STATE_SEPARATOR}{random_part}" if slug else random_part


def slug_of_state(state: str) -> str:
    """The institution a state belongs to ("" for the regional host's own)."""
    slug, separator, _rest = state.partition(STATE_SEPARATOR)
    return slug if separator else ""
