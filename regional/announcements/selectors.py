"""Reads of the announcements."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from regional.announcements.models import Announcement, Audience
from tenants.models import Institution


def announcement_list() -> QuerySet[Announcement]:
    return Announcement.objects.prefetch_related("municipalities", "institutions")


def audience_institutions(announcement: Announcement) -> QuerySet[Institution]:
    """The institutions an announcement is for (those with a workspace)."""
    institutions = Institution.objects.with_schema()
    if announcement.audience == Audience.MUNICIPALITIES:
        return institutions.filter(municipality_id__in=announcement.municipalities.values("pk"))
    if announcement.audience == Audience.INSTITUTIONS:
        return institutions.filter(pk__in=announcement.institutions.values("pk"))
    return institutions


def announcements_for(*, institution_id: int, municipality_id: int) -> QuerySet[Announcement]:
    """What one institution's coordinators see, newest first."""
    return Announcement.objects.filter(
        Q(audience=Audience.ALL)
        | Q(audience=Audience.MUNICIPALITIES, municipalities=municipality_id)
        | Q(audience=Audience.INSTITUTIONS, institutions=institution_id)
    ).distinct()
