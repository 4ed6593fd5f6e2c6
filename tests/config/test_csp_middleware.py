"""The Content-Security-Policy of a plain response, built once per process
(``config.middleware.CSPMiddleware``), is django-csp's own, header for header; a response that
changes its policy or a request that used a nonce gets django-csp's answer."""

from __future__ import annotations

from typing import Any

import pytest
from csp.decorators import csp_replace
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from config.middleware import CSPMiddleware


def _headers(middleware_class: type, response: Any, *, nonce: bool = False) -> Any:
    middleware = middleware_class(lambda request: response)
    request: Any = RequestFactory().get("/pairs/")
    middleware.process_request(request)
    if nonce:
        str(request.csp_nonce)
    answer = middleware.process_response(request, response)
    return (
        answer.get("Content-Security-Policy"),
        answer.get("Content-Security-Policy-Report-Only"),
        request,
    )


def test_a_plain_response_gets_django_csp_s_policy() -> None:
    for _ in range(2):  # built, then the process's copy
        ours = _headers(CSPMiddleware, HttpResponse("ok"))
        theirs = _headers(DjangoCSPMiddleware, HttpResponse("ok"))
        assert ours[0] and ours[:2] == theirs[:2]
        with pytest.raises(CSPNonceError):  # a nonce asked for after the header is written
            str(ours[2].csp_nonce)


def test_a_request_that_used_a_nonce_gets_django_csp_s_answer() -> None:
    ours = _headers(CSPMiddleware, HttpResponse("ok"), nonce=True)
    theirs = _headers(DjangoCSPMiddleware, HttpResponse("ok"), nonce=True)
    assert ours[0] and ours[:2] == theirs[:2]
    str(ours[2].csp_nonce)  # still the request's own after the response


def test_a_response_that_changes_its_policy_keeps_it(settings: Any) -> None:
    view = csp_replace({"frame-ancestors": ["*"]})(lambda request: HttpResponse("ok"))
    response = view(RequestFactory().get("/"))
    policy = _headers(CSPMiddleware, response)[0]
    assert "frame-ancestors *" in policy
    plain = _headers(CSPMiddleware, HttpResponse("ok"))[0]
    assert "frame-ancestors 'none'" in plain


def test_an_exempt_response_or_one_with_its_header_is_left_alone() -> None:
    exempt = HttpResponse("ok")
    exempt._csp_exempt = True  # type: ignore[attr-defined]
    assert _headers(CSPMiddleware, exempt)[0] is None
    own = HttpResponse("ok")
    own["Content-Security-Policy"] = "default-src 'self'"
    assert _headers(CSPMiddleware, own)[0] == "default-src 'self'"
