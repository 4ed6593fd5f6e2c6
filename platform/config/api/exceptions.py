"""One error shape for the whole API: ``{"detail": str, "errors": {field: [messages]}}``.

``errors`` is present for validation errors only. Django ``ValidationError`` raised by services
becomes a 400 like a serializer error, so views need no try/except around service calls."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger("config.api")


def server_error_detail() -> str:
    return _("Server error. The request was not carried out; try again later.")


def _log_unexpected(exc: Exception, context: dict[str, Any]) -> None:
    """The failure's type and where it happened, without its message: messages of database
    and library errors quote the values (a person's name) and would carry them into logs."""
    view = context.get("view")
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error(
        "API error %s.%s in %s\n%s",
        type(exc).__module__,
        type(exc).__qualname__,
        type(view).__name__ if view is not None else "?",
        frames,
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        if settings.DEBUG:
            return None  # the debug page
        # Anything unexpected: the JSON error shape (never Django's HTML page), logged.
        set_rollback()
        from config.outage import RETRY_AFTER_SECONDS, detail, is_outage

        if is_outage(exc):  # PostgreSQL or Redis away: try again, nothing was done
            logger.warning("API: dependency unavailable (%s)", type(exc).__qualname__)
            return Response(
                {"detail": detail()}, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
        _log_unexpected(exc, context)
        return Response({"detail": server_error_detail()}, status=500)
    if isinstance(exc, exceptions.ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        response.data = {"detail": _("Invalid input."), "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": response.data["detail"]}
    else:
        response.data = {"detail": response.data}
    return response
