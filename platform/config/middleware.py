"""Request middleware of the platform core."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

from config.text import BIDI_CONTROLS, normalise_text

_NO_BIDI = str.maketrans(dict.fromkeys(BIDI_CONTROLS))


class CleanQueryStringMiddleware:
    """Query strings are text from outside too: every key and value is normalised like the
    rest of the input (``config.text``); bidirectional controls are dropped here, since a
    filter has no field to show an error next to. A NUL in a filter (``?competence=%00A``)
    therefore never reaches the database, which cannot hold it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.GET and not all(
            key.isascii() and key.isprintable() and all(v.isascii() and v.isprintable() for v in vs)
            for key, vs in request.GET.lists()
        ):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(
                    normalise_text(key).translate(_NO_BIDI),
                    [normalise_text(v).translate(_NO_BIDI) for v in values],
                )
            cleaned._mutable = False
            request.GET = cleaned  # type: ignore[assignment]
        return self.get_response(request)
