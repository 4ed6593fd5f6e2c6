"""Input and output serializers of the monitoring API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from regional.questionnaires.api import GrowthPhase, Purpose, QuestionKind
from schools.monitoring.models import (
    CampaignStatus,
    Question,
    Questionnaire,
    QuestionnaireOrigin,
    ResponseChannel,
    ResponseStatus,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    TargetKind,
)
from schools.programmes.models import MentoringForm

# --- questionnaires -------------------------------------------------------------------------------


class OptionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=63)
    text = serializers.CharField(max_length=500)


class QuestionOutput(serializers.ModelSerializer[Question]):
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    options = OptionSerializer(many=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "order",
            "code",
            "text",
            "help_text",
            "kind",
            "required",
            "min_value",
            "max_value",
            "min_label",
            "max_label",
            "options",
            "condition_question",
            "condition_value",
            "regional",
        ]
        read_only_fields = fields


class QuestionInput(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=63)
    text = serializers.CharField()
    help_text = serializers.CharField(required=False, allow_blank=True, default="")  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    required = serializers.BooleanField(required=False, default=True)  # type: ignore[assignment]
    min_value = serializers.IntegerField(required=False, allow_null=True, default=None)
    max_value = serializers.IntegerField(required=False, allow_null=True, default=None)
    min_label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    max_label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    options = OptionSerializer(many=True, required=False, default=list)
    condition_question = serializers.CharField(
        max_length=63, required=False, allow_blank=True, default=""
    )
    condition_value = serializers.CharField(
        max_length=63, required=False, allow_blank=True, default=""
    )


class QuestionUpdateInput(QuestionInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class QuestionnaireOutput(serializers.ModelSerializer[Questionnaire]):
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    growth_phase = serializers.ChoiceField(choices=GrowthPhase.choices)
    origin = serializers.ChoiceField(choices=QuestionnaireOrigin.choices)
    questions = QuestionOutput(many=True)

    class Meta:
        model = Questionnaire
        fields = [
            "id",
            "title",
            "description",
            "intro",
            "purpose",
            "growth_phase",
            "origin",
            "template_version_id",
            "template_code",
            "template_version_number",
            "created_at",
            "questions",
        ]
        read_only_fields = fields


class QuestionnaireCreateInput(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    intro = serializers.CharField(required=False, allow_blank=True, default="")
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    growth_phase = serializers.ChoiceField(
        choices=GrowthPhase.choices, required=False, allow_blank=True, default=""
    )
    questions = QuestionInput(many=True)


class AdoptInput(serializers.Serializer[Any]):
    template_version = serializers.IntegerField(help_text="A published regional version id.")
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class TemplateOfferOutput(serializers.Serializer[Any]):
    template_version = serializers.IntegerField()
    template_code = serializers.CharField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    question_count = serializers.IntegerField()


# --- campaigns ----------------------------------------------------------------------------------


class CampaignOutput(serializers.ModelSerializer[SurveyCampaign]):
    status = serializers.ChoiceField(choices=CampaignStatus.choices)
    target_kind = serializers.ChoiceField(choices=TargetKind.choices)
    academic_year = serializers.IntegerField()
    invited = serializers.SerializerMethodField()
    submitted = serializers.SerializerMethodField()

    class Meta:
        model = SurveyCampaign
        fields = [
            "id",
            "title",
            "questionnaire",
            "programme",
            "target_kind",
            "target_form",
            "target_pair",
            "target_study_group",
            "target_participant_ids",
            "opens_on",
            "closes_on",
            "status",
            "opened_at",
            "closed_at",
            "academic_year",
            "invited",
            "submitted",
            "launch_total",
            "launch_done",
            "launch_error",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "launch_total": {"help_text": "A launch under way: the people to invite."},
            "launch_done": {"help_text": "A launch under way: the invitations prepared so far."},
            "launch_error": {"help_text": "Why the last launch failed (the campaign is a draft)."},
        }

    def get_invited(self, obj: SurveyCampaign) -> int:
        return int(getattr(obj, "invited_count", 0) or 0)

    def get_submitted(self, obj: SurveyCampaign) -> int:
        return int(getattr(obj, "submitted_count", 0) or 0)


class CampaignCreateInput(serializers.Serializer[Any]):
    questionnaire = serializers.IntegerField()
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    programme = serializers.IntegerField(required=False, allow_null=True, default=None)
    target_kind = serializers.ChoiceField(choices=TargetKind.choices)
    target_form = serializers.ChoiceField(
        choices=MentoringForm.choices, required=False, allow_blank=True, default=""
    )
    target_pair = serializers.IntegerField(required=False, allow_null=True, default=None)
    target_study_group = serializers.IntegerField(required=False, allow_null=True, default=None)
    target_participant_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()


class CampaignUpdateInput(serializers.Serializer[Any]):
    opens_on = serializers.DateField(required=False)
    closes_on = serializers.DateField(required=False)


class CampaignOpenOutput(serializers.Serializer[Any]):
    campaign = CampaignOutput()
    invited = serializers.IntegerField()
    without_consent = serializers.IntegerField(
        help_text="People of the target group left out: no valid consent."
    )
    queued = serializers.BooleanField(
        help_text=(
            "The worker prepares the invitations (202): follow the campaign's status "
            "(launching, then open; a draft with launch_error if it failed) and launch_done."
        )
    )
    status_url = serializers.CharField(help_text="The campaign's path in the API (poll it).")


# --- results ------------------------------------------------------------------------------------


class DistributionItem(serializers.Serializer[Any]):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class GroupStats(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="A form of mentoring code, or a pair id.")
    answered = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)


class OpenAnswer(serializers.Serializer[Any]):
    response = serializers.IntegerField()
    text = serializers.CharField()


class QuestionResult(serializers.Serializer[Any]):
    code = serializers.CharField()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    regional = serializers.BooleanField()
    answered = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    distribution = DistributionItem(many=True, allow_null=True)
    by_form = GroupStats(many=True)
    by_pair = GroupStats(many=True)
    open_answers = OpenAnswer(
        many=True, allow_null=True, help_text="Texts of open answers: the coordinator only."
    )


class CampaignResults(serializers.Serializer[Any]):
    campaign = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=CampaignStatus.choices)
    invited = serializers.IntegerField()
    drafts = serializers.IntegerField()
    submitted = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True, help_text="Percent of invited.")
    questions = QuestionResult(many=True)


class GrowthQuestion(serializers.Serializer[Any]):
    code = serializers.CharField()
    text = serializers.CharField()
    people = serializers.IntegerField()
    mean_before = serializers.FloatField(allow_null=True)
    mean_after = serializers.FloatField(allow_null=True)
    mean_change = serializers.FloatField(allow_null=True)
    median_change = serializers.FloatField(allow_null=True)
    improved = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    declined = serializers.IntegerField()


class GrowthPerson(serializers.Serializer[Any]):
    participant = serializers.IntegerField()
    name = serializers.CharField()
    changes = serializers.DictField(child=serializers.FloatField())
    mean_change = serializers.FloatField(allow_null=True)


class GrowthOutput(serializers.Serializer[Any]):
    before = serializers.IntegerField()
    after = serializers.IntegerField()
    people = serializers.IntegerField()
    mean_change = serializers.FloatField(allow_null=True)
    questions = GrowthQuestion(many=True)
    per_person = GrowthPerson(many=True)


class PeerSummary(serializers.Serializer[Any]):
    enough_institutions = serializers.BooleanField()
    institutions_published = serializers.IntegerField(allow_null=True)
    respondents = serializers.IntegerField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)
    institution_mean_min = serializers.FloatField(allow_null=True)
    institution_mean_median = serializers.FloatField(allow_null=True)
    institution_mean_max = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        allow_null=True,
        help_text="value → the others' published answers; null where any hides it.",
    )


class RegionalComparisonQuestion(serializers.Serializer[Any]):
    code = serializers.CharField()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    answered = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    region = PeerSummary(
        allow_null=True, help_text="Other institutions, aggregated and suppressed."
    )


class RegionalComparison(serializers.Serializer[Any]):
    template_code = serializers.CharField()
    academic_year = serializers.IntegerField()
    min_group_size = serializers.IntegerField()
    questions = RegionalComparisonQuestion(many=True)


# --- invitations and responses ------------------------------------------------------------------


class SurveyInvitationOutput(serializers.ModelSerializer[SurveyInvitation]):
    campaign_title = serializers.CharField(source="campaign.title")
    closes_on = serializers.DateField(source="campaign.closes_on")
    participant_name = serializers.CharField(source="respondent_name")
    response_status = serializers.SerializerMethodField()

    class Meta:
        model = SurveyInvitation
        fields = [
            "id",
            "campaign",
            "campaign_title",
            "closes_on",
            "participant",
            "participant_name",
            "form",
            "pair",
            "email_sent_at",
            "reminded_at",
            "response_status",
        ]
        read_only_fields = fields

    def get_response_status(self, obj: SurveyInvitation) -> str:
        """``none``, ``draft`` or ``submitted``."""
        response = getattr(obj, "response", None)
        return response.status if response is not None else "none"


class SurveyForm(serializers.Serializer[Any]):
    """What a respondent sees: the questionnaire and their answers so far."""

    invitation = serializers.IntegerField()
    campaign = serializers.IntegerField()
    title = serializers.CharField()
    intro = serializers.CharField()
    closes_on = serializers.DateField()
    accepts_answers = serializers.BooleanField()
    status = serializers.CharField(help_text="none, draft or submitted")
    answers = serializers.DictField()
    questions = QuestionOutput(many=True)


class AnswersInput(serializers.Serializer[Any]):
    answers = serializers.DictField(help_text="{question code: value}")


class SubmitInput(serializers.Serializer[Any]):
    answers = serializers.DictField(
        required=False, help_text="{question code: value}; without it the saved draft is sent."
    )


class ResponseOutput(serializers.ModelSerializer[SurveyResponse]):
    status = serializers.ChoiceField(choices=ResponseStatus.choices)
    channel = serializers.ChoiceField(choices=ResponseChannel.choices)

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "campaign",
            "participant",
            "answers",
            "status",
            "channel",
            "submitted_at",
            "updated_at",
        ]
        read_only_fields = fields


class LinkOutput(serializers.Serializer[Any]):
    url = serializers.CharField(help_text="The personal one-time link (shown once).")
