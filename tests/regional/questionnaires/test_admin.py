"""The regional admin site shows the templates; published versions are read-only there and
publishing goes through the service."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from regional.questionnaires.models import TemplateVersion
from tests.conftest import make_user


@pytest.fixture
def admin_client(db, tenants) -> Client:
    user = make_user("public", Role.REGIONAL_ADMIN, "q-admin", is_staff=True, is_superuser=True)
    client = Client(HTTP_HOST="nastavnik.test")
    client.force_login(user, backend="accounts.backends.InstitutionAwareBackend")
    return client


def test_admin_pages_open(admin_client):
    published = TemplateVersion.objects.get(template__code="growth-after", number=1)
    for url in [
        "/admin/questionnaire_templates/questionnairetemplate/",
        f"/admin/questionnaire_templates/questionnairetemplate/{published.template_id}/change/",
        "/admin/questionnaire_templates/templateversion/",
        f"/admin/questionnaire_templates/templateversion/{published.pk}/change/",
        "/admin/questionnaire_templates/questionnairetemplate/add/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_published_version_is_read_only_and_actions_use_the_services(admin_client, draft):
    published = TemplateVersion.objects.get(template__code="growth-after", number=1)
    response = admin_client.post(
        f"/admin/questionnaire_templates/templateversion/{published.pk}/change/",
        {"intro": "Изменено"},
    )
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.intro != "Изменено"
    # Publishing an empty draft through the admin action is refused with a message.
    response = admin_client.post(
        "/admin/questionnaire_templates/templateversion/",
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert "questions" in response.content.decode()


def test_bulk_delete_refuses_published_templates(admin_client, template):
    from regional.questionnaires.models import QuestionnaireTemplate

    published = QuestionnaireTemplate.objects.get(code="mentor-profile")
    response = admin_client.post(
        "/admin/questionnaire_templates/questionnairetemplate/",
        {
            "action": "delete_selected",
            "_selected_action": [published.pk, template.pk],
            "post": "yes",
        },
        follow=True,
    )
    assert response.status_code == 403  # a published template (and version) is never deleted
    assert QuestionnaireTemplate.objects.filter(pk__in=[published.pk, template.pk]).count() == 2
