"""Clean answers while a dependency is away: PostgreSQL or Redis unreachable is a 503 (JSON
under /api/, the status page for people) with ``Retry-After``, never a 500 or a traceback.

Three doors lead here: ``OutageMiddleware.process_exception`` (a page view raised),
``config.views.server_error`` (a middleware raised, e.g. the tenant lookup) and the API's
exception handler (``config.api.exceptions``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def _outage_types() -> tuple[type[BaseException], ...]:
    types: list[type[BaseException]] = [OperationalError, InterfaceError]
    try:
        import redis.exceptions

        types += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    try:
        import kombu.exceptions

        types.append(kombu.exceptions.OperationalError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(types)


OUTAGE_TYPES = _outage_types()


def is_outage(exc: BaseException | None) -> bool:
    """A dependency is unreachable (not a bug of ours): the request may simply be tried again.
    Also when the outage surfaced as another database error (its cause is the lost link)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OUTAGE_TYPES):
            return True
        if isinstance(exc, DatabaseError) and "connection" in type(exc).__name__.lower():
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def detail() -> str:
    return _("The service is temporarily unavailable. Nothing was changed; try again in a minute.")


def outage_response(request: HttpRequest) -> HttpResponse:
    """503 without touching the database or the cache (they may be what is away)."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": detail()}, status=503)
    else:
        html = render_to_string(
            "status_page.html",
            {"title": _("The service is temporarily unavailable"), "message": detail()},
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    """First in MIDDLEWARE. ``/healthz`` is answered here, before the tenant lookup needs the
    database, so that it reports each dependency even when the database is away; a view that
    fails because PostgreSQL or Redis is unreachable answers 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            from config.views import healthz

            return healthz(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_outage(exception):
            return None
        logger.warning(
            "dependency unavailable: %s.%s",
            type(exception).__module__,
            type(exception).__qualname__,
        )
        return outage_response(request)
