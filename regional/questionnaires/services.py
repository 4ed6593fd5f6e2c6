"""Writes on questionnaire templates: templates, versions, questions; and the check of answers.

Only a draft version is edited. Publishing validates the whole version; from then on it never
changes (the database refuses it too, see migration 0002) and edits start a new draft, a copy
of the latest version."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actor import Actor, author_id
from regional.questionnaires import access, validation
from regional.questionnaires.models import (
    MENTORING_FORM_CODES,
    Purpose,
    Question,
    QuestionnaireTemplate,
    TargetRole,
    TemplateVersion,
    VersionStatus,
)
from tenants.api import PublicAuditAction, public_audit_record

# Fields of a question that an editor sets (``version``, ``order`` are the service's).
QUESTION_FIELDS = (
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
)


def _raise(errors: Mapping[str, list[str]]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def _check_audience(
    target_roles: Sequence[str], target_forms: Sequence[str]
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not target_roles:
        errors["target_roles"] = [_("Name at least one role that answers this questionnaire.")]
    elif unknown := sorted(set(target_roles) - set(TargetRole.values)):
        errors["target_roles"] = [_("Unknown roles: %(v)s.") % {"v": ", ".join(unknown)}]
    if unknown_forms := sorted(set(target_forms) - set(MENTORING_FORM_CODES)):
        errors["target_forms"] = [
            _("Unknown forms of mentoring: %(v)s.") % {"v": ", ".join(unknown_forms)}
        ]
    return errors


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


@transaction.atomic
def template_create(
    *,
    code: str,
    title: str,
    purpose: str,
    target_roles: Sequence[str],
    target_forms: Sequence[str] = (),
    growth_phase: str = "",
    description: str = "",
    intro: str = "",
    actor: Actor,
) -> QuestionnaireTemplate:
    """A new template with an empty draft version 1."""
    access.check_templates_write(actor)
    created_by_id = author_id(actor)
    errors = _check_audience(target_roles, target_forms)
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Unknown purpose.")]
    elif purpose == Purpose.GROWTH and growth_phase not in ("before", "after"):
        errors["growth_phase"] = [_("A growth questionnaire is for before or after.")]
    elif purpose != Purpose.GROWTH and growth_phase:
        errors["growth_phase"] = [_("Only a growth questionnaire has a phase.")]
    if not title.strip():
        errors["title"] = [_("The template needs a title.")]
    if QuestionnaireTemplate.objects.filter(code=code).exists():
        errors["code"] = [_("A template with this code already exists.")]
    _raise(errors)
    template = QuestionnaireTemplate(
        code=code,
        title=title.strip(),
        description=description,
        purpose=purpose,
        growth_phase=growth_phase,
        target_roles=_unique(target_roles),
        target_forms=_unique(target_forms),
        created_by_id=created_by_id,
    )
    template.full_clean()
    template.save()
    TemplateVersion.objects.create(
        template=template, number=1, intro=intro, created_by_id=created_by_id
    )
    return template


@transaction.atomic
def template_update(
    *,
    template: QuestionnaireTemplate,
    title: str | None = None,
    description: str | None = None,
    target_roles: Sequence[str] | None = None,
    target_forms: Sequence[str] | None = None,
    actor: Actor,
) -> QuestionnaireTemplate:
    """Catalogue data of a template (what it is called, who answers it). Code, purpose and
    growth phase are fixed at creation: institutions and results rely on them."""
    access.check_templates_write(actor)
    template = QuestionnaireTemplate.objects.select_for_update().get(pk=template.pk)
    roles = template.target_roles if target_roles is None else target_roles
    forms = template.target_forms if target_forms is None else target_forms
    errors = _check_audience(roles, forms)
    if title is not None and not title.strip():
        errors["title"] = [_("The template needs a title.")]
    _raise(errors)
    if title is not None:
        template.title = title.strip()
    if description is not None:
        template.description = description
    template.target_roles = _unique(roles)
    template.target_forms = _unique(forms)
    template.save()
    return template


def _locked_version(version: TemplateVersion) -> TemplateVersion:
    return TemplateVersion.objects.select_for_update().select_related("template").get(pk=version.pk)


def _require_draft(version: TemplateVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            {
                "version": [
                    _(
                        "Version %(n)d is %(status)s and cannot change; "
                        "create a new draft to edit the questionnaire."
                    )
                    % {"n": version.number, "status": version.get_status_display()}
                ]
            }
        )


@transaction.atomic
def version_create_draft(*, template: QuestionnaireTemplate, actor: Actor) -> TemplateVersion:
    """A new draft: a copy of the template's latest version (its intro and questions)."""
    access.check_templates_write(actor)
    QuestionnaireTemplate.objects.select_for_update().get(pk=template.pk)
    versions = TemplateVersion.objects.filter(template=template)
    if versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(
            {"template": [_("This template already has a draft; edit it or delete it.")]}
        )
    latest = versions.order_by("-number").first()
    draft = TemplateVersion.objects.create(
        template=template,
        number=(latest.number if latest else 0) + 1,
        intro=latest.intro if latest else "",
        created_by_id=author_id(actor),
    )
    if latest is not None:
        Question.objects.bulk_create(
            Question(version=draft, order=q.order, **{f: getattr(q, f) for f in QUESTION_FIELDS})
            for q in latest.questions.all()
        )
    return draft


