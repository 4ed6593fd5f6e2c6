"""Login protection helpers (django-axes is configured in settings)."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str | None:
    """The client's address for lockouts: REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT``
    proxies the address the outermost trusted proxy saw (its entry in X-Forwarded-For; what
    the client wrote itself further left is ignored, since a client can forge it)."""
    meta = getattr(request, "META", {})
    hops = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if hops > 0:
        forwarded = [p.strip() for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if p]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return meta.get("REMOTE_ADDR") or None
