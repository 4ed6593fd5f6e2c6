"""Login protection helpers (django-axes is configured in settings)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str | None) -> bool:
    """Whether ``address`` is one of ``TRUSTED_PROXIES`` (addresses or networks): the reverse
    proxy we ship (``deploy/nginx``), whose X-Forwarded-For is believed."""
    parsed = _address(address or "")
    if parsed is None:
        return False
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return any(parsed in network for network in networks)


def client_ip(request: Any) -> str | None:
    """The client's address for lockouts. A request from a trusted proxy: the right-most
    X-Forwarded-For entry that is not a trusted proxy itself (the address the proxy saw; what a
    client wrote further left is ignored, since a client can forge it). Any other peer:
    REMOTE_ADDR, whatever headers it sent."""
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR") or None
    if not is_trusted_proxy(remote):
        return remote
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for entry in reversed([part for part in forwarded if part]):
        if _address(entry) is None:
            return remote  # garbage in the header: the proxy's own address, never the garbage
        if not is_trusted_proxy(entry):
            return entry
    return remote
