"""``config.api.filters.FilterBackend`` builds no filterset for a request without a query
string. That is only right while every filterset of the API, given no data, is valid and
leaves the queryset as it was: this walks every API view of both URLconfs and checks it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.api.filters import FilterBackend


def _views(resolver: URLResolver) -> Iterator[type[Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry)
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "cls", None)
            if view is not None:
                yield view


def _filtered_views() -> list[type[Any]]:
    found: dict[str, type[Any]] = {}
    for urlconf in ("config.urls_tenant", "config.urls_public"):
        for view in _views(get_resolver(urlconf)):
            backends = getattr(view, "filter_backends", ())
            if any(issubclass(b, FilterBackend) for b in backends) and (
                getattr(view, "filterset_class", None) or getattr(view, "filterset_fields", None)
            ):
                found[f"{view.__module__}.{view.__qualname__}"] = view
    return [found[name] for name in sorted(found)]


def test_the_api_uses_the_backend() -> None:
    assert len(_filtered_views()) > 20


@pytest.mark.parametrize("view", _filtered_views(), ids=lambda v: v.__qualname__)
def test_a_filterset_given_no_data_filters_nothing(view: type[Any], db: None) -> None:
    model = _model_of(view)
    queryset = model._default_manager.all()
    request = Request(APIRequestFactory().get("/"))
    filterset_class = FilterBackend().get_filterset_class(view(), queryset)
    assert filterset_class is not None
    filterset = filterset_class(data=request.query_params, queryset=queryset, request=request)
    assert filterset.is_valid(), filterset.errors
    assert str(filterset.qs.query) == str(queryset.query)


def _model_of(view: type[Any]) -> Any:
    """The model of the view's rows (its queryset is lazy: nothing is read)."""
    instance = view(request=Request(APIRequestFactory().get("/")), kwargs={}, action="list")
    instance.format_kwarg = None
    return instance.scoped_queryset().model
