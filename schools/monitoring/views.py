"""Monitoring API of an institution: questionnaires, survey campaigns, answering (signed in
or through a one-time link), results, growth, exports and the comparison with the region.

Roles: the coordinator manages questionnaires and campaigns and alone sees open answers and
individual responses; curators, the director and deputies read results; mentors, mentees and
parents answer their own invitations (``Participant.user``)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.actor import Actor, actor_of
from accounts.models import Role
from config.api import renderers
from config.api.base import (
    EVERY_TENANT_ROLE,
    INSTITUTION_MANAGERS,
    INSTITUTION_STAFF,
    TenantModelViewSet,
    TenantViewSet,
)
from config.db import tenant_connection
from regional.questionnaires import api as templates
from regional.survey_results import api as survey_results
from schools.monitoring import access, exports, mailing, selectors, services
from schools.monitoring.models import (
    Question,
    Questionnaire,
    ResponseChannel,
    ResponseStatus,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from schools.monitoring.serializers import (
    AdoptInput,
    AnswersInput,
    CampaignCreateInput,
    CampaignOpenOutput,
    CampaignOutput,
    CampaignResults,
    CampaignUpdateInput,
    GrowthOutput,
    LinkOutput,
    QuestionInput,
    QuestionnaireCreateInput,
    QuestionnaireOutput,
    QuestionOutput,
    QuestionUpdateInput,
    RegionalComparison,
    ResponseOutput,
    SubmitInput,
    SurveyForm,
    SurveyInvitationOutput,
    TemplateOfferOutput,
)
from tenants.api import current_institution

XLSX_CONTENT_TYPE = exports.XLSX_CONTENT_TYPE


class LinkGone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_code = "link_used"

    def __init__(self) -> None:
        super().__init__(
            _("This link has already been used: the answers were submitted and cannot change.")
        )


# --- questionnaires ------------------------------------------------------------------------------


class QuestionnaireViewSet(TenantModelViewSet):
    """The institution's questionnaires: adopted from a regional template (pinned version) or
    written locally. POST creates a local one; ``adopt`` copies a regional version."""

    read_roles = INSTITUTION_STAFF
    write_roles = INSTITUTION_MANAGERS
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["purpose", "origin"]

    def scoped_queryset(self) -> QuerySet[Questionnaire]:
        return selectors.questionnaire_list()

    def get_serializer_class(self) -> Any:
        return QuestionnaireOutput

    @extend_schema(request=QuestionnaireCreateInput, responses={201: QuestionnaireOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = QuestionnaireCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        questionnaire = services.questionnaire_create_local(
            actor=actor_of(request), **data.validated_data
        )
        return Response(QuestionnaireOutput(questionnaire).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AdoptInput, responses={201: QuestionnaireOutput})
    @action(detail=False, methods=["post"])
    def adopt(self, request: Request, **kwargs: Any) -> Response:
        data = AdoptInput(data=request.data)
        data.is_valid(raise_exception=True)
        questionnaire = services.questionnaire_adopt(
            version_id=data.validated_data["template_version"],
            title=data.validated_data["title"],
            actor=actor_of(request),
        )
        return Response(QuestionnaireOutput(questionnaire).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=TemplateOfferOutput(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def templates(self, request: Request, **kwargs: Any) -> Response:
        """The regional templates' published versions this institution may adopt."""
        return Response(TemplateOfferOutput(templates.published_versions(), many=True).data)

    @extend_schema(request=QuestionInput, responses={201: QuestionOutput})
    @action(detail=True, methods=["post"], filter_backends=[])
    def questions(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """Add a local question at the end (never sent to the region)."""
        questionnaire = self.get_object()
        data = QuestionInput(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_add(
            questionnaire=questionnaire, data=data.validated_data, actor=actor_of(request)
        )
        return Response(QuestionOutput(question).data, status=status.HTTP_201_CREATED)


class QuestionViewSet(
    TenantViewSet, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin
):
    """The institution's own questions: change or remove them until a campaign opens. The
    questions of the regional template never change."""

    read_roles = INSTITUTION_STAFF
    write_roles = INSTITUTION_MANAGERS
    http_method_names = ["get", "patch", "delete", "head", "options"]
    serializer_class = QuestionOutput

    def scoped_queryset(self) -> QuerySet[Question]:
        return Question.objects.select_related("questionnaire")

    @extend_schema(request=QuestionUpdateInput, responses=QuestionOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
        data = QuestionUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_update(
            question=question, data=data.validated_data, actor=actor_of(request)
        )
        return Response(QuestionOutput(question).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.question_delete(question=self.get_object(), actor=actor_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- campaigns -----------------------------------------------------------------------------------


XLSXRenderer = renderers.XLSXRenderer


BEFORE_PARAMETER = OpenApiParameter(
    "before",
    int,
    OpenApiParameter.QUERY,
    required=True,
    description="The campaign of the growth questionnaire answered before the programme.",
)


class SurveyCampaignViewSet(TenantModelViewSet):
    """Survey campaigns: a questionnaire sent to a target group between two dates."""

    read_roles = INSTITUTION_STAFF
    write_roles = INSTITUTION_MANAGERS
    filterset_fields = ["status", "questionnaire", "programme"]

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        # a curator reads the campaigns of its own classes (the pages' rule)
        return access.campaigns_visible_to(actor, cast("QuerySet[SurveyCampaign]", queryset))

    def scoped_queryset(self) -> QuerySet[SurveyCampaign]:
        return (
            selectors.campaign_list()
            .annotate(
                invited_count=Count("invitations", distinct=True),
                submitted_count=Count(
                    "responses", filter=Q(responses__status=ResponseStatus.SUBMITTED), distinct=True
                ),
            )
            .order_by("-opens_on", "-id")
        )

    def get_serializer_class(self) -> Any:
        return CampaignOutput

    @extend_schema(request=CampaignCreateInput, responses={201: CampaignOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CampaignCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        questionnaire = Questionnaire.objects.filter(pk=values["questionnaire"]).first()
        if questionnaire is None:
            raise exceptions.ValidationError({"questionnaire": [_("No such questionnaire.")]})
        campaign = services.campaign_create(
            questionnaire=questionnaire,
            title=values["title"],
            programme_id=values["programme"],
            target=services.Target(
                kind=values["target_kind"],
                form=values["target_form"],
                pair_id=values["target_pair"],
                study_group_id=values["target_study_group"],
                participant_ids=tuple(values["target_participant_ids"]),
            ),
            opens_on=values["opens_on"],
            closes_on=values["closes_on"],
            actor=actor_of(request),
        )
        return Response(
            CampaignOutput(self.get_queryset().get(pk=campaign.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=CampaignUpdateInput, responses=CampaignOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign = self.get_object()
        data = CampaignUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.campaign_update_dates(
            campaign=campaign,
            opens_on=data.validated_data.get("opens_on"),
            closes_on=data.validated_data.get("closes_on"),
            actor=actor_of(request),
        )
        return Response(CampaignOutput(self.get_queryset().get(pk=campaign.pk)).data)

    @extend_schema(request=None, responses={200: CampaignOpenOutput, 202: CampaignOpenOutput})
    @action(detail=True, methods=["post"], filter_backends=[])
    def open(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """Launch: invite the target group's people with valid consent and send the e-mails.
        A small group is invited at once (200); a larger one is prepared by the worker (202,
        the campaign ``launching``: follow ``status_url``)."""
        result = services.campaign_launch(campaign=self.get_object(), actor=actor_of(request))
        campaign = self.get_queryset().get(pk=result.campaign.pk)
        return Response(
            CampaignOpenOutput(
                {
                    "campaign": campaign,
                    "invited": result.invited,
                    "without_consent": result.without_consent,
                    "queued": result.queued,
                    "status_url": f"/api/v1/survey-campaigns/{campaign.pk}/",
                }
            ).data,
            status=status.HTTP_202_ACCEPTED if result.queued else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses=CampaignOutput)
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        campaign = services.campaign_close(campaign=self.get_object(), actor=actor_of(request))
        return Response(CampaignOutput(self.get_queryset().get(pk=campaign.pk)).data)

    @extend_schema(request=None, responses={202: None})
    @action(detail=True, methods=["post"], filter_backends=[])
    def remind(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """E-mail a reminder (with a fresh link) to everyone who has not submitted."""
        services.campaign_remind(campaign=self.get_object(), actor=actor_of(request))
        return Response(status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=CampaignResults)
    @action(detail=True, methods=["get"], filter_backends=[])
    def results(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        campaign = self.get_object()
        data = selectors.campaign_results(
            campaign, open_answers=actor_of(request).role == Role.COORDINATOR
        )
        return Response(CampaignResults(data).data)

    @extend_schema(
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="Results (and, for the coordinator, every response) as XLSX.",
            )
        }
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        renderer_classes=[XLSXRenderer, JSONRenderer],
    )
    def export(self, request: Request, pk: str | None = None, **kwargs: Any) -> HttpResponse:
        campaign = self.get_object()
        coordinator = actor_of(request).role == Role.COORDINATOR
        content = exports.campaign_xlsx(campaign, with_answers=coordinator)
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="survey-{campaign.pk}.xlsx"'
        return response

    @extend_schema(parameters=[BEFORE_PARAMETER], responses=GrowthOutput)
    @action(detail=True, methods=["get"], filter_backends=[])
    def growth(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """Growth = this (after) campaign − the ``before`` campaign, per person and question."""
        after = self.get_object()
        raw = request.query_params.get("before", "")
        before = self.get_queryset().filter(pk=int(raw)).first() if raw.isdigit() else None
        if before is None:
            raise exceptions.ValidationError(
                {"before": [_("Choose the campaign answered before.")]}
            )
        return Response(GrowthOutput(selectors.growth(before=before, after=after)).data)

    @extend_schema(responses=RegionalComparison)
    @action(detail=True, methods=["get"], filter_backends=[])
    def regional(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """This campaign's regional questions beside the other institutions of the region:
        their published (suppressed) numbers, aggregated, never one institution alone."""
        campaign = self.get_object()
        questionnaire = campaign.questionnaire
        institution = current_institution()
        if not questionnaire.is_adopted or institution is None:
            raise exceptions.ValidationError(
                {
                    "questionnaire": [
                        _(
                            "Only questionnaires adopted from a regional template "
                            "compare with the region."
                        )
                    ]
                }
            )
        peers = survey_results.peer_summary(
            template_code=questionnaire.template_code,
            academic_year=campaign.academic_year,
            exclude_institution_id=institution.id,
        )
        questions = [
            {**own, "region": peers.get(own["code"])}
            for own in selectors.own_regional_results(campaign)
        ]
        return Response(
            RegionalComparison(
                {
                    "template_code": questionnaire.template_code,
                    "academic_year": campaign.academic_year,
                    "min_group_size": survey_results.min_group_size(),
                    "questions": questions,
                }
            ).data
        )


# --- invitations, answering, responses -----------------------------------------------------------


def _form(invitation: SurveyInvitation) -> dict[str, Any]:
    campaign = invitation.campaign
    questionnaire = campaign.questionnaire
    response = SurveyResponse.objects.filter(invitation=invitation).first()
    return SurveyForm(
        {
            "invitation": invitation.pk,
            "campaign": campaign.pk,
            "title": campaign.title,
            "intro": questionnaire.intro,
            "closes_on": campaign.closes_on,
            "accepts_answers": services.campaign_accepts_answers(campaign),
            "status": response.status if response else "none",
            "answers": response.answers if response else {},
            "questions": services.questions_of(questionnaire),
        }
    ).data


class SurveyInvitationViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Invitations: the coordinator sees every one (and may give a person a one-time link to
    print or pass on); everybody else sees their own and answers them here: ``form`` (GET),
    ``draft`` (PUT) and ``submit`` (POST)."""

    read_roles = EVERY_TENANT_ROLE
    write_roles = EVERY_TENANT_ROLE
    action_roles = {"link": INSTITUTION_MANAGERS}
    serializer_class = SurveyInvitationOutput
    filterset_fields = ["campaign"]

    def scoped_queryset(self) -> QuerySet[SurveyInvitation]:
        return SurveyInvitation.objects.select_related(
            "campaign__questionnaire", "participant", "response"
        )

    def scope_for_actor(self, queryset: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
        if actor.is_coordinator:
            return queryset
        return queryset.filter(Q(participant__user_id=actor.user_id) | Q(user_id=actor.user_id))

    def _own(self) -> SurveyInvitation:
        invitation = self.get_object()
        person = invitation.participant
        own = invitation.user_id or (person.user_id if person is not None else None)
        if own != self.request.user.pk:
            raise Http404  # one may answer only for oneself
        return invitation

    @extend_schema(responses=SurveyForm)
    @action(detail=True, methods=["get"], filter_backends=[])
    def form(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        return Response(_form(self._own()))

    @extend_schema(request=AnswersInput, responses=SurveyForm)
    @action(detail=True, methods=["put"], filter_backends=[])
    def draft(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        invitation = self._own()
        data = AnswersInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.response_save_draft(
            invitation=invitation,
            answers=data.validated_data["answers"],
            channel=ResponseChannel.SIGNED_IN,
        )
        return Response(_form(invitation))

    @extend_schema(request=SubmitInput, responses=SurveyForm)
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        invitation = self._own()
        data = SubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.response_submit(
            invitation=invitation,
            answers=data.validated_data.get("answers"),
            channel=ResponseChannel.SIGNED_IN,
        )
        return Response(_form(invitation))

    @extend_schema(request=None, responses={201: LinkOutput})
    @action(detail=True, methods=["post"], filter_backends=[])
    def link(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """A new personal one-time link (the previous one stops working)."""
        invitation = self.get_object()
        if not services.campaign_accepts_answers(invitation.campaign):
            raise exceptions.ValidationError({"campaign": [_("The campaign is not open.")]})
        if SurveyResponse.objects.filter(
            invitation=invitation, status=ResponseStatus.SUBMITTED
        ).exists():
            raise exceptions.ValidationError(
                {"response": [_("These answers have already been submitted.")]}
            )
        token = services.invitation_link_issue(invitation_id=invitation.pk)
        url = mailing.link_url(request.get_host(), token)  # the host may carry the port
        return Response(LinkOutput({"url": url}).data, status=status.HTTP_201_CREATED)


class SurveyResponseViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Individual responses with their answers (open texts included): the coordinator only."""

    read_roles = INSTITUTION_MANAGERS
    write_roles = INSTITUTION_MANAGERS  # read-only routes: writes answer 405 like elsewhere
    http_method_names = ["get", "head", "options"]
    serializer_class = ResponseOutput
    filterset_fields = ["campaign", "status"]

    def scoped_queryset(self) -> QuerySet[SurveyResponse]:
        return SurveyResponse.objects.all()


# --- one-time links (no login) -------------------------------------------------------------------


TOKEN_PARAMETER = OpenApiParameter("token", str, OpenApiParameter.PATH)


class SurveyLinkViewSet(viewsets.GenericViewSet[SurveyInvitation]):
    """Answering through a personal one-time link, without signing in (e.g. parents). The
    token is looked up by its hash in this institution's schema only: a token of another
    institution is not found here (404). After the answers are submitted the link is used up
    (410). GET the questionnaire, PUT a draft, POST to submit."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    lookup_field = "token"
    lookup_value_regex = r"[A-Za-z0-9_-]{20,100}"
    serializer_class = SurveyForm

    def _invitation(self, token: str) -> SurveyInvitation:
        if tenant_connection().schema_name == "public":
            raise Http404
        invitation = services.invitation_by_token(token)
        if invitation is None:
            raise Http404
        if SurveyResponse.objects.filter(
            invitation=invitation, status=ResponseStatus.SUBMITTED
        ).exists():
            raise LinkGone()
        return invitation

    @extend_schema(auth=[], parameters=[TOKEN_PARAMETER], responses=SurveyForm)
    def retrieve(self, request: Request, token: str = "", **kwargs: Any) -> Response:
        return Response(_form(self._invitation(token)))

    @extend_schema(
        auth=[], parameters=[TOKEN_PARAMETER], request=AnswersInput, responses=SurveyForm
    )
    def update(self, request: Request, token: str = "", **kwargs: Any) -> Response:
        invitation = self._invitation(token)
        data = AnswersInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.response_save_draft(
            invitation=invitation,
            answers=data.validated_data["answers"],
            channel=ResponseChannel.LINK,
        )
        return Response(_form(invitation))

    @extend_schema(auth=[], parameters=[TOKEN_PARAMETER], request=SubmitInput, responses=SurveyForm)
    @action(detail=True, methods=["post"], url_path="submit")
    def submit(self, request: Request, token: str = "", **kwargs: Any) -> Response:
        return self._submit(request, token)

    def post(self, request: Request, token: str = "", **kwargs: Any) -> Response:
        """POST on the link itself submits too (the same as ``submit/``)."""
        return self._submit(request, token)

    def _submit(self, request: Request, token: str) -> Response:
        invitation = self._invitation(token)
        data = SubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.response_submit(
            invitation=invitation,
            answers=data.validated_data.get("answers"),
            channel=ResponseChannel.LINK,
        )
        return Response(_form(invitation))
