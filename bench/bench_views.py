"""The baselines of the benchmarks: the cheapest possible Django view, and the shared cost of
a signed-in page (the layout alone)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def layout(request: HttpRequest) -> HttpResponse:
    """``base.html`` with its blocks empty, for the signed-in user: what every page pays
    before its own content (the middleware with the session and the user, the context
    processors, the menu, the layout's template)."""
    if not request.user.is_authenticated:
        return HttpResponse(b"anonymous", content_type="text/plain", status=403)
    return render(request, "base.html")
