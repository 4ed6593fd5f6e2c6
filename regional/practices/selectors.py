"""Reads of the region's library of best practices (public schema)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django_tenants.utils import get_public_schema_name, schema_context

from regional.practices.models import PracticeCase


def case_list(
    *, query: str = "", form: str = "", municipality_id: int | None = None
) -> QuerySet[PracticeCase]:
    """Published cases, newest first; ``query`` is looked for in the title and the text."""
    queryset = PracticeCase.objects.select_related("municipality", "institution")
    if query.strip():
        words = query.split()
        for word in words[:10]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(text__icontains=word))
    if form:
        queryset = queryset.filter(form=form)
    if municipality_id is not None:
        queryset = queryset.filter(municipality_id=municipality_id)
    return queryset.order_by("-published_at", "-pk")


def case_page(
    *,
    query: str = "",
    form: str = "",
    municipality_id: int | None = None,
    limit: int = 50,
) -> list[dict[str, object]]:
    """The same cases as plain values, read in the public schema (callable from an
    institution's request): no institution name, only the municipality, so that one
    institution's page shows another's case without naming it; ``institution_id`` lets the
    caller recognise its own cases."""
    with schema_context(get_public_schema_name()):
        return [
            {
                "id": case.pk,
                "title": case.title,
                "text": case.text,
                "form": case.form,
                "municipality": case.municipality.name if case.municipality else "",
                "institution_id": case.institution_id,
                "published_at": case.published_at,
            }
            for case in case_list(query=query, form=form, municipality_id=municipality_id)[:limit]
        ]
