"""Publishing cases into the region's library."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django_tenants.utils import get_public_schema_name, schema_context

from regional.practices.models import PracticeCase
from tenants.models import Institution


def _source_key(institution_id: int | None, title: str, published_at: str) -> str:
    raw = f"{institution_id}\x1f{title}\x1f{published_at}"
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def practice_case_publish(
    *,
    institution_id: int | None,
    title: str,
    text: str,
    form: str = "",
    published_at: datetime.datetime | str | None = None,
) -> tuple[PracticeCase, bool]:
    """Add an (already anonymised) case to the library once; a second call with the same
    institution, title and publication time returns the existing case. Callable from a tenant
    task: it writes to the public schema."""
    with schema_context(get_public_schema_name()):
        when = parse_datetime(published_at) if isinstance(published_at, str) else published_at
        if when is None:
            from django.utils import timezone

            when = timezone.now()
        institution = (
            Institution.objects.filter(pk=institution_id).first() if institution_id else None
        )
        key = _source_key(institution_id, title, when.isoformat())
        return PracticeCase.objects.get_or_create(
            source_key=key,
            defaults={
                "title": title[:300],
                "text": text,
                "form": form,
                "institution": institution,
                "municipality_id": institution.municipality_id if institution else None,
                "published_at": when,
            },
        )


def practice_cases_collect(*, institution_id: int, stories: list[dict[str, Any]]) -> int:
    """Publish the stories an institution's pairs app reports (see ``tasks``); returns how many
    were new."""
    created = 0
    for story in stories:
        if not story.get("title") or not story.get("text"):
            continue
        _case, new = practice_case_publish(
            institution_id=institution_id,
            title=str(story["title"]),
            text=str(story["text"]),
            form=str(story.get("form") or ""),
            published_at=story.get("published_at"),
        )
        created += int(new)
    return created
