"""The best practices library on the regional host: regional staff and administrators browse
it (read-only; cases arrive from institutions)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, serializers

from config.api.base import REGIONAL, PublicViewSet
from regional.practices.models import PracticeCase


class RegionalPracticeCaseOutput(serializers.ModelSerializer[PracticeCase]):
    municipality_name = serializers.CharField(
        source="municipality.name", read_only=True, default=None
    )
    institution_name = serializers.CharField(
        source="institution.short_name", read_only=True, default=None
    )

    class Meta:
        model = PracticeCase
        fields = [
            "id",
            "title",
            "text",
            "form",
            "municipality",
            "municipality_name",
            "institution",
            "institution_name",
            "published_at",
        ]


class PracticeCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PublicViewSet):
    """Published cases region-wide; filter by ``form`` or ``municipality``, search the text."""

    read_roles = REGIONAL
    serializer_class = RegionalPracticeCaseOutput
    filterset_fields = ["form", "municipality", "institution"]
    search_fields = ["title", "text"]
    ordering_fields = ["published_at"]

    def scoped_queryset(self) -> QuerySet[PracticeCase]:
        return PracticeCase.objects.select_related("municipality", "institution")
