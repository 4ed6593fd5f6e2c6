"""The baseline of the API benchmark: the cheapest possible Django view."""

from django.http import HttpRequest, HttpResponse


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")
