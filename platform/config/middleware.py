"""Request middleware of the platform core."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any, ClassVar

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
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


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware with the policy of a plain response built once per process:
    building it (a deep copy of the settings' directives, then the header's text) cost about
    0.2 ms CPU on every response (issue #17 item 2). A response that changes its policy (the
    ``csp_*`` decorators) or a request that used a nonce gets django-csp's own answer; the
    plain one is the same text, under the same conditions (exempt, excluded prefixes, a header
    already set), and a later ``request.csp_nonce`` fails as there."""

    _plain: ClassVar[dict[str, tuple[str, str]]] = {}
    _PARTS: ClassVar[tuple[str, ...]] = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
    )

    def process_response(self, request: HttpRequest, response: Any) -> Any:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in self._PARTS
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        policy_ro = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or {}
        key = repr((policy, policy_ro))
        headers = self._plain.get(key)
        if headers is None:
            headers = (
                build_policy(**asdict(self.get_policy_parts(request=request, response=response))),
                build_policy(
                    **asdict(
                        self.get_policy_parts(request=request, response=response, report_only=True)
                    ),
                    report_only=True,
                ),
            )
            self._plain[key] = headers
        for value, header, exempt, settings_of in (
            (headers[0], HEADER, "_csp_exempt", policy),
            (headers[1], HEADER_REPORT_ONLY, "_csp_exempt_ro", policy_ro),
        ):
            if not value or getattr(response, exempt, False) is not False or header in response:
                continue
            prefixes = tuple(settings_of.get("EXCLUDE_URL_PREFIXES", None) or ())
            if not request.path_info.startswith(prefixes):
                response[header] = value
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
