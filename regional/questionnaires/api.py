"""Public interface of the questionnaire templates (for the apps that use templates)."""

from collections.abc import Mapping, Sequence
from typing import Any

from regional.questionnaires import validation
from regional.questionnaires.models import (
    GrowthPhase,
    Purpose,
    QuestionKind,
    TemplateVersion,
    VersionStatus,
)
from regional.questionnaires.selectors import (
    published_version_get,
    version_list,
    version_list_with_questions,
)
from regional.questionnaires.services import answers_validate
from regional.questionnaires.validation import QuestionLike


def version_get(*, version_id: int) -> TemplateVersion | None:
    """A version with its questions (ordered), or None."""
    return version_list_with_questions().filter(pk=version_id).first()


def published_versions() -> list[dict[str, Any]]:
    """Every published (not retired) version an institution may adopt, newest first per
    template: {"template_version", "template_code", "number", "title", "purpose",
    "question_count"}."""
    return [
        {
            "template_version": version.pk,
            "template_code": version.template.code,
            "number": version.number,
            "title": version.template.title,
            "purpose": version.template.purpose,
            "question_count": int(getattr(version, "question_count", 0)),
        }
        for version in version_list().filter(status=VersionStatus.PUBLISHED)
    ]


def answers_problems(
    *, questions: Sequence[QuestionLike], answers: Mapping[str, Any]
) -> dict[str, list[str]]:
    """The same checks as ``answers_validate`` over any question-like objects (an institution's
    own questions): ``{question code: [messages]}``, empty when the answers are valid."""
    return validation.answers_problems(questions, answers)


def questions_problems(*, questions: Sequence[QuestionLike]) -> dict[str, list[str]]:
    """What keeps a list of question-like objects from being a valid questionnaire, keyed by
    question code (``questions`` for the list as a whole); empty when it is valid."""
    return validation.version_problems(questions)


__all__ = [
    "GrowthPhase",
    "Purpose",
    "QuestionKind",
    "QuestionLike",
    "TemplateVersion",
    "VersionStatus",
    "answers_problems",
    "answers_validate",
    "published_version_get",
    "published_versions",
    "questions_problems",
    "version_get",
]
