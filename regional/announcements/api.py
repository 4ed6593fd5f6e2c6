"""Public interface of the announcements for the institutions' pages (plain data)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django_tenants.utils import get_public_schema_name, schema_context

from regional.announcements.selectors import announcements_for


@dataclass(frozen=True)
class AnnouncementItem:
    id: int
    title: str
    body: str
    created_at: datetime.datetime


def institution_announcements(
    *, institution_id: int, municipality_id: int, limit: int = 50
) -> list[AnnouncementItem]:
    """The announcements one institution receives, newest first."""
    with schema_context(get_public_schema_name()):
        rows = announcements_for(institution_id=institution_id, municipality_id=municipality_id)
        return [
            AnnouncementItem(id=a.pk, title=a.title, body=a.body, created_at=a.created_at)
            for a in rows.order_by("-created_at", "-pk")[:limit]
        ]


__all__ = ["AnnouncementItem", "institution_announcements"]
