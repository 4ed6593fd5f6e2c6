"""Who writes the region's shared templates, asked of the services themselves: the regional
centre writes and publishes, only its administrator retires a version, an institution's or an
employer's account nothing (the API and the pages pass the request's actor)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from accounts.actor import Actor, actor_for
from accounts.models import Role
from regional.questionnaires import services
from regional.questionnaires.models import QuestionnaireTemplate, TemplateVersion, VersionStatus
from tests.conftest import make_user
from tests.regional.questionnaires.conftest import yes_no


def _actor(role: str) -> Actor:
    return actor_for(make_user("public", role, f"tpl-acl-{role}"), schema="public")


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.MUNICIPAL])
def test_outside_the_regional_centre_no_template_is_written(
    role: str, template: QuestionnaireTemplate, draft: TemplateVersion
) -> None:
    outsider = _actor(role)
    calls = [
        lambda: services.template_create(
            code="x", title="X", purpose="satisfaction", target_roles=["mentee"], actor=outsider
        ),
        lambda: services.template_update(template=template, title="Иначе", actor=outsider),
        lambda: services.version_update(version=draft, intro="Иначе", actor=outsider),
        lambda: services.question_add(version=draft, actor=outsider, **yes_no("q")),
        lambda: services.version_publish(version=draft, actor=outsider),
        lambda: services.version_delete_draft(version=draft, actor=outsider),
        lambda: services.version_create_draft(template=template, actor=outsider),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert not draft.questions.exists()
    template.refresh_from_db()
    assert template.title == "Тестовая анкета"


def test_staff_write_and_publish_and_only_an_administrator_retires(
    draft: TemplateVersion,
) -> None:
    staff = _actor(Role.REGIONAL_STAFF)
    question = services.question_add(version=draft, actor=staff, **yes_no("q"))
    services.question_update(question=question, text="Нравится?", actor=staff)
    version = services.version_publish(version=draft, actor=staff)
    with pytest.raises(PermissionDenied):
        services.version_retire(version=version, actor=staff)
    retired = services.version_retire(version=version, actor=_actor(Role.REGIONAL_ADMIN))
    assert retired.status == VersionStatus.RETIRED
    draft2 = services.version_create_draft(template=version.template, actor=staff)
    assert draft2.created_by_id is not None and draft2.number == 2


def test_an_outsider_neither_changes_nor_removes_a_question(draft: TemplateVersion) -> None:
    from tests.conftest import SETUP

    question = services.question_add(version=draft, actor=SETUP, **yes_no("kept"))
    outsider = _actor(Role.MUNICIPAL)
    with pytest.raises(PermissionDenied):
        services.question_update(question=question, text="Иначе", actor=outsider)
    with pytest.raises(PermissionDenied):
        services.question_remove(question=question, actor=outsider)
    question.refresh_from_db()
    assert question.text == "kept?"
