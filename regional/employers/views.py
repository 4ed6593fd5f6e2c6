"""Regional API (public schema): employers, their mentors, requests, placements, the board.

Regional staff see and manage everything; a user with the employer role sees only the
employers they belong to, their mentors, the requests for those mentors and their placements
(institution and number of mentees, never a mentee's personal data)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import roles
from accounts.actor import Actor, actor_of
from accounts.models import User
from config.api.base import PublicViewSet
from config.api.schema import single_object_schema
from regional.employers import access, selectors, services
from regional.employers.mentoring_forms import MENTORING_FORM_CHOICES
from regional.employers.models import (
    Employer,
    EmployerMentor,
    MentorRequest,
    MentorStatus,
    Placement,
)

REGIONAL = roles.REGIONAL
EMPLOYER = roles.EMPLOYER
REGIONAL_OR_EMPLOYER = roles.REGIONAL_OR_EMPLOYER


class CapacityConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Capacity exhausted.")
    default_code = "capacity_exhausted"


# --- employers ---------------------------------------------------------------------------


class EmployerOutput(serializers.ModelSerializer[Employer]):
    mentors_count = serializers.IntegerField(read_only=True)
    active_placements_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Employer
        fields = [
            "id",
            "name",
            "inn",
            "sector",
            "contact_email",
            "contact_phone",
            "mentors_count",
            "active_placements_count",
            "created_at",
        ]


class EmployerInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=500)
    inn = serializers.CharField(max_length=12)
    sector = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class MemberInput(serializers.Serializer[Any]):
    user = serializers.IntegerField(help_text="Id of a regional-host user with the employer role.")


class EmployerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PublicViewSet):
    """Employers offering mentors. Regional staff manage them; an employer's user sees only
    their own employer."""

    read_roles = REGIONAL_OR_EMPLOYER
    write_roles = REGIONAL
    serializer_class = EmployerOutput
    search_fields = ["name", "inn"]
    ordering_fields = ["name", "created_at"]

    def scoped_queryset(self) -> QuerySet[Employer]:
        return selectors.employer_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.employers_visible_to(actor, queryset)

    def _output(self, employer: Employer) -> dict[str, Any]:
        return dict(EmployerOutput(self.get_queryset().get(pk=employer.pk)).data)

    @extend_schema(request=EmployerInput, responses={201: EmployerOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = EmployerInput(data=request.data)
        data.is_valid(raise_exception=True)
        employer = services.employer_create(**data.validated_data, actor=actor_of(request))
        return Response(self._output(employer), status=status.HTTP_201_CREATED)

    @extend_schema(request=EmployerInput(partial=True), responses=EmployerOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        employer = self.get_object()
        data = EmployerInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        employer = services.employer_update(
            employer=employer, actor=actor_of(request), **data.validated_data
        )
        return Response(self._output(employer))

    @extend_schema(request=MemberInput, responses=EmployerOutput)
    @action(detail=True, methods=["post"])
    def members(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Give a user with the employer role access to this employer."""
        employer = self.get_object()
        data = MemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(pk=data.validated_data["user"]).first()
        if user is None:
            raise exceptions.ValidationError({"user": [_("Unknown user.")]})
        services.employer_member_add(employer=employer, user=user, actor=actor_of(request))
        return Response(self._output(employer))


# --- mentors -----------------------------------------------------------------------------


