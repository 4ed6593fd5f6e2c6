"""Matching API: group meetings and the preferences stated after them, the weights of the
score per programme, matching runs with their explained proposals and the mentees left without
a mentor, and the coordinator's review (accept, reject, change, approve).

The coordinator does everything; curators, the director and deputies read; mentors and mentees
see the group meetings they attended and state their own preferences there."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import roles
from accounts.actor import Actor, actor_of
from config.api.base import (
    INSTITUTION_MANAGERS,
    INSTITUTION_STAFF,
    TenantModelViewSet,
    TenantViewSet,
)
from schools.matching import access, selectors, services
from schools.matching.engine import Weights
from schools.matching.explain import explanations
from schools.matching.models import (
    MAX_RANK,
    Algorithm,
    GroupMeeting,
    MatchProposal,
    MatchRun,
    Preference,
    PreferenceKind,
    UnmatchedMentee,
)
from schools.programmes.models import Programme

MEETING_READERS = roles.STAFF | roles.PAIR_MEMBERS


def _programme(pk: int) -> Programme:
    programme = Programme.objects.filter(pk=pk).first()
    if programme is None:
        raise serializers.ValidationError({"programme": ["No such programme."]})
    return programme


# --- serializers ---------------------------------------------------------------------------------


class GroupMeetingOutput(serializers.ModelSerializer[GroupMeeting]):
    attendee_ids = serializers.SerializerMethodField()

    class Meta:
        model = GroupMeeting
        fields = ["id", "programme", "held_on", "place", "notes", "attendee_ids", "created_at"]

    def get_attendee_ids(self, obj: GroupMeeting) -> list[int]:
        return sorted(p.pk for p in obj.attendees.all())


class GroupMeetingInput(serializers.Serializer[Any]):
    programme = serializers.IntegerField()
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=300, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    attendee_ids = serializers.ListField(child=serializers.IntegerField(), required=False)


class GroupMeetingUpdateInput(serializers.Serializer[Any]):
    held_on = serializers.DateField(required=False)
    place = serializers.CharField(max_length=300, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    attendee_ids = serializers.ListField(child=serializers.IntegerField(), required=False)


class PreferenceOutput(serializers.ModelSerializer[Preference]):
    class Meta:
        model = Preference
        fields = ["id", "from_participant", "to_participant", "kind", "rank", "updated_at"]


class PreferenceItemInput(serializers.Serializer[Any]):
    to_participant = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PreferenceKind.choices)
    rank = serializers.IntegerField(
        min_value=1, max_value=MAX_RANK, required=False, allow_null=True
    )


class PreferencesInput(serializers.Serializer[Any]):
    from_participant = serializers.IntegerField(
        required=False, help_text="The coordinator names the person; mentors and mentees omit it."
    )
    items = PreferenceItemInput(many=True)


class CriterionOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    value = serializers.FloatField()
    weight = serializers.FloatField()
    points = serializers.FloatField()
    detail = serializers.DictField()


class BreakdownOutput(serializers.Serializer[Any]):
    form = serializers.CharField(allow_null=True)
    total = serializers.FloatField()
    criteria = CriterionOutput(many=True)
    excluded = serializers.ListField(child=serializers.CharField())


class ProposalOutput(serializers.ModelSerializer[MatchProposal]):
    breakdown = BreakdownOutput()

    class Meta:
        model = MatchProposal
        fields = [
            "id",
            "run",
            "mentor",
            "mentee",
            "proposed_mentor",
            "form",
            "score",
            "breakdown",
            "status",
            "fixed",
            "made_by_hand",
            "pair_id",
            "decided_at",
        ]


class UnmatchedOutput(serializers.ModelSerializer[UnmatchedMentee]):
    """A mentee left without a mentor: the reason (the first criterion no mentor passes), the
    engine's detail (mentors left after each criterion, who covers each request, the mentors
    closest to fitting) and the same in words: why, and what would fix it."""

    detail = serializers.DictField()
    because = serializers.SerializerMethodField()
    fix = serializers.SerializerMethodField()

    class Meta:
        model = UnmatchedMentee
        fields = ["mentee", "reason", "detail", "because", "fix"]

    def _explanation(self, row: UnmatchedMentee) -> Any:
        cache = self.context.setdefault("explanations", {})
        if row.mentee_id not in cache:
            cache.update(explanations([row]))
        return cache[row.mentee_id]

    def get_because(self, row: UnmatchedMentee) -> str:
        return str(self._explanation(row).because)

    def get_fix(self, row: UnmatchedMentee) -> str:
        return str(self._explanation(row).fix)


RUN_FIELDS = [
    "id",
    "programme",
    "algorithm",
    "status",
    "progress",
    "weights",
    "fixed_pairs",
    "total_score",
    "mentee_count",
    "mentor_count",
    "matched_count",
    "unmatched_count",
    "candidate_count",
    "timings",
    "error",
    "created_at",
    "started_at",
    "finished_at",
    "approved_at",
    "superseded_by",
]


class RunOutput(serializers.ModelSerializer[MatchRun]):
    class Meta:
        model = MatchRun
        fields = RUN_FIELDS


class RunDetailOutput(serializers.ModelSerializer[MatchRun]):
    proposals = ProposalOutput(many=True)
    unmatched = UnmatchedOutput(many=True)

    class Meta:
        model = MatchRun
        fields = [*RUN_FIELDS, "proposals", "unmatched"]


class FixedPairInput(serializers.Serializer[Any]):
    mentor = serializers.IntegerField()
    mentee = serializers.IntegerField()


class RunInput(serializers.Serializer[Any]):
    programme = serializers.IntegerField()
    algorithm = serializers.ChoiceField(choices=Algorithm.choices, default=Algorithm.OPTIMAL)
    fixed = FixedPairInput(many=True, required=False)


class ApproveInput(serializers.Serializer[Any]):
    accept_proposed = serializers.BooleanField(
        default=False, help_text="Accept the proposals still awaiting a decision."
    )


class ChangeInput(serializers.Serializer[Any]):
    mentor = serializers.IntegerField()


class ApproveSomeInput(serializers.Serializer[Any]):
    proposals = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class HandMadePairInput(serializers.Serializer[Any]):
    mentee = serializers.IntegerField()
    mentor = serializers.IntegerField()


class WeightsOutput(serializers.Serializer[Any]):
    programme = serializers.IntegerField()
    form = serializers.FloatField()
    needs = serializers.FloatField()
    preference = serializers.FloatField()
    time = serializers.FloatField()
    peer = serializers.FloatField()
    min_needs_covered = serializers.IntegerField()
    hours_per_mentee = serializers.FloatField()


class WeightsInput(serializers.Serializer[Any]):
    form = serializers.FloatField(min_value=0, max_value=1000, required=False)
    needs = serializers.FloatField(min_value=0, max_value=1000, required=False)
    preference = serializers.FloatField(min_value=0, max_value=1000, required=False)
    time = serializers.FloatField(min_value=0, max_value=1000, required=False)
    peer = serializers.FloatField(min_value=0, max_value=1000, required=False)
    min_needs_covered = serializers.IntegerField(min_value=0, max_value=20, required=False)
    hours_per_mentee = serializers.FloatField(min_value=0.5, max_value=200, required=False)


# --- views ---------------------------------------------------------------------------------------


class GroupMeetingViewSet(TenantModelViewSet):
    """Group meetings of mentors and mentees before matching, and the preferences after them."""

    read_roles = MEETING_READERS
    write_roles = INSTITUTION_MANAGERS
    action_roles = {"preferences": MEETING_READERS}
    serializer_class = GroupMeetingOutput
    filterset_fields = ["programme"]

    def scoped_queryset(self) -> QuerySet[GroupMeeting]:
        return selectors.group_meeting_list()

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        return access.group_meetings_visible_to(actor, queryset)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        classes: dict[str, type[serializers.BaseSerializer[Any]]] = {
            "create": GroupMeetingInput,
            "partial_update": GroupMeetingUpdateInput,
            "preferences": PreferencesInput,
        }
        return classes.get(self.action or "", GroupMeetingOutput)

    def _output(self, meeting: GroupMeeting) -> Response:
        return Response(GroupMeetingOutput(selectors.group_meeting_list().get(pk=meeting.pk)).data)

    @extend_schema(request=GroupMeetingInput, responses={201: GroupMeetingOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = GroupMeetingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        programme = _programme(values.pop("programme"))
        meeting = services.group_meeting_create(
            programme=programme, actor=actor_of(request), **values
        )
        response = self._output(meeting)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=GroupMeetingUpdateInput, responses={200: GroupMeetingOutput})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        data = GroupMeetingUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.group_meeting_update(
            meeting=meeting, actor=actor_of(request), **data.validated_data
        )
        return self._output(meeting)

    @extend_schema(methods=["GET"], request=None, responses={200: PreferenceOutput(many=True)})
    @extend_schema(
        methods=["POST"], request=PreferencesInput, responses={200: PreferenceOutput(many=True)}
    )
    @action(detail=True, methods=["get", "post"])
    def preferences(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """GET: the preferences stated at the meeting (a mentor or mentee sees their own).
        POST: replace one person's preferences; a mentor or mentee states their own."""
        meeting = self.get_object()
        actor = self.actor
        if request.method == "POST":
            data = PreferencesInput(data=request.data)
            data.is_valid(raise_exception=True)
            if actor.has_role(roles.PAIR_MEMBERS):
                from_id = actor.participant_id
                wanted = data.validated_data.get("from_participant", from_id)
                if from_id is None or wanted != from_id:
                    raise PermissionDenied
            elif actor.has_role(INSTITUTION_MANAGERS):
                from_id = data.validated_data.get("from_participant")
                if from_id is None:
                    raise serializers.ValidationError({"from_participant": ["Required."]})
            else:
                raise PermissionDenied
            services.preferences_record(
                meeting=meeting,
                from_participant_id=from_id,
                items=data.validated_data["items"],
                actor=actor,
            )
        rows = access.preferences_visible_to(actor, meeting)
        return Response(PreferenceOutput(rows, many=True).data)


class MatchRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet
):
    """Matching runs: create (runs at once, or queued for large programmes), retrieve with the
    explained proposals and the mentees left without a mentor, approve."""

    read_roles = INSTITUTION_STAFF
    write_roles = INSTITUTION_MANAGERS
    serializer_class = RunOutput
    filterset_fields = ["programme", "status", "algorithm"]

    def scoped_queryset(self) -> QuerySet[MatchRun]:
        return selectors.match_run_list()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        classes: dict[str, type[serializers.BaseSerializer[Any]]] = {
            "create": RunInput,
            "retrieve": RunDetailOutput,
            "approve": ApproveInput,
            "approve_some": ApproveSomeInput,
            "pair_by_hand": HandMadePairInput,
        }
        return classes.get(self.action or "", RunOutput)

    @extend_schema(request=RunInput, responses={201: RunDetailOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = RunInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.run_create(
            programme=_programme(data.validated_data["programme"]),
            algorithm=data.validated_data["algorithm"],
            fixed=[(f["mentor"], f["mentee"]) for f in data.validated_data.get("fixed", [])],
            actor=actor_of(request),
        )
        return Response(RunDetailOutput(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ApproveInput, responses={200: RunOutput})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Form pairs and groups from the accepted and changed proposals (all or nothing)."""
        run = self.get_object()
        data = ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.run_approve(
            run=run, accept_proposed=data.validated_data["accept_proposed"], actor=actor_of(request)
        )
        return Response(RunOutput(run).data)

    @extend_schema(request=ApproveSomeInput, responses={200: RunOutput})
    @action(detail=True, methods=["post"], url_path="approve-some")
    def approve_some(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Approve the chosen proposals now (they become pairs and groups) and leave the rest;
        the run is approved once nothing waits for a decision."""
        run = self.get_object()
        data = ApproveSomeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.proposals_approve(
            run=run, proposal_ids=data.validated_data["proposals"], actor=actor_of(request)
        )
        return Response(RunOutput(selectors.match_run_list().get(pk=run.pk)).data)

    @extend_schema(request=HandMadePairInput, responses={201: ProposalOutput})
    @action(detail=True, methods=["post"], url_path="pairs")
    def pair_by_hand(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Give a mentee left without a mentor one by hand (accepted at once)."""
        run = self.get_object()
        data = HandMadePairInput(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_add(
            run=run,
            mentee_id=data.validated_data["mentee"],
            mentor_id=data.validated_data["mentor"],
            actor=actor_of(request),
        )
        return Response(
            ProposalOutput(selectors.match_proposal_list().get(pk=proposal.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class MatchProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Proposals of matching runs with their explanations; the coordinator accepts, rejects or
    changes them."""

    read_roles = INSTITUTION_STAFF
    write_roles = INSTITUTION_MANAGERS
    serializer_class = ProposalOutput
    filterset_fields = ["run", "status", "mentor", "mentee"]

    def scoped_queryset(self) -> QuerySet[MatchProposal]:
        return selectors.match_proposal_list()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "change":
            return ChangeInput
        return ProposalOutput

    def _output(self, proposal: MatchProposal) -> Response:
        return Response(ProposalOutput(self.scoped_queryset().get(pk=proposal.pk)).data)

    @extend_schema(request=None, responses={200: ProposalOutput})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._output(
            services.proposal_accept(proposal=self.get_object(), actor=actor_of(request))
        )

    @extend_schema(request=None, responses={200: ProposalOutput})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._output(
            services.proposal_reject(proposal=self.get_object(), actor=actor_of(request))
        )

    @extend_schema(request=ChangeInput, responses={200: ProposalOutput})
    @action(detail=True, methods=["post"])
    def change(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        proposal = self.get_object()
        data = ChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._output(
            services.proposal_change(
                proposal=proposal, mentor_id=data.validated_data["mentor"], actor=actor_of(request)
            )
        )


class MatchingWeightsViewSet(TenantViewSet):
    """The weights of the compatibility score of a programme (by the programme's id)."""

    read_roles = INSTITUTION_STAFF
    write_roles = INSTITUTION_MANAGERS
    serializer_class = WeightsOutput

    def scoped_queryset(self) -> QuerySet[Programme]:
        return Programme.objects.all()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        classes: dict[str, type[serializers.BaseSerializer[Any]]] = {"partial_update": WeightsInput}
        return classes.get(self.action or "", WeightsOutput)

    @staticmethod
    def _output(programme: Programme, weights: Weights) -> Response:
        return Response(WeightsOutput({"programme": programme.pk, **weights.as_dict()}).data)

    @extend_schema(responses={200: WeightsOutput})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programme = self.get_object()
        return self._output(programme, services.weights_get(programme=programme))

    @extend_schema(request=WeightsInput, responses={200: WeightsOutput})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programme = self.get_object()
        data = WeightsInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        weights = services.weights_update(
            programme=programme, data=data.validated_data, actor=actor_of(request)
        )
        return self._output(programme, weights)
