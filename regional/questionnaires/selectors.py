"""Reads on questionnaire templates."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from regional.questionnaires.models import (
    Question,
    QuestionnaireTemplate,
    TemplateVersion,
    VersionStatus,
)


def version_list() -> QuerySet[TemplateVersion]:
    return (
        TemplateVersion.objects.select_related("template")
        .annotate(question_count=Count("questions"))
        .order_by("template__code", "-number")
    )


def version_list_with_questions() -> QuerySet[TemplateVersion]:
    return version_list().prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("order"))
    )


def template_list() -> QuerySet[QuestionnaireTemplate]:
    """Templates with their versions (newest first) in ``versions_desc``."""
    return QuestionnaireTemplate.objects.prefetch_related(
        Prefetch(
            "versions",
            queryset=TemplateVersion.objects.annotate(question_count=Count("questions")).order_by(
                "-number"
            ),
            to_attr="versions_desc",
        )
    ).order_by("purpose", "code")


def question_list() -> QuerySet[Question]:
    return Question.objects.select_related("version", "version__template").order_by(
        "version", "order"
    )


def latest_published(versions: list[TemplateVersion]) -> TemplateVersion | None:
    """The newest published version among ``versions`` (newest first)."""
    return next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)


def published_version_get(*, template_code: str) -> TemplateVersion | None:
    """The newest published version of the template with this code, with its questions."""
    return (
        version_list_with_questions()
        .filter(template__code=template_code, status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )
