"""Regional API for institutions, municipalities and onboarding applications (public schema)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts.actor import actor_of
from config.api.base import REGIONAL, REGIONAL_ADMIN, PublicViewSet
from tenants import selectors, services
from tenants.models import (
    Institution,
    InstitutionKind,
    InstitutionStatus,
    Municipality,
    OnboardingApplication,
)

if TYPE_CHECKING:
    from rest_framework.permissions import _SupportsHasPermission


class MunicipalitySerializer(serializers.ModelSerializer[Municipality]):
    class Meta:
        model = Municipality
        fields = ["id", "name", "okato"]


class InstitutionOutput(serializers.ModelSerializer[Institution]):
    host = serializers.CharField(read_only=True)
    municipality = MunicipalitySerializer(read_only=True)

    class Meta:
        model = Institution
        fields = [
            "id",
            "slug",
            "schema_name",
            "host",
            "name",
            "short_name",
            "kind",
            "municipality",
            "inn",
            "status",
            "status_reason",
            "provisioning_attempts",
            "provisioning_error",
            "provisioned_at",
            "created_at",
            "updated_at",
        ]


class InstitutionInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=500)
    short_name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=InstitutionKind.choices)
    municipality = serializers.IntegerField(help_text="Municipality id.")
    slug = serializers.CharField(max_length=40, help_text="Host name: <slug>.<base domain>.")
    inn = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    coordinator_email = serializers.EmailField()
    coordinator_name = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class StatusChangeInput(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class InstitutionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PublicViewSet):
    """Institutions of the region: create (provisioned in the background), watch the
    provisioning status, suspend, archive, re-activate, retry a failed provisioning."""

    read_roles = REGIONAL
    write_roles = REGIONAL_ADMIN
    serializer_class = InstitutionOutput
    filterset_fields = ["status", "kind", "municipality"]
    search_fields = ["name", "short_name", "slug", "inn"]
    ordering_fields = ["short_name", "created_at"]

    def scoped_queryset(self) -> QuerySet[Institution]:
        return selectors.institution_list()

    @extend_schema(request=InstitutionInput, responses={201: InstitutionOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = InstitutionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["municipality_id"] = values.pop("municipality")
        institution = services.institution_create(**values, actor=actor_of(request))
        return Response(InstitutionOutput(institution).data, status=status.HTTP_201_CREATED)

    def _set_status(self, request: Request, new_status: str) -> Response:
        data = StatusChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        institution = services.institution_set_status(
            institution=self.get_object(),
            status=new_status,
            reason=data.validated_data["reason"],
            actor=actor_of(request),
        )
        return Response(InstitutionOutput(institution).data)

    @extend_schema(request=StatusChangeInput, responses=InstitutionOutput)
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._set_status(request, InstitutionStatus.SUSPENDED)

    @extend_schema(request=StatusChangeInput, responses=InstitutionOutput)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._set_status(request, InstitutionStatus.ARCHIVED)

    @extend_schema(request=StatusChangeInput, responses=InstitutionOutput)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._set_status(request, InstitutionStatus.ACTIVE)

    @extend_schema(request=None, responses=InstitutionOutput)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        institution = services.institution_retry_provisioning(
            institution=self.get_object(), actor=actor_of(request)
        )
        return Response(InstitutionOutput(institution).data, status=status.HTTP_202_ACCEPTED)


class MunicipalityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PublicViewSet):
    """Municipalities of the region (anyone may list them: the onboarding form needs them)."""

    read_roles = REGIONAL
    write_roles = REGIONAL_ADMIN
    serializer_class = MunicipalitySerializer
    permission_classes = [AllowAny]
    pagination_class = None

    def scoped_queryset(self) -> QuerySet[Municipality]:
        return selectors.municipality_list()


class ApplicationOutput(serializers.ModelSerializer[OnboardingApplication]):
    municipality = MunicipalitySerializer(read_only=True)

    class Meta:
        model = OnboardingApplication
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "municipality",
            "inn",
            "desired_slug",
            "applicant_name",
            "applicant_email",
            "applicant_phone",
            "status",
            "rejection_reason",
            "institution",
            "decided_at",
            "created_at",
        ]


class ApplicationInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=500)
    short_name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=InstitutionKind.choices)
    municipality = serializers.IntegerField()
    desired_slug = serializers.CharField(max_length=40)
    inn = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    applicant_name = serializers.CharField(max_length=300)
    applicant_email = serializers.EmailField()
    applicant_phone = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )


class ApplicationSubmitted(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()


class ApproveInput(serializers.Serializer[Any]):
    slug = serializers.CharField(
        max_length=40, required=False, help_text="Overrides the desired address."
    )


class RejectInput(serializers.Serializer[Any]):
    reason = serializers.CharField()


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PublicViewSet):
    """Applications of schools to join. Anyone may submit one; regional staff decide."""

    read_roles = REGIONAL
    write_roles = REGIONAL
    serializer_class = ApplicationOutput
    filterset_fields = ["status"]

    def get_permissions(self) -> Sequence[_SupportsHasPermission]:
        if self.action == "create":
            return [AllowAny()]
        return super().get_permissions()

    def get_throttles(self) -> list[Any]:
        if self.action == "create":
            self.throttle_scope = "onboarding"
            return [ScopedRateThrottle()]
        return super().get_throttles()

    def scoped_queryset(self) -> QuerySet[OnboardingApplication]:
        return selectors.application_list()

    @extend_schema(request=ApplicationInput, responses={201: ApplicationSubmitted})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ApplicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["municipality_id"] = values.pop("municipality")
        application = services.application_submit(**values)
        return Response(
            {"id": application.pk, "status": application.status}, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=ApproveInput, responses=ApplicationOutput)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_approve(
            application=self.get_object(),
            slug=data.validated_data.get("slug"),
            actor=actor_of(request),
        )
        return Response(ApplicationOutput(application).data)

    @extend_schema(request=RejectInput, responses=ApplicationOutput)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_reject(
            application=self.get_object(),
            reason=data.validated_data["reason"],
            actor=actor_of(request),
        )
        return Response(ApplicationOutput(application).data)