class MunicipalityRef(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EmployerRef(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EmployerMentorOutput(serializers.ModelSerializer[EmployerMentor]):
    employer = EmployerRef(read_only=True)
    full_name = serializers.CharField(read_only=True)
    municipalities = MunicipalityRef(many=True, read_only=True)
    capacity_free = serializers.IntegerField(read_only=True)

    class Meta:
        model = EmployerMentor
        fields = [
            "id",
            "employer",
            "last_name",
            "first_name",
            "middle_name",
            "full_name",
            "position",
            "bio",
            "competences",
            "forms",
            "municipalities",
            "remote",
            "capacity",
            "capacity_used",
            "capacity_free",
            "status",
            "available_from",
            "available_to",
            "contact_email",
            "created_at",
            "updated_at",
        ]


class EmployerMentorInput(serializers.Serializer[Any]):
    employer = serializers.IntegerField(help_text="Employer id (one of yours for employers).")
    last_name = serializers.CharField(max_length=150)
    first_name = serializers.CharField(max_length=150)
    middle_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    position = serializers.CharField(max_length=300)
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    competences = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    forms = serializers.ListField(
        child=serializers.ChoiceField(choices=MENTORING_FORM_CHOICES), allow_empty=False
    )
    municipalities = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False
    )
    remote = serializers.BooleanField(required=False)
    capacity = serializers.IntegerField(min_value=1, max_value=1000)  # within the column
    status = serializers.ChoiceField(choices=MentorStatus.choices, required=False)
    available_from = serializers.DateField(required=False, allow_null=True)
    available_to = serializers.DateField(required=False, allow_null=True)
    contact_email = serializers.EmailField()


class EmployerMentorUpdateInput(EmployerMentorInput):
    employer = None  # type: ignore[assignment]  # a mentor never moves to another employer


class EmployerMentorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PublicViewSet):
    """Mentors offered by employers: the specialist's profile, where they can work, their
    capacity in mentees across the region and how much of it placements hold."""

    read_roles = REGIONAL_OR_EMPLOYER
    write_roles = REGIONAL_OR_EMPLOYER
    serializer_class = EmployerMentorOutput
    filterset_fields = ["employer", "status", "remote"]
    search_fields = ["last_name", "first_name", "position"]
    ordering_fields = ["last_name", "created_at", "capacity"]

    def scoped_queryset(self) -> QuerySet[EmployerMentor]:
        return selectors.employer_mentor_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.employer_mentors_visible_to(actor, queryset)

    @extend_schema(request=EmployerMentorInput, responses={201: EmployerMentorOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = EmployerMentorInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        employers = access.employers_visible_to(actor_of(request))
        employer = employers.filter(pk=values.pop("employer")).first()
        if employer is None:
            raise exceptions.ValidationError({"employer": [_("Unknown employer.")]})
        mentor = services.employer_mentor_create(
            employer=employer, actor=actor_of(request), **values
        )
        return Response(EmployerMentorOutput(mentor).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EmployerMentorUpdateInput(partial=True), responses=EmployerMentorOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        mentor = self.get_object()
        data = EmployerMentorUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        mentor = services.employer_mentor_update(
            mentor=mentor, actor=actor_of(request), **data.validated_data
        )
        return Response(EmployerMentorOutput(mentor).data)


# --- requests and placements ----------------------------------------------------------------


class InstitutionRef(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    short_name = serializers.CharField()
    municipality = serializers.IntegerField(source="municipality_id")


class MentorRef(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    employer = serializers.IntegerField(source="employer_id")


class PlacementOutput(serializers.ModelSerializer[Placement]):
    institution = InstitutionRef(read_only=True)
    employer_mentor = MentorRef(read_only=True)
    request = serializers.IntegerField(source="request_id", read_only=True)
    form = serializers.CharField(source="request.form", read_only=True)

    class Meta:
        model = Placement
        fields = [
            "id",
            "request",
            "employer_mentor",
            "institution",
            "form",
            "mentees_count",
            "status",
            "started_on",
            "ended_on",
            "tenant_account_created_at",
            "created_at",
        ]


class MentorRequestOutput(serializers.ModelSerializer[MentorRequest]):
    institution = InstitutionRef(read_only=True)
    employer_mentor = MentorRef(read_only=True)
    placement = serializers.SerializerMethodField()

    class Meta:
        model = MentorRequest
        fields = [
            "id",
            "institution",
            "employer_mentor",
            "form",
            "mentees_count",
            "level",
            "need_name",
            "topic",
            "status",
            "requested_by_role",
            "decision_reason",
            "decided_at",
            "placement",
            "created_at",
        ]

    def get_placement(self, obj: MentorRequest) -> int | None:
        placement = getattr(obj, "placement", None)
        return placement.pk if placement is not None else None


class DecisionInput(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MentorRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PublicViewSet):
    """Institutions' requests for employers' mentors. The employer (for its own mentors) or
    regional staff approve (a placement then holds the mentor's capacity) or reject them."""

    read_roles = REGIONAL_OR_EMPLOYER
    write_roles = REGIONAL_OR_EMPLOYER
    serializer_class = MentorRequestOutput
    filterset_fields = ["status", "employer_mentor", "institution", "form"]
    ordering_fields = ["created_at"]

    def scoped_queryset(self) -> QuerySet[MentorRequest]:
        return selectors.mentor_request_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.mentor_requests_visible_to(actor, queryset)

    @extend_schema(
        request=None,
        responses={201: PlacementOutput, 400: None, 409: None},
        description="Hold the mentor's capacity and open a placement. 409 when the mentor has "
        "no room left for the requested number of mentees (nothing changes then).",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        mentor_request = self.get_object()
        try:
            placement = services.mentor_request_approve(
                mentor_request=mentor_request, actor=actor_of(request)
            )
        except services.CapacityExhausted as exc:
            raise CapacityConflict(detail=str(exc)) from exc
        placement = selectors.placement_list().get(pk=placement.pk)
        return Response(PlacementOutput(placement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionInput, responses=MentorRequestOutput)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        mentor_request = self.get_object()
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.mentor_request_reject(
            mentor_request=mentor_request,
            actor=actor_of(request),
            reason=data.validated_data["reason"],
        )
        return Response(MentorRequestOutput(self.get_queryset().get(pk=mentor_request.pk)).data)


class PlacementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PublicViewSet):
    """Placements of employers' mentors at institutions: which institution, how many mentees,
    since when. Ending or cancelling one gives its places back to the mentor."""

    read_roles = REGIONAL_OR_EMPLOYER
    write_roles = REGIONAL_OR_EMPLOYER
    serializer_class = PlacementOutput
    filterset_fields = ["status", "employer_mentor", "institution"]
    ordering_fields = ["started_on", "created_at"]

    def scoped_queryset(self) -> QuerySet[Placement]:
        return selectors.placement_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.placements_visible_to(actor, queryset)

    @extend_schema(request=None, responses=PlacementOutput)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        placement = services.placement_end(placement=self.get_object(), actor=actor_of(request))
        return Response(PlacementOutput(self.get_queryset().get(pk=placement.pk)).data)

    @extend_schema(request=None, responses=PlacementOutput)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        placement = services.placement_cancel(placement=self.get_object(), actor=actor_of(request))
        return Response(PlacementOutput(self.get_queryset().get(pk=placement.pk)).data)


# --- the regional board ----------------------------------------------------------------------


class BoardRegion(serializers.Serializer[Any]):
    mentors = serializers.IntegerField()
    capacity_total = serializers.IntegerField()
    capacity_used = serializers.IntegerField(allow_null=True, help_text="null: hidden (small).")
    capacity_free = serializers.IntegerField(allow_null=True)
    pending_requests = serializers.IntegerField()
    pending_mentees = serializers.IntegerField(allow_null=True, help_text="null: hidden (small).")
    active_placements = serializers.IntegerField()


class BoardMunicipality(serializers.Serializer[Any]):
    municipality_id = serializers.IntegerField()
    municipality = serializers.CharField()
    mentors_reaching = serializers.IntegerField(
        help_text="Active mentors who reach it, in person or remotely (not additive)."
    )
    capacity_free_reaching = serializers.IntegerField(
        help_text="Their free places, shared with the other municipalities they reach."
    )
    places_taken = serializers.IntegerField(
        allow_null=True, help_text="Mentees placed at its institutions; null: hidden (small)."
    )
    pending_requests = serializers.IntegerField()
    pending_mentees = serializers.IntegerField(allow_null=True, help_text="null: hidden (small).")


class BoardCompetence(serializers.Serializer[Any]):
    competence = serializers.CharField()
    mentors = serializers.IntegerField()
    capacity_total = serializers.IntegerField()
    capacity_used = serializers.IntegerField(allow_null=True)
    capacity_free = serializers.IntegerField(allow_null=True)
    pending_requests = serializers.IntegerField()
    pending_mentees = serializers.IntegerField(allow_null=True)


class BoardOutput(serializers.Serializer[Any]):
    min_group_size = serializers.IntegerField()
    region = BoardRegion()
    by_municipality = BoardMunicipality(many=True)
    by_competence = BoardCompetence(many=True)


class EmployerBoardViewSet(PublicViewSet):
    """Supply and demand of employers' mentors: capacity (total, used, free) and pending
    requests, for the region, by municipality (each place counted once, where it is used)
    and by competence. Numbers only; counts of learners below the region's k are null."""

    read_roles = REGIONAL
    serializer_class = BoardOutput
    pagination_class = None
    schema = single_object_schema()

    def scoped_queryset(self) -> QuerySet[EmployerMentor]:
        return selectors.employer_mentor_list()

    @extend_schema(responses=BoardOutput)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(BoardOutput(selectors.supply_and_demand()).data)
