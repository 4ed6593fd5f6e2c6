"""Pairs API: pairs and groups with their documents and the mentor ranking, development plans
and goals, meetings and attendance, success stories, and the per-person calendar feed.

Who sees and does what is ``schools.pairs.access`` (``scope_for_actor`` and the services call
it): staff (coordinator, curators, director, deputies) see every pair; a mentor its own pairs; a
mentee its own; a parent its child's. The coordinator forms and closes pairs; the pair's mentor
(or the coordinator) writes the plan's goals, plans meetings and records attendance; the mentee
reads its plan."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import roles
from accounts.actor import Actor, actor_of
from config.api import renderers as api_renderers
from config.api.base import (
    EVERY_TENANT_ROLE,
    INSTITUTION_MANAGERS,
    INSTITUTION_STAFF,
    TenantModelViewSet,
    TenantViewSet,
)
from config.api.filters import IsoDateTimeFilter
from config.db import tenant_connection
from config.links import absolute_url
from schools.pairs import access, documents, selectors, services
from schools.pairs.calendar import calendar_ics
from schools.pairs.models import (
    CalendarToken,
    DevelopmentPlan,
    Meeting,
    Pair,
    PairStatus,
    PlanGoal,
    PracticeCase,
)
from schools.pairs.serializers import (
    AttendanceInput,
    CalendarLinkOutput,
    CalendarLinkStateOutput,
    DevelopmentPlanInput,
    DevelopmentPlanOutput,
    MeetingInput,
    MeetingOutput,
    MeetingRows,
    MeetingUpdateInput,
    MentorRankOutput,
    PairCompleteInput,
    PairCreateInput,
    PairEndInput,
    PairOutput,
    PairRateInput,
    PairRows,
    PlanGoalInput,
    PlanGoalOutput,
    PlanGoalUpdateInput,
    PracticeCaseInput,
    PracticeCaseOutput,
    PracticeCaseUpdateInput,
)
from schools.programmes.models import Programme

MENTOR_OR_COORDINATOR = roles.MENTOR_OR_COORDINATOR
# Curators too, for the pairs of their classes (``access.may_write_meetings``).
MEETING_WRITERS = roles.MEETING_WRITERS
PAIR_MEMBERS = roles.PAIR_MEMBERS
CASE_WRITERS = roles.COORDINATION_AND_CURATORS

DOCX_RESPONSE = {
    (200, documents.DOCX_CONTENT_TYPE): OpenApiResponse(
        OpenApiTypes.BINARY, description="The document (DOCX), ready to sign."
    )
}
PROGRAMME_PARAMETER = OpenApiParameter(
    "programme", int, OpenApiParameter.QUERY, required=True, description="Programme id"
)
ORDER_PARAMETERS = [
    PROGRAMME_PARAMETER,
    OpenApiParameter("number", str, OpenApiParameter.QUERY, description="Order number"),
    OpenApiParameter(
        "date", OpenApiTypes.DATE, OpenApiParameter.QUERY, description="Order date (YYYY-MM-DD)"
    ),
]


class DocxSuffixNegotiation(DefaultContentNegotiation):
    """Documents are asked for as ``.../order.docx``: the ``.docx`` suffix names the file
    type, not an API renderer, so it is read as no suffix at all."""

    def select_renderer(
        self, request: Request, renderers: Any, format_suffix: str | None = None
    ) -> tuple[Any, str]:
        if format_suffix == "docx":
            format_suffix = None
        return super().select_renderer(request, renderers, format_suffix)


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=documents.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _programme_from_query(request: Request) -> Programme:
    raw = request.query_params.get("programme", "")
    programme = Programme.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if programme is None:
        raise DjangoValidationError({"programme": [_("Choose an existing programme.")]})
    return programme


def _date_from_query(request: Request) -> datetime.date | None:
    raw = request.query_params.get("date", "")
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as exc:
        raise DjangoValidationError({"date": [_("Give the date as YYYY-MM-DD.")]}) from exc


def _require_role(request: Request, allowed: frozenset[str]) -> None:
    """For actions open to every role at the permission layer so that an id outside the
    caller's scope is a 404 first; then only ``allowed`` may act."""
    if not actor_of(request).has_role(allowed):
        raise PermissionDenied


