"""Public interface of the questionnaire templates (for the apps that use templates).

A version leaves the app as plain data (``VersionCopy``, its questions as dicts of the
question's fields), never as a model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from regional.questionnaires import validation
from regional.questionnaires.models import (
    GrowthPhase,
    Purpose,
    QuestionKind,
    TemplateVersion,
    VersionStatus,
)
from regional.questionnaires.selectors import version_list, version_list_with_questions
from regional.questionnaires.services import QUESTION_FIELDS, answers_validate
from regional.questionnaires.validation import QuestionLike


@dataclass(frozen=True)
class VersionCopy:
    """A template version as an institution copies it: the template's texts and the
    version's questions in order, each a dict of ``order`` and ``QUESTION_FIELDS``."""

    id: int
    number: int
    status: str
    intro: str
    template_code: str
    title: str
    description: str
    purpose: str
    growth_phase: str
    questions: tuple[dict[str, Any], ...]


def version_get(*, version_id: int) -> VersionCopy | None:
    """A version with its questions (ordered), or None."""
    version = version_list_with_questions().filter(pk=version_id).first()
    if version is None:
        return None
    template = version.template
    return VersionCopy(
        id=version.pk,
        number=version.number,
        status=version.status,
        intro=version.intro,
        template_code=template.code,
        title=template.title,
        description=template.description,
        purpose=template.purpose,
        growth_phase=template.growth_phase,
        questions=tuple(
            {
                "order": question.order,
                **{field: getattr(question, field) for field in QUESTION_FIELDS},
            }
            for question in version.questions.all()
        ),
    )


def published_version_id(*, template_code: str) -> int | None:
    """The id of the newest published version of the template with this code, or None."""
    return (
        TemplateVersion.objects.filter(template__code=template_code, status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .values_list("pk", flat=True)
        .first()
    )


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
    "VersionCopy",
    "VersionStatus",
    "answers_problems",
    "answers_validate",
    "published_version_id",
    "published_versions",
    "questions_problems",
    "version_get",
]
