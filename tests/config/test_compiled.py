"""``config.compiled.CompiledFirst``: a queryset compiled once gives what ``.first()`` gives,
with the values of each call; a value that does not reach the statement as it is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.compiled import CompiledFirst
from tenants.models import Institution


def _columns(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_the_statement_is_compiled_once_and_gives_the_orms_row(tenant_a, tenant_b) -> None:
    def by_slug(*, slug: str, name: str) -> Any:
        return Institution.objects.filter(slug=slug, name=name).order_by("-pk")

    lookup = CompiledFirst(by_slug, names=("slug", "name"))
    for tenant in (tenant_a, tenant_b, tenant_a):
        with CaptureQueriesContext(connection) as ran:
            found = lookup.first(slug=tenant.slug, name=tenant.name)
        # one statement (besides django-tenants' search path, when another test changed it)
        assert len([q for q in ran if "search_path" not in q["sql"]]) == 1
        assert _columns(found) == _columns(by_slug(slug=tenant.slug, name=tenant.name).first())
        assert isinstance(found, Institution) and not found._state.adding
    assert lookup.first(slug=tenant_a.slug, name=tenant_b.name) is None
    assert lookup.first(slug=tenant_a.slug, name=None) is None  # NULL: matches nothing
    with pytest.raises(TypeError):
        lookup.first(slug=tenant_a.slug)


def test_a_value_changed_on_its_way_to_the_statement_is_refused(db) -> None:
    contains = CompiledFirst(
        lambda *, part: Institution.objects.filter(name__icontains=part).order_by("pk"),
        names=("part",),
    )
    with pytest.raises(ValueError, match="part"):
        contains.first(part="а")
    refused: list[Callable[..., Any]] = [
        lambda *, slug: Institution.objects.filter(slug=slug).values("pk"),
        lambda *, slug: Institution.objects.filter(slug=slug).prefetch_related("domains"),
    ]
    for build in refused:
        with pytest.raises(ValueError, match="CompiledFirst"):
            CompiledFirst[Institution](build, names=("slug",)).first(slug="x")
