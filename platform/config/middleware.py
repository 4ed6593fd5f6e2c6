"""Request middleware of the platform core."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


class UploadLimitMiddleware:
    """Before the CSRF check (which would read the form): a page request whose body passes
    ``UPLOAD_MAX_BYTES`` (``config.uploads``) gets a 413 page, the body unread beyond the limit
    and nothing done. API views parse their own bodies (an import refuses with 413)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method != "POST" or request.path.startswith("/api/"):
            return None
        if not (request.content_type or "").startswith("multipart/"):
            return None
        request.POST  # noqa: B018 - parse now, through the upload handlers
        if not getattr(request, "upload_too_large", False):
            return None
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        from config.uploads import upload_max_bytes

        message = _(
            "The file is larger than %(limit)s MB. Choose a smaller file or split it into parts."
        ) % {"limit": upload_max_bytes() // (1024 * 1024)}
        return render(
            request,
            "status_page.html",
            {"title": _("The file is too large"), "message": message},
            status=413,
        )
