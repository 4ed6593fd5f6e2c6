"""The questionnaire template editor and the anonymous regional survey results."""

from __future__ import annotations

from typing import Any

from tests.conftest import SETUP
from tests.web.areas.core import REGIONAL

PUBLIC_ALLOWED = {
    "templates": REGIONAL,
    "template-create": REGIONAL,
    "template-update": REGIONAL,
    "template-version": REGIONAL,
    "template-version-preview": REGIONAL,
    "template-question": REGIONAL,
    "survey-results": REGIONAL,
    "survey-results-xlsx": REGIONAL,
}
PUBLIC_ID_OF = {
    "template-version-new": "q_template",
    "template-update": "q_template",
    "template-version-retire": "q_published",
    "template-version": "q_draft",
    "template-version-update": "q_draft",
    "template-version-publish": "q_draft",
    "template-version-delete": "q_draft",
    "template-version-preview": "q_draft",
    "template-question-add": "q_draft",
    "template-question": "q_question",
    "template-question-move": "q_question",
    "template-question-delete": "q_question",
}


def make_template(code: str = "web-test-template") -> dict[str, Any]:
    """A template with a published version 1 (a yes/no question and a conditional scale) and a
    draft version 2 copied from it."""
    from regional.questionnaires import services

    template = services.template_create(
        actor=SETUP,
        code=code,
        title="Удовлетворённость программой",
        purpose="satisfaction",
        target_roles=["mentee"],
    )
    published = template.versions.get()
    services.question_add(
        actor=SETUP,
        version=published,
        code="liked",
        text="Понравилась ли программа?",
        kind="yes_no",
    )
    services.question_add(
        actor=SETUP,
        version=published,
        code="score",
        text="Оцените программу",
        kind="scale",
        min_value=1,
        max_value=10,
        min_label="плохо",
        max_label="отлично",
        condition_question="liked",
        condition_value="yes",
    )
    services.version_publish(version=published, actor=SETUP)
    draft = services.version_create_draft(actor=SETUP, template=template)
    return {
        "template": template,
        "published": published,
        "draft": draft,
        "question": draft.questions.get(code="score"),
    }


def publish_results(institution_id: int, code: str = "web-test-template", year: int = 2026) -> None:
    """Anonymous results of one institution: one question above the minimum group size, one
    below it (suppressed)."""
    from regional.survey_results import services

    services.institution_results_replace(
        institution_id=institution_id,
        k=5,
        rows=[
            {
                "template_code": code,
                "template_version_id": 1,
                "academic_year": year,
                "question_code": "liked",
                "question_kind": "yes_no",
                "respondents": 15,
                "mean": None,
                "distribution": {"yes": 9, "no": 6},
            },
            {
                "template_code": code,
                "template_version_id": 1,
                "academic_year": year,
                "question_code": "score",
                "question_kind": "scale",
                "respondents": 4,
                "mean": 7.5,
                "distribution": {"7": 2, "8": 2},
            },
        ],
    )


def public_objects(tenant: Any) -> dict[str, int]:
    made = make_template()
    publish_results(tenant.pk)
    return {
        "q_template": made["template"].pk,
        "q_published": made["published"].pk,
        "q_draft": made["draft"].pk,
        "q_question": made["question"].pk,
    }


# Not a page with a frame: the XLSX download of one chart's data.
FRAGMENTS = {"survey-results-xlsx"}
