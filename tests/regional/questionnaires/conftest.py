"""Fixtures for the questionnaire templates: a template with a draft being built."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from regional.questionnaires import services
from regional.questionnaires.models import QuestionnaireTemplate, TemplateVersion
from tests.conftest import SETUP


def scale(code: str, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "text": f"Оцените {code}",
        "kind": "scale",
        "min_value": 1,
        "max_value": 10,
        "min_label": "совсем нет",
        "max_label": "полностью",
        **extra,
    }


def yes_no(code: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "text": f"{code}?", "kind": "yes_no", **extra}


def choice(code: str, kind: str = "single_choice", **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "text": f"Выберите {code}",
        "kind": kind,
        "options": [{"code": "a", "text": "Вариант А"}, {"code": "b", "text": "Вариант Б"}],
        **extra,
    }


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Messages are checked in their English msgids (Django's own catalogue translates some)."""
    with translation.override("en"):
        yield


@pytest.fixture
def template(db: None) -> QuestionnaireTemplate:
    return services.template_create(
        actor=SETUP,
        code="test-feedback",
        title="Тестовая анкета",
        purpose="intermediate_feedback",
        target_roles=["mentor", "mentee"],
        target_forms=["student_student"],
    )


@pytest.fixture
def draft(template: QuestionnaireTemplate) -> TemplateVersion:
    return template.versions.get(number=1)


@pytest.fixture
def published(draft: TemplateVersion) -> TemplateVersion:
    services.question_add(actor=SETUP, version=draft, **scale("comfort"))
    services.question_add(actor=SETUP, version=draft, **yes_no("needs_help"))
    services.question_add(
        actor=SETUP,
        version=draft,
        code="help_details",
        text="Какая помощь нужна?",
        kind="long_text",
        condition_question="needs_help",
        condition_value="yes",
    )
    return services.version_publish(version=draft, actor=SETUP)


@pytest.fixture(autouse=True)
def _english_by_default(settings: Any) -> None:
    """These tests read message texts in the English msgids; users get Russian by default."""
    settings.LANGUAGE_CODE = "en"
