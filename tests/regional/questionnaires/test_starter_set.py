"""The starter set ships with the database (migration 0003): every template of the methodology
is there as published version 1, valid, and answerable."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from regional.questionnaires import services, validation
from regional.questionnaires.models import (
    MENTORING_FORM_CODES,
    Question,
    QuestionnaireTemplate,
    TemplateVersion,
)
from regional.questionnaires.starter import STARTER_SET
from schools.programmes.models import MentoringForm

pytestmark = pytest.mark.django_db

EXPECTED = {
    "mentee-intake": ("mentee_intake", ""),
    "mentor-profile": ("mentor_profile", ""),
    "group-meeting-preference": ("group_meeting_preference", ""),
    "intermediate-feedback": ("intermediate_feedback", ""),
    "satisfaction-mentor": ("satisfaction", ""),
    "satisfaction-mentee": ("satisfaction", ""),
    "programme-quality": ("programme_quality", ""),
    "growth-before": ("growth", "before"),
    "growth-after": ("growth", "after"),
}


def sample_answer(question: Question) -> Any:
    """A valid answer to any question."""
    if question.kind == "scale":
        return question.max_value
    if question.kind == "number":
        return question.min_value if question.min_value is not None else 1
    if question.kind == "yes_no":
        return True
    if question.kind == "single_choice":
        return question.options[0]["code"]
    if question.kind == "multiple_choice":
        return [question.options[0]["code"]]
    return "Ответ"


def test_starter_set_is_present_as_published_version_1(db):
    templates = {t.code: t for t in QuestionnaireTemplate.objects.all()}
    for code, (purpose, phase) in EXPECTED.items():
        template = templates[code]
        assert (template.purpose, template.growth_phase) == (purpose, phase)
        version = template.versions.get(number=1)
        assert version.status == "published" and version.published_at is not None
        assert version.questions.count() >= 5
        assert not validation.version_problems(list(version.questions.all()))


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_every_starter_template_accepts_a_full_set_of_answers(db, code):
    version = TemplateVersion.objects.get(template__code=code, number=1)
    questions = list(version.questions.order_by("order"))
    texts = " ".join(q.text for q in questions)
    assert any("а" <= ch <= "я" for ch in texts.lower()), "question texts are Russian"
    answers: dict[str, Any] = {}
    for question in questions:
        answer = sample_answer(question)
        if question.condition_question:
            source = next(q for q in questions if q.code == question.condition_question)
            wanted = question.condition_value
            shown = answers.get(source.code) == (
                wanted if source.kind == "single_choice" else wanted == "yes"
            )
            if not shown:
                continue
        answers[question.code] = answer
    services.answers_validate(version_id=version.pk, answers=answers)
    # Leaving out every optional answer is also fine.
    by_code = {q.code: q for q in questions}
    controlling = {q.condition_question for q in questions}
    services.answers_validate(
        version_id=version.pk,
        answers={c: a for c, a in answers.items() if by_code[c].required or c in controlling},
    )


def test_growth_before_and_after_share_their_scale_items():
    before = {
        q.code: q
        for q in TemplateVersion.objects.get(template__code="growth-before").questions.all()
    }
    after = {
        q.code: q
        for q in TemplateVersion.objects.get(template__code="growth-after").questions.all()
    }
    scales = {c for c, q in before.items() if q.kind == "scale"}
    assert scales == {c for c, q in after.items() if q.kind == "scale"}
    assert {"g_motivation", "g_involvement", "g_confidence", "g_results"} <= scales
    for code in scales:
        assert (
            (before[code].text, before[code].min_value, before[code].max_value)
            == (after[code].text, after[code].min_value, after[code].max_value)
            == (before[code].text, 1, 10)
        )


def test_satisfaction_covers_organisation_meetings_and_the_mentors_help():
    mentee = set(
        TemplateVersion.objects.get(template__code="satisfaction-mentee").questions.values_list(
            "code", flat=True
        )
    )
    mentor = set(
        TemplateVersion.objects.get(template__code="satisfaction-mentor").questions.values_list(
            "code", flat=True
        )
    )
    shared = {"s_organisation", "s_group_meetings", "s_personal_meetings", "s_expectations"}
    assert shared <= mentee and shared <= mentor
    assert "s_mentor_help" in mentee


def test_intake_requests_and_mentor_competences_use_the_same_option_codes():
    def options(template: str, code: str) -> list[str]:
        question = Question.objects.get(
            version__template__code=template, version__number=1, code=code
        )
        return [o["code"] for o in question.options]

    assert options("mentee-intake", "request_areas") == options("mentor-profile", "competences")


def test_seed_command_is_idempotent(db):
    out = io.StringIO()
    call_command("questionnaires", "seed", stdout=out)
    assert f"0 created, {len(STARTER_SET)} present" in out.getvalue()
    QuestionnaireTemplate.objects.filter(code="mentee-intake").update(code="mentee-intake-old")
    out = io.StringIO()
    call_command("questionnaires", "seed", stdout=out)
    assert "created\tmentee-intake" in out.getvalue()
    version = TemplateVersion.objects.get(template__code="mentee-intake")
    assert version.status == "published" and version.number == 1


def test_form_codes_are_those_of_the_programmes():
    assert set(MENTORING_FORM_CODES) == set(MentoringForm.values)
