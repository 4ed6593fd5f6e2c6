"""Programmes API: programmes, their stage tracker, the roadmap. Thin views over services."""

from __future__ import annotations

import os
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.actor import actor_of
from accounts.models import Role
from config.api.base import INSTITUTION_MANAGERS, INSTITUTION_STAFF, TenantModelViewSet
from schools.programmes import selectors, services
from schools.programmes.models import Programme, RoadmapActivity
from schools.programmes.serializers import (
    ProgrammeCreateInput,
    ProgrammeInput,
    ProgrammeOutput,
    ProgrammeRows,
    RoadmapActivityInput,
    RoadmapActivityOutput,
    RoadmapActivityUpdateInput,
    StageMarkInput,
    StageOutput,
    activity_service_kwargs,
    programme_service_kwargs,
)
from schools.programmes.stages import stage_reports


class ProgrammeViewSet(TenantModelViewSet):
    """The institution's mentoring programmes, one per academic year, with the stage tracker."""

    read_roles = INSTITUTION_STAFF
    write_roles = INSTITUTION_MANAGERS
    action_roles = {"stage_mark": INSTITUTION_MANAGERS}
    serializer_class = ProgrammeOutput
    list_rows = ProgrammeRows()
    filterset_fields = ["academic_year", "status"]
    ordering_fields = ["academic_year", "created_at"]

    def scoped_queryset(self) -> QuerySet[Programme]:
        return selectors.programme_rows()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return ProgrammeCreateInput
        if self.action in ("partial_update", "update"):
            return ProgrammeInput
        if self.action == "stage_mark":
            return StageMarkInput
        return ProgrammeOutput

    @extend_schema(request=ProgrammeCreateInput, responses={201: ProgrammeOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ProgrammeCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        programme = services.programme_create(
            actor=actor_of(request), **programme_service_kwargs(data.validated_data)
        )
        return Response(ProgrammeOutput(programme).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProgrammeInput, responses=ProgrammeOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programme = self.get_object()
        data = ProgrammeInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        programme = services.programme_update(
            programme=programme,
            actor=actor_of(request),
            **programme_service_kwargs(data.validated_data),
        )
        return Response(ProgrammeOutput(programme).data)

    @extend_schema(responses=StageOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def stages(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """The six stages: state and what is still missing to finish each."""
        programme = self.get_object()
        return Response(StageOutput(stage_reports(programme=programme), many=True).data)

    @extend_schema(
        request=StageMarkInput,
        responses=StageOutput,
        parameters=[OpenApiParameter("stage", int, OpenApiParameter.PATH, description="1–6")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"stages/(?P<stage>\d+)",
        url_name="stage-mark",
        filter_backends=[],
    )
    def stage_mark(
        self, request: Request, pk: str | None = None, stage: str = "", **kwargs: Any
    ) -> Response:
        """Mark a stage done (refused with the missing items unless nothing is missing) or back
        in progress."""
        programme = self.get_object()
        data = StageMarkInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.programme_stage_mark(
            programme=programme,
            stage=int(stage),
            state=data.validated_data["state"],
            actor=actor_of(request),
        )
        report = next(r for r in stage_reports(programme=programme) if r.stage == int(stage))
        return Response(StageOutput(report).data)


class RoadmapActivityFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(
        field_name="is_overdue", label="Deadline passed, neither done nor cancelled"
    )
    responsible = django_filters.NumberFilter(
        field_name="responsible_people", label="A responsible person's user id"
    )

    class Meta:
        model = RoadmapActivity
        fields = ["programme", "stage", "status"]


class RoadmapActivityViewSet(mixins.DestroyModelMixin, TenantModelViewSet):
    """Roadmap activities of the institution's programmes (filter by ``programme``).

    The coordinator changes everything; a curator may change the status of the activities it
    is responsible for; director and deputies read."""

    read_roles = INSTITUTION_STAFF
    write_roles = frozenset({Role.COORDINATOR, Role.CURATOR})
    action_roles = {
        "create": INSTITUTION_MANAGERS,
        "destroy": INSTITUTION_MANAGERS,
    }
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = RoadmapActivityOutput
    filterset_class = RoadmapActivityFilter
    ordering_fields = ["deadline", "stage", "position", "status"]
    search_fields = ["title", "content"]

    def scoped_queryset(self) -> QuerySet[RoadmapActivity]:
        return selectors.roadmap_activity_list(today=timezone.localdate())

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return RoadmapActivityInput
        if self.action in ("partial_update", "update"):
            return RoadmapActivityUpdateInput
        return RoadmapActivityOutput

    def _output(self, activity: RoadmapActivity) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=activity.pk)  # with its annotations
        return RoadmapActivityOutput(fresh, context=self.get_serializer_context()).data

    @extend_schema(request=RoadmapActivityInput, responses={201: RoadmapActivityOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = RoadmapActivityInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = activity_service_kwargs(data.validated_data)
        programme = selectors.programme_list().filter(pk=values.pop("programme")).first()
        if programme is None:
            raise ValidationError({"programme": [_("No such programme.")]})
        activity = services.roadmap_activity_create(
            programme=programme, actor=actor_of(request), **values
        )
        return Response(self._output(activity), status=status.HTTP_201_CREATED)

    @extend_schema(request=RoadmapActivityUpdateInput, responses=RoadmapActivityOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activity = self.get_object()
        data = RoadmapActivityUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        activity = services.roadmap_activity_update(
            activity=activity,
            actor=actor_of(request),
            **activity_service_kwargs(data.validated_data),
        )
        return Response(self._output(activity))

    def perform_destroy(self, instance: RoadmapActivity) -> None:
        services.roadmap_activity_delete(activity=instance, actor=actor_of(self.request))

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], filter_backends=[])
    def document(self, request: Request, pk: str | None = None, **kwargs: Any) -> FileResponse:
        """Download the attached document."""
        activity = self.get_object()
        if not activity.document:
            raise Http404
        return FileResponse(
            activity.document.open("rb"),
            as_attachment=True,
            filename=os.path.basename(activity.document.name),
        )
