"""Best practices: the region's library on the regional host (search, filters, roles) and an
institution's cases (draft, publish an anonymised copy, browse the region's cases without other
institutions' names), scoped to the caller."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import schema_context

from accounts.models import Role
from regional.practices import services as region_services
from schools.pairs import services as pair_services
from schools.pairs.models import PracticeCase
from tests.conftest import SETUP, make_user
from tests.isolation.objects_of_b import bump_sequence
from tests.web.conftest import School, page_client

HOST = "nastavnik.test"


@pytest.fixture
def library(tenant_a: Any, tenant_b: Any) -> dict[str, Any]:
    a, _ = region_services.practice_case_publish(
        institution_id=tenant_a.pk,
        title="Открытый урок молодого педагога",
        text="Наставник и молодой педагог подготовили открытый урок по физике.",
        form="teacher_teacher",
    )
    b, _ = region_services.practice_case_publish(
        institution_id=tenant_b.pk,
        title="Школьный театр: ученик – ученик",
        text="Старшеклассники помогли семиклассникам поставить спектакль.",
        form="pupil_pupil",
    )
    return {"a": a, "b": b}


def test_regional_library_search_and_filters(library: dict[str, Any], tenant_b: Any) -> None:
    staff = page_client(HOST, make_user("public", Role.REGIONAL_STAFF, "p-staff"), "public", "en")
    body = staff.get("/practices/").content.decode()
    assert "Открытый урок молодого педагога" in body and "Школьный театр" in body
    assert tenant_b.short_name in body  # regional staff see which institution it came from

    body = staff.get("/practices/", {"q": "спектакль"}).content.decode()
    assert "Школьный театр" in body and "Открытый урок" not in body
    body = staff.get("/practices/", {"form": "teacher_teacher"}).content.decode()
    assert "Открытый урок" in body and "Школьный театр" not in body
    body = staff.get("/practices/", {"municipality": tenant_b.municipality_id}).content.decode()
    assert "Школьный театр" in body

    response = staff.get("/practices/", {"form": "no_such_form"})
    assert response.status_code == 400
    assert 'id="id_form-errors"' in response.content.decode()

    detail = staff.get(f"/practices/{library['b'].pk}/")
    assert detail.status_code == 200
    assert "поставить спектакль" in detail.content.decode()
    assert staff.get("/practices/999999/").status_code == 404


def test_employer_browses_without_institution_names(library: dict[str, Any], tenant_b: Any) -> None:
    employer = page_client(HOST, make_user("public", Role.EMPLOYER, "p-emp"), "public", "en")
    response = employer.get("/practices/")
    assert response.status_code == 200
    assert "Школьный театр" in response.content.decode()
    assert tenant_b.short_name not in response.content.decode()
    assert employer.get(f"/practices/{library['b'].pk}/").status_code == 200


def test_institution_sees_region_cases_without_names_of_others(
    school: School, library: dict[str, Any], tenant_a: Any, tenant_b: Any
) -> None:
    client = page_client(
        tenant_a.host, school.users[Role.CURATOR], tenant_a.schema_name, language="en"
    )
    response = client.get("/practices/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Школьный театр" in body and "Открытый урок молодого педагога" in body
    assert tenant_b.short_name not in body and tenant_b.name not in body
    assert body.count(">ours<") == 1
    body = client.get("/practices/", {"q": "театр"}).content.decode()
    assert "Школьный театр" in body and "Открытый урок молодого педагога" not in body


def test_case_draft_publish_anonymised(school: School, tenant_a: Any) -> None:
    schema = tenant_a.schema_name
    coordinator = page_client(tenant_a.host, school.users[Role.COORDINATOR], schema, "en")
    response = coordinator.post("/practices/new/", {"title": "", "form": "x", "text": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_title-errors"' in body and 'id="id_text-errors"' in body

    text = (
        "Наставник Мария Петровна Иванова помогла Олегу Петрову. "
        "Пишите: ivanova@alpha.ru, +7 900 123-45-67."
    )
    response = coordinator.post(
        "/practices/new/",
        {"title": "Как Иванова помогла молодому педагогу", "form": "teacher_teacher", "text": text},
    )
    assert response.status_code == 302
    with schema_context(schema):
        case = PracticeCase.objects.get(title="Как Иванова помогла молодому педагогу")
    assert response["Location"] == f"/practices/{case.pk}/"
    assert case.status == "draft"

    curator = page_client(tenant_a.host, school.users[Role.CURATOR], schema, "en")
    assert curator.post(f"/practices/{case.pk}/publish/").status_code == 403
    director = page_client(tenant_a.host, school.users[Role.DIRECTOR], schema, "en")
    assert director.get("/practices/new/").status_code == 403
    edit = {"title": "x", "form": "teacher_teacher", "text": "y"}
    assert director.post(f"/practices/{case.pk}/", edit).status_code == 403
    assert director.get(f"/practices/{case.pk}/").status_code == 200

    # publishing needs the prepared copy, seen first
    refused = coordinator.post(f"/practices/{case.pk}/publish/", follow=True)
    assert "Prepare the anonymised copy" in refused.content.decode()
    assert curator.post(f"/practices/{case.pk}/prepare/").status_code == 403
    assert coordinator.post(f"/practices/{case.pk}/prepare/").status_code == 302
    fragment = coordinator.get(f"/practices/{case.pk}/preview/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment  # still preparing
    with schema_context(schema):  # what the worker does
        assert pair_services.practice_case_anonymise(case_id=case.pk)
    body = coordinator.get(f"/practices/{case.pk}/").content.decode()
    assert 'data-testid="preview-copy"' in body and "hx-trigger" not in body
    hidden = body.split('data-testid="preview-hidden"')[1].split("</ul>")[0]
    for shown in ("Мария Петровна Иванова", "ivanova@alpha.ru", "+7 900 123-45-67"):
        assert shown in hidden, shown  # the coordinator sees what will be hidden
    assert "an e-mail address" in hidden and "a phone number" in hidden

    response = coordinator.post(f"/practices/{case.pk}/publish/")
    assert response.status_code == 302
    with schema_context(schema):
        case.refresh_from_db()
    assert case.status == "published"
    for secret in ("Иванов", "Петров", "Олег", "ivanova@", "123-45-67"):
        assert secret not in case.published_text + case.published_title, secret
    body = coordinator.get(f"/practices/{case.pk}/").content.decode()
    assert "What the region sees" in body and "[скрыто]" in body

    response = coordinator.post(
        f"/practices/{case.pk}/", {"title": "", "form": "teacher_teacher", "text": "Новое"}
    )
    assert response.status_code == 400
    with schema_context(schema):
        case.refresh_from_db()
    assert case.text == text


def test_case_of_another_institution_is_not_found(
    school: School, tenant_a: Any, tenant_b: Any
) -> None:
    from schools.pairs import services
    from schools.programmes import services as programme_services

    with schema_context(tenant_b.schema_name):
        bump_sequence("pairs_practicecase")  # B's id cannot be one of A's
        programme = programme_services.programme_create(
            actor=SETUP, academic_year=2029, title="Программа Б", forms=["pupil_pupil"]
        )
        other = services.practice_case_create(
            programme_id=programme.pk,
            title="Кейс Б",
            text="Текст Б",
            form="pupil_pupil",
            actor=SETUP,
        )
    with schema_context(tenant_a.schema_name):
        assert not PracticeCase.objects.filter(pk=other.pk).exists()
    coordinator = page_client(
        tenant_a.host, school.users[Role.COORDINATOR], tenant_a.schema_name, "en"
    )
    for path in (f"/practices/{other.pk}/", f"/practices/{other.pk}/publish/"):
        assert coordinator.get(path).status_code in (404, 405)
        response = coordinator.post(path)
        assert response.status_code == 404
        assert "Кейс Б" not in response.content.decode()
    with schema_context(tenant_b.schema_name):
        other.refresh_from_db()
        assert other.status == "draft"
