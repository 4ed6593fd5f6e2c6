"""answers_validate: what institutions will call when people answer a template version."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from regional.questionnaires import services
from regional.questionnaires.models import TemplateVersion
from tests.conftest import SETUP
from tests.regional.questionnaires.conftest import choice, scale, yes_no


@pytest.fixture
def version(draft: TemplateVersion) -> TemplateVersion:
    services.question_add(actor=SETUP, version=draft, **scale("comfort"))
    services.question_add(actor=SETUP, version=draft, **yes_no("needs_help"))
    services.question_add(
        actor=SETUP,
        version=draft,
        code="help_area",
        text="В чём помочь?",
        kind="single_choice",
        options=[{"code": "study", "text": "Учёба"}, {"code": "career", "text": "Профессия"}],
        condition_question="needs_help",
        condition_value="yes",
    )
    services.question_add(
        actor=SETUP,
        version=draft,
        code="career_details",
        text="Какая профессия интересует?",
        kind="short_text",
        condition_question="help_area",
        condition_value="career",
    )
    services.question_add(
        actor=SETUP, version=draft, **choice("topics", "multiple_choice", required=False)
    )
    services.question_add(
        actor=SETUP,
        version=draft,
        code="hours",
        text="Часов в месяц",
        kind="number",
        min_value=0,
        max_value=40,
        required=False,
    )
    services.question_add(
        actor=SETUP,
        version=draft,
        code="comment",
        text="Комментарий",
        kind="long_text",
        required=False,
    )
    return services.version_publish(version=draft, actor=SETUP)


VALID: dict[str, Any] = {
    "comfort": 7,
    "needs_help": True,
    "help_area": "career",
    "career_details": "Агроном",
    "topics": ["a", "b"],
    "hours": 4.5,
    "comment": "Всё хорошо",
}


def problems(version: TemplateVersion, answers: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        services.answers_validate(version_id=version.pk, answers=answers)
    return info.value.message_dict


def test_valid_answers_pass(version):
    services.answers_validate(version_id=version.pk, answers=VALID)
    services.answers_validate(version_id=version.pk, answers={"comfort": 1, "needs_help": False})


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"comfort": 11}, "comfort", "from 1 to 10"),
        ({"comfort": 0}, "comfort", "from 1 to 10"),
        ({"comfort": 7.5}, "comfort", "whole number"),
        ({"comfort": "7"}, "comfort", "whole number"),
        ({"comfort": True}, "comfort", "whole number"),
        ({"needs_help": "yes"}, "needs_help", "true"),
        ({"help_area": "sport"}, "help_area", "Unknown option"),
        ({"help_area": ["career"]}, "help_area", "one option"),
        ({"topics": ["a", "z"]}, "topics", "Unknown option"),
        ({"topics": "a"}, "topics", "list"),
        ({"topics": ["a", "a"]}, "topics", "twice"),
        ({"hours": 41}, "hours", "not above 40"),
        ({"hours": -1}, "hours", "not below 0"),
        ({"hours": "4"}, "hours", "number"),
        ({"hours": float("nan")}, "hours", "number"),
        ({"comment": 5}, "comment", "text"),
        ({"career_details": "x" * 501}, "career_details", "500"),
        ({"surprise": 1}, "surprise", "no such question"),
    ],
)
def test_wrong_answers_are_named_per_question(version, changes, code, message):
    errors = problems(version, {**VALID, **changes})
    assert list(errors) == [code]
    assert message in errors[code][0]


@pytest.mark.parametrize("empty", [None, "", "   ", []])
def test_missing_required_answer(version, empty):
    errors = problems(version, {**VALID, "comfort": empty})
    assert errors == {"comfort": ["This question requires an answer."]}
    errors = problems(version, {k: v for k, v in VALID.items() if k != "comfort"})
    assert list(errors) == ["comfort"]


def test_required_question_hidden_by_its_condition_needs_no_answer(version):
    services.answers_validate(version_id=version.pk, answers={"comfort": 5, "needs_help": False})
    # Shown: then required.
    errors = problems(version, {"comfort": 5, "needs_help": True})
    assert list(errors) == ["help_area"]
    # Hidden through a chain: help_area hidden, so career_details (needs help_area=career) too.
    services.answers_validate(
        version_id=version.pk, answers={"comfort": 5, "needs_help": True, "help_area": "study"}
    )
    errors = problems(version, {"comfort": 5, "needs_help": True, "help_area": "career"})
    assert list(errors) == ["career_details"]


def test_a_wrong_controlling_answer_is_reported_once(version):
    errors = problems(version, {"comfort": 5, "needs_help": "yes", "help_area": "career"})
    assert list(errors) == ["needs_help"]


def test_hidden_question_takes_no_answer(version):
    errors = problems(version, {"comfort": 5, "needs_help": False, "help_area": "career"})
    assert list(errors) == ["help_area"]
    assert "hidden" in errors["help_area"][0]


def test_several_problems_at_once_and_unknown_version(version):
    errors = problems(version, {"comfort": 99, "needs_help": "no", "hours": 100})
    assert set(errors) == {"comfort", "needs_help", "hours"}
    with pytest.raises(ValidationError) as info:
        services.answers_validate(version_id=0, answers={})
    assert "version" in info.value.message_dict


def test_answers_must_be_an_object(version):
    errors = problems(version, ["comfort", 5])  # type: ignore[arg-type]
    assert "answers" in errors
