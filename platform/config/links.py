"""The one link builder: every address the platform prints or mails (survey links,
invitations, consent and calendar links, the demo's summary) is built here, from the host
people use, the configured scheme (``SITE_SCHEME``: the proxy terminates TLS, so the request's
own scheme may be plain http) and the configured public port (``SITE_PORT``, empty for 80/443).

A host taken from a request (``request.get_host()``) may carry a port already; it is dropped,
so the port is never written twice (``school-1.localhost:8803:8803``)."""

from __future__ import annotations

from django.conf import settings


def bare_host(host: str) -> str:
    """``host`` without a port: ``school-1.localhost:8000`` → ``school-1.localhost``
    (an IPv6 literal keeps its brackets)."""
    host = host.strip()
    if host.startswith("["):
        return host[: host.index("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if ":" in host else host


def absolute_url(host: str, path: str = "/", *, port: int | str | None = None) -> str:
    """``scheme://host[:port]/path`` for ``host`` (with or without a port; empty: the
    regional centre's) and ``path``; ``port`` overrides ``SITE_PORT``."""
    scheme = settings.SITE_SCHEME
    port = str(settings.SITE_PORT or "") if port is None else str(port)
    default = {"http": "80", "https": "443"}.get(scheme)
    netloc = bare_host(host or settings.BASE_DOMAIN)
    if port and port != default:
        netloc = f"{netloc}:{port}"
    if not path.startswith("/"):
        path = f"/{path}"
    return f"{scheme}://{netloc}{path}"


def site_url(host: str) -> str:
    """The root of ``host`` without the trailing slash (``http://school-1.localhost:8000``):
    callers append a path."""
    return absolute_url(host, "/").rstrip("/")
