from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import schema_exists

from tenants.models import Domain, Institution, OnboardingApplication

URL = "/api/v1/institutions/"


def payload(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Муниципальное бюджетное общеобразовательное учреждение СОШ № 7",
        "short_name": "СОШ № 7",
        "kind": "school",
        "slug": "sosh-7",
        "inn": "2636012345",
        "coordinator_email": "coordinator@sosh7.ru",
        "coordinator_name": "Петрова Анна Сергеевна",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(client_for, regional_admin, tenants):
    return client_for(None, regional_admin)


def _valid_inn() -> str:
    from config.validators import is_valid_inn

    return next(f"263601234{d}" for d in range(10) if is_valid_inn(f"263601234{d}"))


def test_regional_admin_creates_institution_and_provisioning_is_queued(admin_client, tenants):
    response = admin_client.post(
        URL, payload(municipality=tenants.municipality.pk, inn=_valid_inn()), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "provisioning"
    assert body["host"] == "sosh-7.nastavnik.test"
    assert Domain.objects.filter(domain="sosh-7.nastavnik.test").exists()
    # The schema is made by the worker, not by the request.
    assert not schema_exists("sosh_7")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slug": "alpha"}, "slug"),  # taken by the session's institution A
        ({"slug": "select"}, "slug"),  # an SQL keyword
        ({"slug": "user"}, "slug"),
        ({"slug": "public"}, "slug"),
        ({"slug": "pg-stat"}, "slug"),
        ({"slug": 'bad"; drop schema public; --'}, "slug"),
        ({"slug": "Школа"}, "slug"),
        ({"slug": "a"}, "slug"),
        ({"slug": "double--hyphen"}, "slug"),
        ({"inn": "1234567890"}, "inn"),  # wrong check digit
        ({"inn": "12345"}, "inn"),
        ({"municipality": 999999}, "municipality"),
        ({"kind": "university"}, "kind"),
        ({"coordinator_email": "not-an-email"}, "coordinator_email"),
    ],
)
def test_bad_input_gets_400_with_field_errors_and_leaves_nothing(
    admin_client, tenants, overrides, field
):
    before = (Institution.objects.count(), Domain.objects.count())
    data = payload(municipality=tenants.municipality.pk, inn="")
    data.update(overrides)
    response = admin_client.post(URL, data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert field in body["errors"], body
    assert (Institution.objects.count(), Domain.objects.count()) == before


def test_duplicate_inn_is_refused(admin_client, tenants):
    inn = _valid_inn()
    first = admin_client.post(URL, payload(municipality=tenants.municipality.pk, inn=inn))
    assert first.status_code == 201
    second = admin_client.post(
        URL, payload(municipality=tenants.municipality.pk, inn=inn, slug="sosh-8")
    )
    assert second.status_code == 400
    assert "inn" in second.json()["errors"]


def test_regional_staff_may_list_but_not_create(client_for, regional_staff, tenants):
    client = client_for(None, regional_staff)
    assert client.get(URL).status_code == 200
    response = client.post(URL, payload(municipality=tenants.municipality.pk, inn=""))
    assert response.status_code == 403


def test_anonymous_and_tenant_users_cannot_use_the_regional_api(client_for, tenant_a, user_in):
    assert client_for(None).get(URL).status_code in (401, 403)
    coordinator = user_in(tenant_a.schema_name, "coordinator")
    # A school's user does not exist in the public schema: its session means nothing there.
    assert client_for(None, None).get(URL).status_code in (401, 403)
    assert client_for(tenant_a, coordinator).get(URL).status_code == 404


def test_lifecycle_suspend_archive_activate(admin_client, tenant_a):
    detail = f"{URL}{tenant_a.pk}/"
    assert admin_client.post(detail + "suspend/", {"reason": "проверка"}).json()["status"] == (
        "suspended"
    )
    assert admin_client.post(detail + "archive/").json()["status"] == "archived"
    assert admin_client.post(detail + "activate/").json()["status"] == "active"
    bad = admin_client.post(detail + "activate/")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_retry_is_only_for_failed_provisioning(admin_client, tenant_a):
    response = admin_client.post(f"{URL}{tenant_a.pk}/retry/")
    assert response.status_code == 400


def test_onboarding_application_approved_provisions_and_tells_the_applicant(
    client_for, regional_staff, tenants, django_capture_on_commit_callbacks
):
    anonymous = client_for(None)
    response = anonymous.post(
        "/api/v1/onboarding/applications/",
        {
            "name": "ГБПОУ Технологический колледж",
            "short_name": "Технологический колледж",
            "kind": "college",
            "municipality": tenants.municipality.pk,
            "desired_slug": "tech-college",
            "applicant_name": "Сидоров Олег Ильич",
            "applicant_email": "sidorov@college.ru",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    application_id = response.json()["id"]
    staff = client_for(None, regional_staff)
    with django_capture_on_commit_callbacks(execute=True):
        decided = staff.post(f"/api/v1/onboarding/applications/{application_id}/approve/")
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    institution = Institution.objects.get(slug="tech-college")
    assert institution.coordinator_email == "sidorov@college.ru"
    assert institution.status == "provisioning"
    assert [m.to for m in mail.outbox] == [["sidorov@college.ru"]]
    again = staff.post(f"/api/v1/onboarding/applications/{application_id}/reject/", {"reason": "x"})
    assert again.status_code == 400


def test_onboarding_application_rejected_with_reason(
    client_for, regional_staff, tenants, django_capture_on_commit_callbacks
):
    application = OnboardingApplication.objects.create(
        name="Школа",
        short_name="Школа",
        kind="school",
        municipality=tenants.municipality,
        desired_slug="school-x",
        applicant_name="Иванов И. И.",
        applicant_email="i@school.ru",
    )
    staff = client_for(None, regional_staff)
    no_reason = staff.post(f"/api/v1/onboarding/applications/{application.pk}/reject/", {})
    assert no_reason.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"/api/v1/onboarding/applications/{application.pk}/reject/",
            {"reason": "Не указан ИНН организации"},
        )
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert "Не указан ИНН организации" in mail.outbox[0].body
    assert not Institution.objects.filter(slug="school-x").exists()