@transaction.atomic
def version_update(
    *,
    version: TemplateVersion,
    intro: str | None = None,
    change_note: str | None = None,
    actor: Actor,
) -> TemplateVersion:
    access.check_templates_write(actor)
    version = _locked_version(version)
    _require_draft(version)
    if intro is not None:
        version.intro = intro
    if change_note is not None:
        version.change_note = change_note
    version.save(update_fields=["intro", "change_note"])
    return version


@transaction.atomic
def version_delete_draft(*, version: TemplateVersion, actor: Actor) -> None:
    access.check_templates_write(actor)
    version = _locked_version(version)
    _require_draft(version)
    _audit_version(version=version, action=PublicAuditAction.DELETE, fields=[], actor=actor)
    version.delete()


def _audit_version(
    *, version: TemplateVersion, action: str, fields: list[str], actor: Actor
) -> None:
    code = TemplateVersion.objects.values_list("template__code", flat=True).get(pk=version.pk)
    public_audit_record(
        actor=actor,
        action=action,
        instance=version,
        changed_fields=fields,
        label=f"{code} v{version.number}",
    )


@transaction.atomic
def version_publish(*, version: TemplateVersion, actor: Actor) -> TemplateVersion:
    """Publish a draft after checking all of it: at least one question, every question
    well-formed (scales min < max, options for choice kinds), every condition resolvable."""
    access.check_templates_write(actor)
    version = _locked_version(version)
    _require_draft(version)
    _raise(validation.version_problems(list(version.questions.all())))
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    _audit_version(
        version=version,
        action=PublicAuditAction.PUBLISH,
        fields=["status", "published_at"],
        actor=actor,
    )
    return version


@transaction.atomic
def version_retire(*, version: TemplateVersion, actor: Actor) -> TemplateVersion:
    """No longer offered for new use; whoever already uses it keeps it."""
    access.check_version_retire(actor)
    version = _locked_version(version)
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError({"version": [_("Only a published version can be retired.")]})
    version.status = VersionStatus.RETIRED
    version.retired_at = timezone.now()
    version.save(update_fields=["status", "retired_at"])
    _audit_version(
        version=version,
        action=PublicAuditAction.RETIRE,
        fields=["status", "retired_at"],
        actor=actor,
    )
    return version


def _save_orders(ordered: list[Question], before: Mapping[int, int], skip: Question) -> None:
    """Store the new orders of the questions that moved (the order constraint is deferred to
    the end of the transaction, so intermediate duplicates are fine)."""
    for q in ordered:
        if q is not skip and before.get(q.pk) != q.order:
            q.save(update_fields=["order"])


def _check_question_in_version(question: Question, questions: list[Question]) -> None:
    """The question on its own, its code unique, and every condition of the version."""
    errors = validation.question_problems(question)
    if any(q.code == question.code for q in questions if q.pk != question.pk):
        errors.setdefault("code", []).append(
            _("This version already has a question with this code.")
        )
    _raise(errors)
    ordered = sorted(questions, key=lambda q: q.order)
    for index, q in enumerate(ordered):
        problems = validation.condition_problems(q, ordered[:index])
        if problems and q.pk == question.pk:
            _raise(problems)
        if problems:
            raise ValidationError(
                {
                    "code": [
                        _("Question %(code)r depends on this one; change its condition first.")
                        % {"code": q.code}
                    ]
                }
            )


