from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.base import INSTITUTION_MANAGERS, INSTITUTION_STAFF, TenantModelViewSet
from schools.programmes import selectors, services
from schools.programmes.models import MentoringForm, Programme


class ProgrammeOutput(serializers.ModelSerializer[Programme]):
    class Meta:
        model = Programme
        fields = [
            "id",
            "academic_year",
            "title",
            "forms",
            "goals",
            "planned_results",
            "status",
            "created_at",
            "updated_at",
        ]


class ProgrammeInput(serializers.Serializer[Any]):
    academic_year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=300)
    forms = serializers.ListField(
        child=serializers.ChoiceField(choices=MentoringForm.choices), required=False
    )
    goals = serializers.CharField(required=False, allow_blank=True)
    planned_results = serializers.CharField(required=False, allow_blank=True)


class ProgrammeViewSet(TenantModelViewSet):
    """The institution's mentoring programmes, one per academic year."""

    read_roles = INSTITUTION_STAFF
    write_roles = INSTITUTION_MANAGERS
    serializer_class = ProgrammeOutput
    filterset_fields = ["academic_year", "status"]
    ordering_fields = ["academic_year", "created_at"]

    def scoped_queryset(self) -> QuerySet[Programme]:
        return selectors.programme_list()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action in ("create", "partial_update", "update"):
            return ProgrammeInput
        return ProgrammeOutput

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ProgrammeInput(data=request.data)
        data.is_valid(raise_exception=True)
        programme = services.programme_create(**data.validated_data)
        return Response(ProgrammeOutput(programme).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programme = self.get_object()
        data = ProgrammeInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        programme = services.programme_update(programme=programme, **data.validated_data)
        return Response(ProgrammeOutput(programme).data)
