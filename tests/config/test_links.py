"""The one link builder: scheme, host and port right whatever host it is given."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from config.links import absolute_url, bare_host, site_url
from tests import builders
from tests.conftest import SETUP


def test_bare_host_drops_the_port_only() -> None:
    assert bare_host("school-1.localhost:8803") == "school-1.localhost"
    assert bare_host("school-1.localhost") == "school-1.localhost"
    assert bare_host("[::1]:8000") == "[::1]"


@override_settings(SITE_SCHEME="http", SITE_PORT="8803", BASE_DOMAIN="localhost")
def test_a_host_with_its_port_gets_the_port_once() -> None:
    # the API's survey link once read http://school-1.localhost:8803:8803/surveys/link/…
    assert absolute_url("school-1.localhost:8803", "/surveys/link/t/") == (
        "http://school-1.localhost:8803/surveys/link/t/"
    )
    assert absolute_url("", "/healthz") == "http://localhost:8803/healthz"
    assert site_url("school-1.localhost") == "http://school-1.localhost:8803"
    assert absolute_url("localhost", "x", port=8000) == "http://localhost:8000/x"


@override_settings(SITE_SCHEME="https", SITE_PORT="443")
def test_the_default_port_is_not_written() -> None:
    assert absolute_url("school-1.example.org", "/") == "https://school-1.example.org/"


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["localhost", ".localhost", "127.0.0.1"], BASE_DOMAIN="localhost")
def test_the_bare_address_of_the_server_leads_to_the_regional_centre() -> None:
    response = Client(HTTP_HOST="127.0.0.1:8000").get("/admin/?x=1")
    assert response.status_code == 302
    assert response["Location"] == "http://localhost:8000/admin/?x=1"
    unknown = Client(HTTP_HOST="nobody.localhost", HTTP_ACCEPT_LANGUAGE="ru").get("/")
    assert unknown.status_code == 404
    assert "Страница не найдена" in unknown.content.decode()


@pytest.mark.django_db
@override_settings(SITE_SCHEME="http", SITE_PORT="8803")
def test_the_api_survey_link_has_the_port_once(tenant_a, client_for, user_in) -> None:
    """The link a coordinator gets from the API (the request's host carries the port)."""
    import datetime

    from django_tenants.utils import schema_context

    from accounts.models import Role
    from schools.monitoring import api as monitoring_api

    coordinator = user_in(tenant_a.schema_name, Role.COORDINATOR, "coord-links")
    with schema_context(tenant_a.schema_name):
        from regional.questionnaires import api as templates
        from schools.monitoring.models import SurveyInvitation

        person = builders.person(last_name="Иванов", first_name="Иван").pk
        version_id = templates.published_version_id(template_code="satisfaction-mentee")
        assert version_id is not None
        questionnaire = monitoring_api.questionnaire_adopt(version_id=version_id, actor=SETUP)
        today = datetime.date.today()
        monitoring_api.campaign_open_for_participants(
            questionnaire_id=questionnaire,
            participant_ids=[person],
            opens_on=today,
            closes_on=today + datetime.timedelta(days=5),
            actor=SETUP,
        )
        invitation = SurveyInvitation.objects.get(participant_id=person)
    client = client_for(tenant_a, coordinator)
    client.defaults["HTTP_HOST"] = f"{tenant_a.host}:8803"
    response = client.post(f"/api/v1/survey-invitations/{invitation.pk}/link/")
    assert response.status_code == 201, response.content
    assert response.json()["url"].startswith(f"http://{tenant_a.host}:8803/surveys/link/")
