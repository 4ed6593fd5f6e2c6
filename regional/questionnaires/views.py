"""Regional API for questionnaire templates (public schema, regional host).

Roles: regional staff and the regional administrator read everything, write drafts and publish
them — the methodology gives publishing templates to the regional centre's staff. Retiring a
version withdraws it from every institution's choice, so it is for the regional administrator
only. Institutions' users, employers and anonymous callers get nothing here (their read access
comes with the institutions' questionnaires)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.actor import actor_of
from config.api.base import REGIONAL, REGIONAL_ADMIN, PublicViewSet
from regional.questionnaires import selectors, services
from regional.questionnaires.models import (
    MENTORING_FORM_CODES,
    GrowthPhase,
    Purpose,
    Question,
    QuestionKind,
    QuestionnaireTemplate,
    TargetRole,
    TemplateVersion,
    VersionStatus,
)

# --- fields ---------------------------------------------------------------------------------


def _inline_enum(choices: list[tuple[str, Any]], what: str) -> dict[str, Any]:
    """An enum kept inline in the property (under ``allOf``), not made a named component:
    ``kind`` and ``status`` are names other serializers use for other choice sets, and
    drf-spectacular would warn about the name collision. Drop this once the settings name the
    enums (ENUM_NAME_OVERRIDES)."""
    values = [str(value) for value, _label in choices]
    return {"allOf": [{"type": "string", "enum": values}], "description": what}


@extend_schema_field(_inline_enum(QuestionKind.choices, "Kind of question."))
class QuestionKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=QuestionKind.choices, **kwargs)


@extend_schema_field(_inline_enum(VersionStatus.choices, "Status of the version."))
class VersionStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=VersionStatus.choices, **kwargs)


# --- output ---------------------------------------------------------------------------------


class TemplateQuestionOption(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=63)
    text = serializers.CharField(max_length=500)


class TemplateQuestionOutput(serializers.ModelSerializer[Question]):
    kind = QuestionKindField(read_only=True)
    options = TemplateQuestionOption(many=True, read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "version",
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
        ]


class TemplateVersionSummary(serializers.ModelSerializer[TemplateVersion]):
    status = VersionStatusField(read_only=True)
    question_count = serializers.SerializerMethodField()

    class Meta:
        model = TemplateVersion
        fields = ["id", "number", "status", "published_at", "retired_at", "question_count"]

    @extend_schema_field(OpenApiTypes.INT)
    def get_question_count(self, obj: TemplateVersion) -> int:
        count = getattr(obj, "question_count", None)
        return obj.questions.count() if count is None else int(count)


class TemplateVersionOutput(TemplateVersionSummary):
    template_code = serializers.CharField(source="template.code", read_only=True)
    questions = serializers.SerializerMethodField()

    class Meta:
        model = TemplateVersion
        fields = [
            "id",
            "template",
            "template_code",
            "number",
            "status",
            "intro",
            "change_note",
            "published_at",
            "retired_at",
            "created_at",
            "question_count",
            "questions",
        ]

    @extend_schema_field(TemplateQuestionOutput(many=True))
    def get_questions(self, obj: TemplateVersion) -> list[dict[str, Any]]:
        questions = sorted(obj.questions.all(), key=lambda q: q.order)
        return list(TemplateQuestionOutput(questions, many=True).data)


class QuestionnaireTemplateOutput(serializers.ModelSerializer[QuestionnaireTemplate]):
    latest_published = serializers.SerializerMethodField(
        help_text="The newest published version: the one to use now."
    )
    draft = serializers.SerializerMethodField(help_text="The version being edited, if any.")
    versions = serializers.SerializerMethodField(help_text="Every version, newest first.")

    class Meta:
        model = QuestionnaireTemplate
        fields = [
            "id",
            "code",
            "title",
            "description",
            "purpose",
            "growth_phase",
            "target_roles",
            "target_forms",
            "latest_published",
            "draft",
            "versions",
            "created_at",
            "updated_at",
        ]

    def _versions(self, obj: QuestionnaireTemplate) -> list[TemplateVersion]:
        versions = getattr(obj, "versions_desc", None)
        if versions is None:
            versions = list(obj.versions.order_by("-number"))
        return versions

    @extend_schema_field(TemplateVersionSummary(allow_null=True))
    def get_latest_published(self, obj: QuestionnaireTemplate) -> dict[str, Any] | None:
        version = selectors.latest_published(self._versions(obj))
        return None if version is None else dict(TemplateVersionSummary(version).data)

    @extend_schema_field(TemplateVersionSummary(allow_null=True))
    def get_draft(self, obj: QuestionnaireTemplate) -> dict[str, Any] | None:
        version = next((v for v in self._versions(obj) if v.is_draft), None)
        return None if version is None else dict(TemplateVersionSummary(version).data)

    @extend_schema_field(TemplateVersionSummary(many=True))
    def get_versions(self, obj: QuestionnaireTemplate) -> list[dict[str, Any]]:
        return list(TemplateVersionSummary(self._versions(obj), many=True).data)


# --- input ----------------------------------------------------------------------------------


class QuestionnaireTemplateInput(serializers.Serializer[Any]):
    code = serializers.SlugField(max_length=80, help_text="Stable identifier, e.g. mentee-intake.")
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    growth_phase = serializers.ChoiceField(
        choices=GrowthPhase.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="For growth questionnaires: before or after the programme.",
    )
    target_roles = serializers.ListField(child=serializers.ChoiceField(choices=TargetRole.choices))
    target_forms = serializers.ListField(
        child=serializers.ChoiceField(choices=[(c, c) for c in MENTORING_FORM_CODES]),
        required=False,
        default=list,
        help_text="Forms of mentoring it is meant for; empty for every form.",
    )
    intro = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Introduction of version 1."
    )


class QuestionnaireTemplateUpdateInput(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    target_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=TargetRole.choices), required=False
    )
    target_forms = serializers.ListField(
        child=serializers.ChoiceField(choices=[(c, c) for c in MENTORING_FORM_CODES]),
        required=False,
    )


class TemplateVersionUpdateInput(serializers.Serializer[Any]):
    intro = serializers.CharField(required=False, allow_blank=True)
    change_note = serializers.CharField(required=False, allow_blank=True)


class TemplateQuestionInput(serializers.Serializer[Any]):
    code = serializers.CharField(
        max_length=63, help_text="Stable across versions: answers are compared by it."
    )
    text = serializers.CharField()
    # Fields named like attributes of a DRF Field: the serializer's metaclass takes them off
    # the class, the type checker does not know it.
    help_text = serializers.CharField(  # type: ignore[assignment]
        required=False, allow_blank=True, default=""
    )
    kind = QuestionKindField()
    required = serializers.BooleanField(  # type: ignore[assignment]
        required=False, default=True
    )
    min_value = serializers.IntegerField(required=False, allow_null=True, default=None)
    max_value = serializers.IntegerField(required=False, allow_null=True, default=None)
    min_label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    max_label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    options = TemplateQuestionOption(many=True, required=False, default=list)
    condition_question = serializers.CharField(
        max_length=63,
        required=False,
        allow_blank=True,
        default="",
        help_text="Show only if the earlier question with this code ...",
    )
    condition_value = serializers.CharField(
        max_length=63,
        required=False,
        allow_blank=True,
        default="",
        help_text="... was answered this: yes / no, or an option code.",
    )
    position = serializers.IntegerField(
        min_value=1, required=False, help_text="1-based place in the version; the end if omitted."
    )


class AnswersCheckInput(serializers.Serializer[Any]):
    answers = serializers.DictField(
        child=serializers.JSONField(), help_text="Question code → answer."
    )


class AnswersCheckOutput(serializers.Serializer[Any]):
    valid = serializers.BooleanField()


def _question_fields(data: dict[str, Any]) -> tuple[int | None, dict[str, Any]]:
    values = dict(data)
    position = values.pop("position", None)
    if "options" in values:
        values["options"] = [dict(o) for o in values["options"]]
    return position, values


# --- views ----------------------------------------------------------------------------------


class TemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PublicViewSet):
    """Questionnaire templates of the region, each with its latest published version, its draft
    and every version. Create one (with an empty draft version 1), edit its catalogue data,
    start a new draft (a copy of the latest version)."""

    read_roles = REGIONAL
    write_roles = REGIONAL
    serializer_class = QuestionnaireTemplateOutput
    filterset_fields = ["purpose", "growth_phase"]
    search_fields = ["code", "title"]
    ordering_fields = ["code", "title", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped_queryset(self) -> QuerySet[QuestionnaireTemplate]:
        return selectors.template_list()

    def _output(self, template: QuestionnaireTemplate, code: int = status.HTTP_200_OK) -> Response:
        template = selectors.template_list().get(pk=template.pk)
        return Response(QuestionnaireTemplateOutput(template).data, status=code)

    @extend_schema(request=QuestionnaireTemplateInput, responses={201: QuestionnaireTemplateOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = QuestionnaireTemplateInput(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.template_create(**data.validated_data, actor=actor_of(request))
        return self._output(template, status.HTTP_201_CREATED)

    @extend_schema(request=QuestionnaireTemplateUpdateInput, responses=QuestionnaireTemplateOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = QuestionnaireTemplateUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.template_update(
            template=self.get_object(), actor=actor_of(request), **data.validated_data
        )
        return self._output(template)

    @extend_schema(request=None, responses={201: TemplateVersionOutput})
    @action(detail=True, methods=["post"], url_path="drafts")
    def new_draft(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a new draft version: a copy of the latest version."""
        draft = services.version_create_draft(template=self.get_object(), actor=actor_of(request))
        version = selectors.version_list_with_questions().get(pk=draft.pk)
        return Response(TemplateVersionOutput(version).data, status=status.HTTP_201_CREATED)


class TemplateVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PublicViewSet):
    """Versions with their questions. A draft is edited (its introduction, its questions),
    published or deleted; a published version never changes and may be retired."""

    read_roles = REGIONAL
    write_roles = REGIONAL
    action_roles = {"retire": REGIONAL_ADMIN}
    serializer_class = TemplateVersionOutput
    filterset_fields = ["template", "status"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scoped_queryset(self) -> QuerySet[TemplateVersion]:
        return selectors.version_list_with_questions()

    def _output(self, version: TemplateVersion, code: int = status.HTTP_200_OK) -> Response:
        version = selectors.version_list_with_questions().get(pk=version.pk)
        return Response(TemplateVersionOutput(version).data, status=code)

    @extend_schema(request=TemplateVersionUpdateInput, responses=TemplateVersionOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = TemplateVersionUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_update(
            version=self.get_object(), actor=actor_of(request), **data.validated_data
        )
        return self._output(version)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete a draft (a published or retired version is never deleted)."""
        services.version_delete_draft(version=self.get_object(), actor=actor_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=TemplateVersionOutput)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Publish a draft: it must have questions, well-formed ones, resolvable conditions."""
        return self._output(
            services.version_publish(version=self.get_object(), actor=actor_of(request))
        )

    @extend_schema(request=None, responses=TemplateVersionOutput)
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """No longer offered to institutions (regional administrator only)."""
        return self._output(
            services.version_retire(version=self.get_object(), actor=actor_of(request))
        )

    @extend_schema(request=TemplateQuestionInput, responses={201: TemplateQuestionOutput})
    @action(detail=True, methods=["post"], url_path="questions")
    def add_question(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add a question to a draft."""
        data = TemplateQuestionInput(data=request.data)
        data.is_valid(raise_exception=True)
        position, fields = _question_fields(data.validated_data)
        question = services.question_add(
            version=self.get_object(), actor=actor_of(request), position=position, **fields
        )
        return Response(TemplateQuestionOutput(question).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswersCheckInput, responses=AnswersCheckOutput)
    @action(detail=True, methods=["post"], url_path="check-answers")
    def check_answers(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Check sample answers against this version (nothing is stored): 200 or 400 with the
        problems per question code."""
        data = AnswersCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = self.get_object()
        services.answers_validate(version_id=version.pk, answers=data.validated_data["answers"])
        return Response({"valid": True})


class QuestionViewSet(mixins.RetrieveModelMixin, PublicViewSet):
    """A question of a version: change or remove it while its version is a draft."""

    read_roles = REGIONAL
    write_roles = REGIONAL
    serializer_class = TemplateQuestionOutput
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def scoped_queryset(self) -> QuerySet[Question]:
        return selectors.question_list()

    @extend_schema(request=TemplateQuestionInput, responses=TemplateQuestionOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = TemplateQuestionInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        position, fields = _question_fields(data.validated_data)
        question = services.question_update(
            question=self.get_object(), actor=actor_of(request), position=position, **fields
        )
        return Response(TemplateQuestionOutput(question).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.question_remove(question=self.get_object(), actor=actor_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
