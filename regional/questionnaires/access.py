"""Who may write the region's shared questionnaire templates: the one place of the rule (the
services, the API and the pages call it).

- The regional centre (its administrators and staff) writes templates, their drafts and
  questions, and publishes a version; only an administrator retires one (institutions keep
  using it, but no new one adopts it).
- A system job (seeding, a data migration) may do everything it is asked to."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts import roles
from accounts.actor import Actor
from regional.questionnaires.models import Question, QuestionnaireTemplate, TemplateVersion


def may_write_templates(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.REGIONAL)


def may_retire_versions(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.REGIONAL_ADMIN)


def check_templates_write(actor: Actor) -> None:
    if not may_write_templates(actor):
        raise PermissionDenied


def check_version_retire(actor: Actor) -> None:
    if not may_retire_versions(actor):
        raise PermissionDenied


def _found(actor: Actor, queryset: QuerySet[Any], pk: int) -> Any:
    """The row for the regional centre (the templates are its own); 404 for anyone else and
    for a missing id alike. Writing is checked again by the services."""
    if not may_write_templates(actor):
        raise Http404
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def access_template_by_id(
    actor: Actor,
    template_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[QuestionnaireTemplate] | None = None,
) -> QuestionnaireTemplate:
    queryset = QuestionnaireTemplate.objects.all() if queryset is None else queryset
    template: QuestionnaireTemplate = _found(actor, queryset, template_id)
    return template


def access_version_by_id(
    actor: Actor,
    version_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[TemplateVersion] | None = None,
) -> TemplateVersion:
    queryset = TemplateVersion.objects.all() if queryset is None else queryset
    version: TemplateVersion = _found(actor, queryset, version_id)
    return version


def access_question_by_id(
    actor: Actor,
    question_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[Question] | None = None,
) -> Question:
    queryset = Question.objects.all() if queryset is None else queryset
    question: Question = _found(actor, queryset, question_id)
    return question


__all__ = [
    "access_question_by_id",
    "access_template_by_id",
    "access_version_by_id",
    "check_templates_write",
    "check_version_retire",
    "may_retire_versions",
    "may_write_templates",
]
