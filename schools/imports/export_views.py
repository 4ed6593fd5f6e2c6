"""XLSX exports of the institution's lists: ``GET /api/v1/exports/<list>/`` (also
``/api/v1/exports/<list>.xlsx`` and ``?format=xlsx``). Staff only; a curator gets the people
of the study groups it curates."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from accounts.actor import Actor
from accounts.models import Role
from config.api import renderers
from config.api.base import INSTITUTION_STAFF, TenantViewSet
from schools.imports.exports import EXPORTS, ExportList
from schools.imports.xlsx import XLSX_CONTENT_TYPE, xlsx_response

XLSXRenderer = renderers.XLSXRenderer


class ExportViewSet(TenantViewSet):
    export: ClassVar[ExportList]
    read_roles = INSTITUTION_STAFF
    write_roles = frozenset()
    renderer_classes = [JSONRenderer, XLSXRenderer]
    pagination_class = None
    filter_backends = []

    def scoped_queryset(self) -> QuerySet[Any]:
        return self.export.queryset()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        if actor.has_role({Role.CURATOR}):
            return queryset.filter(**{self.export.curator_lookup: actor.user_id})
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        export = self.export
        return xlsx_response(
            export.name, export.title, export.headers, export.rows(self.get_queryset())
        )


def _schema(title: str) -> Any:
    return extend_schema(
        summary=f"Export: {title} (XLSX)",
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="An XLSX workbook with Russian headers."
            )
        },
    )


class ParticipantExportViewSet(ExportViewSet):
    """All participants with category, group, contacts and consent state."""

    export = EXPORTS["participants"]

    @_schema("participants")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().list(request, *args, **kwargs)


class MenteeExportViewSet(ExportViewSet):
    """The mentee base: requests, needs, preferred form."""

    export = EXPORTS["mentees"]

    @_schema("mentee base")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().list(request, *args, **kwargs)


class MentorExportViewSet(ExportViewSet):
    """The mentor base: competences, experience, time resource, capacity."""

    export = EXPORTS["mentors"]

    @_schema("mentor base")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().list(request, *args, **kwargs)


class StudyGroupExportViewSet(ExportViewSet):
    """Classes and study groups with their curators."""

    export = EXPORTS["study-groups"]

    @_schema("study groups")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().list(request, *args, **kwargs)


class ConsentExportViewSet(ExportViewSet):
    """The consent register (152-FZ): every record, withdrawals included."""

    export = EXPORTS["consents"]

    @_schema("consent register")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().list(request, *args, **kwargs)


EXPORT_VIEWSETS: list[type[ExportViewSet]] = [
    ParticipantExportViewSet,
    MenteeExportViewSet,
    MentorExportViewSet,
    StudyGroupExportViewSet,
    ConsentExportViewSet,
]
