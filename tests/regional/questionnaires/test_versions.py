"""Versions: a published version never changes (services and database); edits make a new
draft; publishing validates the whole version; questions and their conditions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from regional.questionnaires import services
from regional.questionnaires.models import Question, TemplateVersion
from tests.conftest import SETUP
from tests.regional.questionnaires.conftest import choice, scale, yes_no


def codes(version: TemplateVersion) -> list[str]:
    return list(version.questions.order_by("order").values_list("code", flat=True))


def test_template_starts_with_an_empty_draft(template):
    versions = list(template.versions.all())
    assert [(v.number, v.status) for v in versions] == [(1, "draft")]
    assert versions[0].questions.count() == 0


def test_published_version_refuses_every_change_in_the_services(published):
    question = published.questions.get(code="comfort")
    attempts = [
        lambda: services.question_add(actor=SETUP, version=published, **yes_no("late")),
        lambda: services.question_update(actor=SETUP, question=question, text="Другой текст"),
        lambda: services.question_remove(actor=SETUP, question=question),
        lambda: services.version_update(actor=SETUP, version=published, intro="Новое введение"),
        lambda: services.version_publish(version=published, actor=SETUP),
        lambda: services.version_delete_draft(version=published, actor=SETUP),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as info:
            attempt()
        assert "version" in info.value.message_dict
    assert codes(published) == ["comfort", "needs_help", "help_details"]
    question.refresh_from_db()
    assert question.text == "Оцените comfort"


def test_database_refuses_changes_to_a_published_version(published):
    question = published.questions.get(code="comfort")
    writes = [
        lambda: Question.objects.filter(pk=question.pk).update(text="Изменено"),
        lambda: Question.objects.filter(pk=question.pk).delete(),
        lambda: Question.objects.create(
            version=published, order=9, code="sneaky", text="?", kind="yes_no"
        ),
        lambda: TemplateVersion.objects.filter(pk=published.pk).update(intro="Изменено"),
        lambda: TemplateVersion.objects.filter(pk=published.pk).update(status="draft"),
        lambda: TemplateVersion.objects.filter(pk=published.pk).delete(),
    ]
    for write in writes:
        with pytest.raises(IntegrityError), transaction.atomic():
            write()
    question.refresh_from_db()
    assert question.text == "Оцените comfort"
    assert TemplateVersion.objects.get(pk=published.pk).status == "published"


def test_retire_is_the_only_change_after_publishing(published):
    retired = services.version_retire(version=published, actor=SETUP)
    assert retired.status == "retired" and retired.retired_at is not None
    with pytest.raises(ValidationError):
        services.version_retire(version=retired, actor=SETUP)
    with pytest.raises(IntegrityError), transaction.atomic():
        TemplateVersion.objects.filter(pk=published.pk).update(status="published")


def test_editing_makes_a_new_draft_copied_from_the_latest_version(template, published):
    draft = services.version_create_draft(actor=SETUP, template=template)
    assert (draft.number, draft.status) == (2, "draft")
    assert codes(draft) == codes(published)
    services.question_update(
        actor=SETUP, question=draft.questions.get(code="comfort"), text="Новый текст"
    )
    services.question_add(actor=SETUP, version=draft, position=1, **scale("motivation"))
    assert codes(draft) == ["motivation", "comfort", "needs_help", "help_details"]
    assert published.questions.get(code="comfort").text == "Оцените comfort"
    with pytest.raises(ValidationError, match="already has a draft"):
        services.version_create_draft(actor=SETUP, template=template)
    services.version_publish(version=draft, actor=SETUP)
    third = services.version_create_draft(actor=SETUP, template=template)
    assert third.number == 3
    assert codes(third) == ["motivation", "comfort", "needs_help", "help_details"]


def test_a_draft_can_be_deleted_but_not_a_published_version(template, published):
    draft = services.version_create_draft(actor=SETUP, template=template)
    services.version_delete_draft(version=draft, actor=SETUP)
    assert list(template.versions.values_list("number", flat=True)) == [1]


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        (scale("s", min_value=5, max_value=5), "max_value"),
        (scale("s", min_value=10, max_value=1), "max_value"),
        (scale("s", min_value=None), "max_value"),
        ({**choice("c"), "options": []}, "options"),
        ({**choice("c", "multiple_choice"), "options": [{"code": "a", "text": "А"}]}, "options"),
        (
            {**choice("c"), "options": [{"code": "a", "text": "А"}, {"code": "a", "text": "Б"}]},
            "options",
        ),
        (
            {
                **choice("c"),
                "options": [{"code": "Bad code", "text": "А"}, {"code": "b", "text": "Б"}],
            },
            "options",
        ),
        ({**yes_no("y"), "options": [{"code": "a", "text": "А"}]}, "options"),
        ({**yes_no("y"), "min_value": 1}, "min_value"),
        (
            {"code": "n", "text": "Сколько?", "kind": "number", "min_value": 5, "max_value": 1},
            "max_value",
        ),
        (yes_no("Не код"), "code"),
        ({**yes_no("y"), "text": "  "}, "text"),
    ],
)
def test_malformed_questions_are_refused(draft, fields, error_field):
    with pytest.raises(ValidationError) as info:
        services.question_add(actor=SETUP, version=draft, **fields)
    assert error_field in info.value.message_dict
    assert draft.questions.count() == 0


def test_question_codes_are_unique_in_a_version(draft):
    services.question_add(actor=SETUP, version=draft, **yes_no("q"))
    with pytest.raises(ValidationError) as info:
        services.question_add(actor=SETUP, version=draft, **scale("q"))
    assert "code" in info.value.message_dict


def test_conditions_must_refer_to_an_earlier_yes_no_or_single_choice_question(draft):
    services.question_add(actor=SETUP, version=draft, **yes_no("agree"))
    services.question_add(actor=SETUP, version=draft, **choice("pick"))
    services.question_add(actor=SETUP, version=draft, **choice("many", "multiple_choice"))
    services.question_add(actor=SETUP, version=draft, **scale("rate"))
    bad = [
        ({"condition_question": "missing", "condition_value": "yes"}, "condition_question"),
        ({"condition_question": "many", "condition_value": "a"}, "condition_question"),
        ({"condition_question": "rate", "condition_value": "5"}, "condition_question"),
        ({"condition_question": "agree", "condition_value": "maybe"}, "condition_value"),
        ({"condition_question": "pick", "condition_value": "z"}, "condition_value"),
        ({"condition_question": "agree", "condition_value": ""}, "condition_value"),
    ]
    for condition, field in bad:
        with pytest.raises(ValidationError) as info:
            services.question_add(actor=SETUP, version=draft, **yes_no("dependent", **condition))
        assert field in info.value.message_dict, (condition, info.value.message_dict)
    # Placed before the question it depends on: refused.
    with pytest.raises(ValidationError):
        services.question_add(
            actor=SETUP,
            version=draft,
            position=1,
            **yes_no("early", condition_question="agree", condition_value="no"),
        )
    services.question_add(
        actor=SETUP, version=draft, **yes_no("d1", condition_question="agree", condition_value="no")
    )
    services.question_add(
        actor=SETUP, version=draft, **yes_no("d2", condition_question="pick", condition_value="b")
    )
    assert codes(draft) == ["agree", "pick", "many", "rate", "d1", "d2"]


def test_changes_that_would_break_a_condition_are_refused(draft):
    agree = services.question_add(actor=SETUP, version=draft, **yes_no("agree"))
    services.question_add(
        actor=SETUP, version=draft, **yes_no("d", condition_question="agree", condition_value="yes")
    )
    with pytest.raises(ValidationError, match="depend"):
        services.question_remove(actor=SETUP, question=agree)
    with pytest.raises(ValidationError, match="depends"):
        services.question_update(actor=SETUP, question=agree, kind="short_text")
    with pytest.raises(ValidationError, match="depends"):
        services.question_update(actor=SETUP, question=agree, position=2)
    # Renaming the controlling question carries the condition along.
    services.question_update(actor=SETUP, question=agree, code="agree_now")
    assert draft.questions.get(code="d").condition_question == "agree_now"


def test_questions_move_and_are_renumbered(draft):
    for code in ("a", "b", "c", "d"):
        services.question_add(actor=SETUP, version=draft, **yes_no(code))
    services.question_update(actor=SETUP, question=draft.questions.get(code="d"), position=1)
    assert codes(draft) == ["d", "a", "b", "c"]
    services.question_remove(actor=SETUP, question=draft.questions.get(code="a"))
    assert codes(draft) == ["d", "b", "c"]
    assert list(draft.questions.order_by("order").values_list("order", flat=True)) == [1, 2, 3]


def test_publishing_validates_the_whole_version(draft):
    with pytest.raises(ValidationError) as info:
        services.version_publish(version=draft, actor=SETUP)
    assert "questions" in info.value.message_dict
    # Rows written around the services (e.g. a careless admin) are caught at publishing.
    Question.objects.create(
        version=draft, order=1, code="rate", text="?", kind="scale", min_value=3, max_value=1
    )
    Question.objects.create(version=draft, order=2, code="pick", text="?", kind="single_choice")
    Question.objects.create(
        version=draft,
        order=3,
        code="dep",
        text="?",
        kind="yes_no",
        condition_question="nowhere",
        condition_value="yes",
    )
    with pytest.raises(ValidationError) as info:
        services.version_publish(version=draft, actor=SETUP)
    assert set(info.value.message_dict) == {"rate", "pick", "dep"}
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_template_audience_is_checked(db):
    with pytest.raises(ValidationError) as info:
        services.template_create(
            actor=SETUP,
            code="x",
            title="X",
            purpose="satisfaction",
            target_roles=["pilot"],
            target_forms=["nope"],
        )
    assert set(info.value.message_dict) == {"target_roles", "target_forms"}
    with pytest.raises(ValidationError) as info:
        services.template_create(
            actor=SETUP, code="g", title="G", purpose="growth", target_roles=["mentee"]
        )
    assert "growth_phase" in info.value.message_dict