def _own_participant_id(actor: Actor) -> int:
    participant_id = selectors.participant_id_of(actor)
    if participant_id is None:
        raise DjangoValidationError(
            {"detail": [_("Your login is not linked to a participant of the programme.")]}
        )
    return participant_id


# --- pairs ---------------------------------------------------------------------------------------


class PairFilter(django_filters.FilterSet):
    stale = django_filters.BooleanFilter(
        method="filter_stale", label="Active and no meeting held for 30 days"
    )

    class Meta:
        model = Pair
        fields = ["programme", "status", "form", "mentor"]

    def filter_stale(
        self, queryset: QuerySet[Pair], name: str, value: bool | None
    ) -> QuerySet[Pair]:
        """The list's rows carry ``last_meeting_at`` only: ``is_stale`` is annotated here."""
        if value is None:
            return queryset
        if "is_stale" not in queryset.query.annotations:
            queryset = selectors.with_staleness(queryset)
        return queryset.filter(Q(is_stale=value))


class PairViewSet(TenantModelViewSet):
    """Mentoring pairs and groups. Each has ``last_meeting_at`` and ``is_stale`` (active and no
    meeting held for 30 days; filter ``?stale=true``)."""

    read_roles = EVERY_TENANT_ROLE
    write_roles = INSTITUTION_MANAGERS
    action_roles = {
        "complete": MENTOR_OR_COORDINATOR,
        "rate": EVERY_TENANT_ROLE,  # the pair is looked up first: see _require_role
        "order": INSTITUTION_STAFF,
        "encouragement_order": INSTITUTION_STAFF,
        "thank_you_letter": INSTITUTION_STAFF,
        "ranking": INSTITUTION_STAFF,
    }
    http_method_names = ["get", "post", "head", "options"]
    serializer_class = PairOutput
    list_rows = PairRows()
    filterset_class = PairFilter
    ordering_fields = ["started_on", "created_at", "last_meeting_at"]

    def scoped_queryset(self) -> QuerySet[Pair]:
        # The list reads plain rows (PairRows); a single pair is answered by the serializer,
        # which reads the memberships and the annotations. (A view made outside a request, as
        # the schema generator and the cross-tenant walk make it, has no action.)
        if getattr(self, "action", None) == "list":
            return selectors.pair_rows()
        return selectors.pair_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.pairs_visible_to(actor, queryset)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        inputs: dict[str, type[serializers.BaseSerializer[Any]]] = {
            "create": PairCreateInput,
            "end_early": PairEndInput,
            "complete": PairCompleteInput,
            "rate": PairRateInput,
        }
        return inputs.get(self.action or "", PairOutput)

    def _output(self, pair: Pair) -> Response:
        return Response(PairOutput(self.scoped_queryset().get(pk=pair.pk)).data)

    @extend_schema(request=PairCreateInput, responses={201: PairOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PairCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        pair = services.pair_create(
            programme_id=values["programme"],
            mentor_participant_id=values["mentor"],
            mentee_participant_ids=values["mentees"],
            form=values["form"],
            started_on=values.get("started_on"),
            actor=actor_of(request),
        )
        response = self._output(pair)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=PairEndInput, responses=PairOutput)
    @action(detail=True, methods=["post"], url_path="end-early", filter_backends=[])
    def end_early(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """End the pair early, with the reason (the mentee may then be paired again)."""
        pair = self.get_object()
        data = PairEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        pair = services.pair_end_early(
            pair=pair,
            reason=data.validated_data["reason"],
            ended_on=data.validated_data.get("ended_on"),
            actor=actor_of(request),
        )
        return self._output(pair)

    @extend_schema(request=PairCompleteInput, responses=PairOutput)
    @action(detail=True, methods=["post"], filter_backends=[])
    def complete(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """Complete the pair with its result (the coordinator, or the pair's mentor)."""
        pair = self.get_object()
        data = PairCompleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        pair = services.pair_complete(
            pair=pair,
            outcome=data.validated_data["outcome"],
            mentor_rating=data.validated_data.get("mentor_rating"),
            ended_on=data.validated_data.get("ended_on"),
            actor=actor_of(request),
        )
        return self._output(pair)

    @extend_schema(request=PairRateInput, responses=PairOutput)
    @action(detail=True, methods=["post"], filter_backends=[])
    def rate(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """The caller's own final rating (1–10) of the pair's work: the mentor's, or a
        mentee's."""
        pair = self.get_object()
        _require_role(request, PAIR_MEMBERS)
        data = PairRateInput(data=request.data)
        data.is_valid(raise_exception=True)
        pair = services.pair_rate(
            pair=pair,
            participant_id=_own_participant_id(actor_of(request)),
            rating=data.validated_data["rating"],
            actor=actor_of(request),
        )
        return self._output(pair)

    @extend_schema(parameters=ORDER_PARAMETERS, responses=DOCX_RESPONSE)
    @action(
        detail=False,
        methods=["get"],
        url_path="order",
        content_negotiation_class=DocxSuffixNegotiation,
        filter_backends=[],
        pagination_class=None,
    )
    def order(self, request: Request, **kwargs: Any) -> HttpResponse:
        """The order approving the programme's pairs and groups (приказ «Об утверждении
        наставнических пар/групп»), DOCX. Lists the pairs not ended early."""
        programme = _programme_from_query(request)
        pairs = (
            self.get_queryset()
            .filter(programme=programme)
            .exclude(status=PairStatus.ENDED_EARLY)
            .order_by("started_on", "pk")
        )
        content = documents.approval_order_docx(
            programme=programme,
            pairs=pairs,
            number=request.query_params.get("number", ""),
            day=_date_from_query(request),
        )
        return _docx(content, f"order-pairs-{programme.academic_year}.docx")

    @extend_schema(
        parameters=[
            *ORDER_PARAMETERS,
            OpenApiParameter(
                "mentors",
                str,
                OpenApiParameter.QUERY,
                description="Comma-separated mentor participant ids; default: the top of the "
                "ranking",
            ),
            OpenApiParameter(
                "top", int, OpenApiParameter.QUERY, description="How many of the top (3)"
            ),
        ],
        responses=DOCX_RESPONSE,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="encouragement-order",
        content_negotiation_class=DocxSuffixNegotiation,
        filter_backends=[],
        pagination_class=None,
    )
    def encouragement_order(self, request: Request, **kwargs: Any) -> HttpResponse:
        """The order of encouragement of the best mentors (приказ о поощрении), DOCX."""
        programme = _programme_from_query(request)
        ranking = selectors.mentor_ranking(programme_id=programme.pk)
        chosen_raw = request.query_params.get("mentors", "")
        if chosen_raw:
            try:
                chosen = [int(x) for x in chosen_raw.split(",") if x.strip()]
            except ValueError as exc:
                raise DjangoValidationError({"mentors": [_("Give mentor ids.")]}) from exc
            mentors = [r for r in ranking if r.mentor_id in chosen]
            if len(mentors) != len(set(chosen)):
                raise DjangoValidationError(
                    {"mentors": [_("Some of these are not mentors of the programme.")]}
                )
        else:
            top_raw = request.query_params.get("top", "3")
            top = int(top_raw) if top_raw.isdigit() else 3
            mentors = [r for r in ranking if r.completed_pairs > 0][:top]
        content = documents.encouragement_order_docx(
            programme=programme,
            mentors=mentors,
            number=request.query_params.get("number", ""),
            day=_date_from_query(request),
        )
        return _docx(content, f"order-encouragement-{programme.academic_year}.docx")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "addressee",
                str,
                OpenApiParameter.QUERY,
                description="Whom to address besides the mentor (e.g. the employer)",
            ),
            OpenApiParameter("date", OpenApiTypes.DATE, OpenApiParameter.QUERY),
        ],
        responses=DOCX_RESPONSE,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="thank-you-letter",
        content_negotiation_class=DocxSuffixNegotiation,
        filter_backends=[],
    )
    def thank_you_letter(
        self, request: Request, pk: str | None = None, **kwargs: Any
    ) -> HttpResponse:
        """A thank-you letter (благодарственное письмо) to the pair's mentor, DOCX."""
        pair = self.get_object()
        content = documents.thank_you_letter_docx(
            pair=pair,
            addressee=request.query_params.get("addressee", ""),
            day=_date_from_query(request),
        )
        return _docx(content, f"thank-you-letter-{pair.pk}.docx")

    @extend_schema(
        parameters=[
            OpenApiParameter("programme", int, OpenApiParameter.QUERY, description="Programme id")
        ],
        responses=MentorRankOutput(many=True),
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def ranking(self, request: Request, **kwargs: Any) -> Response:
        """Mentors ranked by outcomes and feedback: the mentees' final ratings, completed
        pairs, goals reached, meetings held."""
        raw = request.query_params.get("programme", "")
        programme_id = int(raw) if raw.isdigit() else None
        rows = selectors.mentor_ranking(programme_id=programme_id)
        return Response(MentorRankOutput(rows, many=True).data)


# --- development plans ---------------------------------------------------------------------------


class DevelopmentPlanViewSet(TenantModelViewSet):
    """Individual development plans, one per mentee of a pair. The pair's mentor (and the
    coordinator) write the goals; the mentee reads them and writes the summary with them;
    staff and the mentee's parent read."""

    read_roles = EVERY_TENANT_ROLE
    write_roles = EVERY_TENANT_ROLE  # a plan is looked up first, then access.check_plan_write
    action_roles = {"create": frozenset()}  # plans open with the pair
    http_method_names = ["get", "patch", "head", "options"]
    serializer_class = DevelopmentPlanOutput
    filterset_fields = ["pair", "mentee"]

    def scoped_queryset(self) -> QuerySet[DevelopmentPlan]:
        return selectors.plan_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.plans_visible_to(actor, queryset)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "partial_update":
            return DevelopmentPlanInput
        return DevelopmentPlanOutput

    @extend_schema(request=DevelopmentPlanInput, responses=DevelopmentPlanOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        access.check_plan_summary_write(self.actor, plan)
        data = DevelopmentPlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.plan_update(plan=plan, summary=data.validated_data["summary"], actor=self.actor)
        return Response(DevelopmentPlanOutput(self.scoped_queryset().get(pk=plan.pk)).data)


class PlanGoalViewSet(mixins.DestroyModelMixin, TenantModelViewSet):
    """Goals of development plans (filter by ``plan``): title, tasks, deadline, progress."""

    read_roles = EVERY_TENANT_ROLE
    write_roles = EVERY_TENANT_ROLE  # a goal is looked up first, then access.check_plan_write
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = PlanGoalOutput
    filterset_fields = ["plan", "status"]

    def scoped_queryset(self) -> QuerySet[PlanGoal]:
        return selectors.goal_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.goals_visible_to(actor, queryset)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return PlanGoalInput
        if self.action == "partial_update":
            return PlanGoalUpdateInput
        return PlanGoalOutput

    def _editable(self, plan_id: int) -> DevelopmentPlan:
        """A plan the caller may write: one out of sight is a field error, one seen but not
        the caller's to write (a mentee's, a parent's) is 403."""
        try:
            return access.access_plan_by_id(
                self.actor,
                plan_id,
                for_write=True,
                queryset=DevelopmentPlan.objects.select_related("pair"),
            )
        except access.NotFound as exc:
            raise DjangoValidationError({"plan": [_("No such plan among yours.")]}) from exc

    @extend_schema(request=PlanGoalInput, responses={201: PlanGoalOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PlanGoalInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        plan = self._editable(values.pop("plan"))
        goal = services.plan_goal_create(plan=plan, actor=self.actor, **values)
        return Response(PlanGoalOutput(goal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanGoalUpdateInput, responses=PlanGoalOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        goal = self.get_object()
        self._editable(goal.plan_id)
        data = PlanGoalUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        goal = services.plan_goal_update(goal=goal, actor=self.actor, **data.validated_data)
        return Response(PlanGoalOutput(goal).data)

    def perform_destroy(self, instance: PlanGoal) -> None:
        self._editable(instance.plan_id)
        services.plan_goal_delete(goal=instance, actor=self.actor)


# --- meetings ------------------------------------------------------------------------------------


class MeetingFilter(django_filters.FilterSet):
    starts_after = IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Meeting
        fields = ["pair", "kind", "status"]


class MeetingViewSet(TenantModelViewSet):
    """Meetings of pairs in the methodology's order (organisational, trial, planning,
    regular, final). The mentor, the coordinator or the curator of the class plans them and
    records attendance (``access.may_write_meetings``)."""

    read_roles = EVERY_TENANT_ROLE
    write_roles = MEETING_WRITERS
    serializer_class = MeetingOutput
    list_rows = MeetingRows()
    filterset_class = MeetingFilter
    ordering_fields = ["starts_at"]

    def scoped_queryset(self) -> QuerySet[Meeting]:
        return selectors.meeting_rows()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.meetings_visible_to(actor, queryset)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        inputs: dict[str, type[serializers.BaseSerializer[Any]]] = {
            "create": MeetingInput,
            "partial_update": MeetingUpdateInput,
            "attendance": AttendanceInput,
        }
        return inputs.get(self.action or "", MeetingOutput)

    def _output(self, meeting: Meeting) -> Response:
        return Response(MeetingOutput(self.scoped_queryset().get(pk=meeting.pk)).data)

    def _writable(self) -> Meeting:
        meeting = self.get_object()
        if not access.may_write_meetings(self.actor, meeting.pair):
            raise PermissionDenied
        return meeting

    @extend_schema(request=MeetingInput, responses={201: MeetingOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MeetingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        found = access.pairs_visible_to(self.actor).filter(pk=values.pop("pair")).first()
        if found is None:
            raise DjangoValidationError({"pair": [_("No such pair among yours.")]})
        if not access.may_write_meetings(self.actor, found):
            raise PermissionDenied
        meeting = services.meeting_create(pair=found, actor=actor_of(request), **values)
        response = self._output(meeting)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=MeetingUpdateInput, responses=MeetingOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self._writable()
        data = MeetingUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        meeting = services.meeting_update(
            meeting=meeting, actor=actor_of(request), **data.validated_data
        )
        return self._output(meeting)

    @extend_schema(request=AttendanceInput, responses=MeetingOutput)
    @action(detail=True, methods=["post"], filter_backends=[])
    def attendance(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """Record who attended (and the outcomes): the meeting is then held."""
        meeting = self._writable()
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.meeting_record_attendance(
            meeting=meeting,
            participant_ids=data.validated_data["attendees"],
            outcomes=data.validated_data.get("outcomes"),
            notes=data.validated_data.get("notes"),
            actor=actor_of(request),
        )
        return self._output(meeting)

    @extend_schema(request=None, responses=MeetingOutput)
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        meeting = services.meeting_cancel(meeting=self._writable(), actor=actor_of(request))
        return self._output(meeting)


# --- success stories -----------------------------------------------------------------------------


class PracticeCaseViewSet(TenantModelViewSet):
    """Success stories (кейсы): drafts of the institution; ``prepare`` makes the anonymised
    copy in the background for the coordinator to check; ``publish`` stores it for the region."""

    read_roles = INSTITUTION_STAFF
    write_roles = CASE_WRITERS
    action_roles = {"publish": INSTITUTION_MANAGERS, "prepare": INSTITUTION_MANAGERS}
    serializer_class = PracticeCaseOutput
    filterset_fields = ["programme", "status", "form"]

    def scoped_queryset(self) -> QuerySet[PracticeCase]:
        return selectors.practice_case_list()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return PracticeCaseInput
        if self.action == "partial_update":
            return PracticeCaseUpdateInput
        return PracticeCaseOutput

    @extend_schema(request=PracticeCaseInput, responses={201: PracticeCaseOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PracticeCaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        case = services.practice_case_create(
            programme_id=values["programme"],
            pair_id=values.get("pair"),
            form=values["form"],
            title=values["title"],
            text=values["text"],
            actor=actor_of(request),
        )
        return Response(PracticeCaseOutput(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PracticeCaseUpdateInput, responses=PracticeCaseOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        data = PracticeCaseUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        case = services.practice_case_update(
            case=case, actor=actor_of(request), **data.validated_data
        )
        return Response(PracticeCaseOutput(case).data)

    @extend_schema(request=None, responses={202: PracticeCaseOutput})
    @action(detail=True, methods=["post"], filter_backends=[])
    def prepare(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """Prepare the anonymised copy of the current draft in the background; read it (and
        what it hides) from the case once ``preview_status`` is ``ready``."""
        case = services.practice_case_prepare(case=self.get_object(), actor=actor_of(request))
        return Response(PracticeCaseOutput(case).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=PracticeCaseOutput)
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """Publish the prepared copy (refused unless it is of the current draft)."""
        case = services.practice_case_publish(case=self.get_object(), actor=actor_of(request))
        return Response(PracticeCaseOutput(case).data)


# --- calendar ------------------------------------------------------------------------------------


class CalendarLinkViewSet(TenantViewSet):
    """The caller's secret calendar feed address. Each POST makes a new one (the old link stops
    working); DELETE switches the feed off."""

    read_roles = EVERY_TENANT_ROLE
    write_roles = EVERY_TENANT_ROLE
    pagination_class = None  # one link per person at most

    def scoped_queryset(self) -> QuerySet[CalendarToken]:
        return CalendarToken.objects.all()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.calendar_tokens_visible_to(actor, queryset)

    @extend_schema(responses={200: CalendarLinkStateOutput(many=True)})
    def list(self, request: Request, **kwargs: Any) -> Response:
        """Whether the caller has a working calendar link, and since when (the address itself
        is shown only once, when it is made)."""
        return Response(CalendarLinkStateOutput(self.get_queryset(), many=True).data)

    @extend_schema(request=None, responses={201: CalendarLinkOutput})
    def create(self, request: Request, **kwargs: Any) -> Response:
        actor = actor_of(request)
        token = services.calendar_token_issue(
            participant_id=_own_participant_id(actor), actor=actor
        )
        url = absolute_url(request.get_host(), f"/api/v1/calendar/{token}.ics")
        return Response(CalendarLinkOutput({"url": url}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=False, methods=["post"], url_path="revoke")
    def revoke(self, request: Request, **kwargs: Any) -> Response:
        actor = actor_of(request)
        services.calendar_token_revoke(participant_id=_own_participant_id(actor), actor=actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


ICalendarRenderer = api_renderers.ICalendarRenderer


class CalendarNegotiation(BaseContentNegotiation):
    """Calendar apps send all sorts of Accept headers: the feed is always iCalendar; a URL
    suffix other than ``.ics`` is not found."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: Any, format_suffix: str | None = None
    ) -> tuple[Any, str]:
        if format_suffix not in (None, "ics"):
            raise Http404
        return renderers[0], renderers[0].media_type


class CalendarFeedViewSet(viewsets.GenericViewSet[CalendarToken]):
    """A person's meetings as iCalendar, at a secret per-person address (no login: calendar
    apps cannot sign in). The token is looked up by its hash in the current institution's
    schema only, so a token of another institution is simply not found."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    renderer_classes = [ICalendarRenderer]
    content_negotiation_class = CalendarNegotiation
    lookup_field = "token"
    lookup_value_regex = r"[A-Za-z0-9_-]{20,100}"

    @extend_schema(
        auth=[],
        parameters=[OpenApiParameter("token", str, OpenApiParameter.PATH)],
        responses={(200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR)},
    )
    def retrieve(self, request: Request, token: str = "", **kwargs: Any) -> Response:
        if tenant_connection().schema_name == "public":
            raise Http404
        found = (
            CalendarToken.objects.select_related("participant")
            .filter(token_hash=services.calendar_token_hash(token))
            .first()
        )
        if found is None or found.participant.erased_at is not None:
            raise Http404
        meetings = selectors.meetings_of_participant(participant_id=found.participant_id)
        body = calendar_ics(
            meetings,
            name="Встречи наставничества",
            uid_domain=request.get_host().split(":")[0],
            now=timezone.now(),
        )
        response = Response(body, content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, max-age=300"
        return response
