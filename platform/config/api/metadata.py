"""OPTIONS answers for every API view, including actions without a serializer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.metadata import SimpleMetadata

if TYPE_CHECKING:  # rest_framework.views imports this module through its settings
    from rest_framework.request import Request
    from rest_framework.views import APIView


class SafeMetadata(SimpleMetadata):
    """DRF's metadata describes the serializer of POST/PUT; an action without one (``POST
    calendar-links/revoke/``) made OPTIONS fail with a 500. Such a view is described without
    ``actions``."""

    def determine_actions(self, request: Request, view: APIView) -> dict[str, Any]:
        try:
            return super().determine_actions(request, view)
        except (AssertionError, AttributeError, NotImplementedError, TypeError):
            return {}
