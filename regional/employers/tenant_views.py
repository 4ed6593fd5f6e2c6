"""The employer mentor catalogue and mentor requests, as an institution sees them on its own
host. The rows live in the public schema (on the tenant's search path); every query here is
limited to what the current institution may see: the catalogue of available mentors, and its
own requests only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.actor import Actor, actor_of
from accounts.models import Role
from config.api.base import INSTITUTION_STAFF, TenantViewSet
from regional.employers import access, selectors, services
from regional.employers.mentoring_forms import MENTORING_FORM_CHOICES
from regional.employers.models import LEVEL_CHOICES, EmployerMentor, MentorRequest, RequestStatus
from regional.employers.views import MunicipalityRef, PlacementOutput
from tenants.models import Institution

REQUESTERS = frozenset({Role.COORDINATOR, Role.CURATOR})


def _institution(request: Request) -> Institution:
    """The institution whose host this request came to (the tenant middleware's)."""
    tenant = getattr(request, "tenant", None)
    if not isinstance(tenant, Institution):  # pragma: no cover - a tenant host has one
        raise Http404
    return tenant


def _truthy(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.lower() not in ("0", "false", "no")


class EmployerBrief(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sector = serializers.CharField()


class CatalogueMentorOutput(serializers.ModelSerializer[EmployerMentor]):
    employer = EmployerBrief(read_only=True)
    full_name = serializers.CharField(read_only=True)
    municipalities = MunicipalityRef(many=True, read_only=True)
    capacity_free = serializers.IntegerField(read_only=True)

    class Meta:
        model = EmployerMentor
        fields = [
            "id",
            "employer",
            "full_name",
            "position",
            "bio",
            "competences",
            "forms",
            "municipalities",
            "remote",
            "capacity",
            "capacity_free",
            "available_from",
            "available_to",
        ]


CATALOGUE_PARAMETERS = [
    OpenApiParameter("competence", OpenApiTypes.STR, description="Part of a competence tag."),
    OpenApiParameter("form", OpenApiTypes.STR, enum=[c for c, _label in MENTORING_FORM_CHOICES]),
    OpenApiParameter(
        "municipality",
        OpenApiTypes.INT,
        description="Municipality to reach (default: the institution's). Remote mentors "
        "are always included.",
    ),
    OpenApiParameter(
        "free", OpenApiTypes.BOOL, description="Only mentors with free capacity (default true)."
    ),
]


class CatalogueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Employers' mentors this institution can request: active, available today, reaching
    its municipality (or another one asked for) or working remotely."""

    read_roles = INSTITUTION_STAFF
    # read-only: no write handlers exist, so staff get 405 (not 403) for writes, as for any
    # other route whose object is missing
    write_roles = INSTITUTION_STAFF
    serializer_class = CatalogueMentorOutput

    def scoped_queryset(self) -> QuerySet[EmployerMentor]:
        return selectors.employer_mentor_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        params = self.request.query_params
        municipality = params.get("municipality")
        return access.requestable_mentors_visible_to(
            actor,
            queryset,
            competence=params.get("competence") or None,
            form=params.get("form") or None,
            municipality_id=int(municipality) if municipality and municipality.isdigit() else None,
            with_free_capacity=self.action == "list" and _truthy(params.get("free"), True),
        )

    @extend_schema(parameters=CATALOGUE_PARAMETERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class InstitutionMentorRequestOutput(serializers.ModelSerializer[MentorRequest]):
    employer_mentor = CatalogueMentorOutput(read_only=True)
    placement = serializers.SerializerMethodField()
    mentor_contact_email = serializers.SerializerMethodField(
        help_text="Shown once the request is approved."
    )

    class Meta:
        model = MentorRequest
        fields = [
            "id",
            "employer_mentor",
            "form",
            "mentees_count",
            "level",
            "need_code",
            "need_name",
            "topic",
            "status",
            "requested_by_id",
            "requested_by_role",
            "decision_reason",
            "decided_at",
            "placement",
            "mentor_contact_email",
            "created_at",
        ]

    @extend_schema_field(PlacementOutput(allow_null=True))
    def get_placement(self, obj: MentorRequest) -> dict[str, Any] | None:
        placement = getattr(obj, "placement", None)
        return dict(PlacementOutput(placement).data) if placement is not None else None

    def get_mentor_contact_email(self, obj: MentorRequest) -> str:
        if obj.status == RequestStatus.APPROVED:
            return obj.employer_mentor.contact_email
        return ""


class MentorRequestInput(serializers.Serializer[Any]):
    employer_mentor = serializers.IntegerField(help_text="Id from the catalogue.")
    form = serializers.ChoiceField(choices=MENTORING_FORM_CHOICES)
    mentees_count = serializers.IntegerField(min_value=1)
    level = serializers.ChoiceField(choices=LEVEL_CHOICES, help_text="Grade or course.")
    need_code = serializers.CharField(
        max_length=50, help_text="A need from the institution's catalogue (its code)."
    )


class InstitutionMentorRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet
):
    """This institution's requests for employers' mentors (never another institution's)."""

    read_roles = INSTITUTION_STAFF
    write_roles = REQUESTERS
    serializer_class = InstitutionMentorRequestOutput
    filterset_fields = ["status", "form"]
    ordering_fields = ["created_at"]

    def scoped_queryset(self) -> QuerySet[MentorRequest]:
        return selectors.mentor_request_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.institution_requests_visible_to(actor, queryset)

    @extend_schema(request=MentorRequestInput, responses={201: InstitutionMentorRequestOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MentorRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        mentor_request = services.mentor_request_create(
            institution=_institution(request),
            employer_mentor_id=values["employer_mentor"],
            form=values["form"],
            mentees_count=values["mentees_count"],
            level=values["level"],
            need_code=values["need_code"],
            actor=actor_of(request),
        )
        output = InstitutionMentorRequestOutput(self.get_queryset().get(pk=mentor_request.pk))
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InstitutionMentorRequestOutput)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Withdraw a pending request."""
        mentor_request = services.mentor_request_cancel(
            mentor_request=self.get_object(), actor=actor_of(request)
        )
        return Response(
            InstitutionMentorRequestOutput(self.get_queryset().get(pk=mentor_request.pk)).data
        )