def _place(questions: list[Question], question: Question, position: int | None) -> list[Question]:
    """The questions in their new order, numbered 1..n: ``question`` at ``position`` (1-based),
    else where it was (a stored question) or at the end (a new one)."""
    if position is None and question.pk is not None:
        position = question.order
    others = [q for q in sorted(questions, key=lambda q: q.order) if q.pk != question.pk]
    index = len(others) if position is None else max(0, min(position - 1, len(others)))
    others.insert(index, question)
    for number, q in enumerate(others, start=1):
        q.order = number
    return others


@transaction.atomic
def question_add(
    *, version: TemplateVersion, actor: Actor, position: int | None = None, **fields: Any
) -> Question:
    """Add a question to a draft, at ``position`` (1-based) or at the end.

    ``fields``: the names in ``QUESTION_FIELDS``; ``code``, ``text`` and ``kind`` are needed."""
    access.check_templates_write(actor)
    version = _locked_version(version)
    _require_draft(version)
    if unknown := set(fields) - set(QUESTION_FIELDS):
        raise TypeError(f"question_add() got unexpected fields {sorted(unknown)}")
    question = Question(version=version, order=0, **fields)
    questions = list(version.questions.all())
    before = {q.pk: q.order for q in questions}
    ordered = _place([*questions, question], question, position)
    _check_question_in_version(question, ordered)
    question.save()
    _save_orders(ordered, before, skip=question)
    return question


@transaction.atomic
def question_update(
    *, question: Question, actor: Actor, position: int | None = None, **fields: Any
) -> Question:
    """Change a question of a draft (any of ``QUESTION_FIELDS``) or move it to ``position``."""
    access.check_templates_write(actor)
    question = Question.objects.select_related("version").get(pk=question.pk)
    version = _locked_version(question.version)
    _require_draft(version)
    if unknown := set(fields) - set(QUESTION_FIELDS):
        raise TypeError(f"question_update() got unexpected fields {sorted(unknown)}")
    old_code = question.code
    for name, value in fields.items():
        setattr(question, name, value)
    questions = [q for q in version.questions.all() if q.pk != question.pk]
    before = {q.pk: q.order for q in questions}
    renamed: list[Question] = []
    if question.code != old_code:
        # Conditions that named the old code follow the rename.
        for q in questions:
            if q.condition_question == old_code:
                q.condition_question = question.code
                renamed.append(q)
    ordered = _place([*questions, question], question, position)
    _check_question_in_version(question, ordered)
    question.save()
    for q in renamed:
        q.save(update_fields=["condition_question"])
    _save_orders(ordered, before, skip=question)
    return question


@transaction.atomic
def question_remove(*, question: Question, actor: Actor) -> None:
    access.check_templates_write(actor)
    question = Question.objects.select_related("version").get(pk=question.pk)
    version = _locked_version(question.version)
    _require_draft(version)
    dependants = [q.code for q in version.questions.all() if q.condition_question == question.code]
    if dependants:
        raise ValidationError(
            {
                "code": [
                    _("Questions %(codes)s are shown depending on this one; change them first.")
                    % {"codes": ", ".join(dependants)}
                ]
            }
        )
    question.delete()
    for number, q in enumerate(version.questions.order_by("order"), start=1):
        if q.order != number:
            q.order = number
            q.save(update_fields=["order"])


def answers_validate(*, version_id: int, answers: Mapping[str, Any]) -> None:
    """Check a set of answers ``{question code: value}`` against a version.

    Values: scale — a whole number within the scale; number — a number within its bounds;
    yes/no — true or false; single choice — an option code; multiple choice — a list of option
    codes; texts — strings. A required question needs an answer unless its condition hides it;
    a hidden question takes none. Raises ``ValidationError({code: [messages]})``."""
    questions = _questions_of_version(version_id)
    if questions is None:
        raise ValidationError({"version": [_("No such questionnaire version.")]})
    _raise(validation.answers_problems(questions, answers))


# The questions of published (and retired) versions, read once per process: such a version
# never changes (the database refuses it too), and every answer of an adopted questionnaire
# is checked against its version (a class answering at once: two queries per submission).
_FROZEN_QUESTIONS: dict[int, tuple[Question, ...]] = {}


def _questions_of_version(version_id: int) -> tuple[Question, ...] | None:
    questions = _FROZEN_QUESTIONS.get(version_id)
    if questions is not None:
        return questions
    version = TemplateVersion.objects.filter(pk=version_id).prefetch_related("questions").first()
    if version is None:
        return None
    questions = tuple(version.questions.all())
    if version.status != VersionStatus.DRAFT:
        _FROZEN_QUESTIONS[version_id] = questions
    return questions
