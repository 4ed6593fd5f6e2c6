"""Public interface of the questionnaire templates (for the apps that use templates)."""

from regional.questionnaires.models import (
    Purpose,
    QuestionKind,
    TemplateVersion,
    VersionStatus,
)
from regional.questionnaires.selectors import published_version_get, version_list_with_questions
from regional.questionnaires.services import answers_validate


def version_get(*, version_id: int) -> TemplateVersion | None:
    """A version with its questions (ordered), or None."""
    return version_list_with_questions().filter(pk=version_id).first()


__all__ = [
    "Purpose",
    "QuestionKind",
    "TemplateVersion",
    "VersionStatus",
    "answers_validate",
    "published_version_get",
    "version_get",
]
