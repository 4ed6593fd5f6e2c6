"""XLSX exports: Russian headers, the request's schema only, and a round trip through import."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from accounts.models import Role
from schools.participants import api as participants_api
from schools.participants import services as participant_services
from tests.conftest import SETUP
from tests.schools.imports.files import SCHOOL_HEADERS, school_rows, upload, xlsx_bytes

PERSON_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "category",
    "email",
    "phone",
    "study_group__name",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def import_file(client, content: bytes, kind: str = "participants") -> dict:
    batch = client.post(
        "/api/v1/imports/", {"kind": kind, "file": upload(content)}, format="multipart"
    ).json()
    assert batch["can_commit"], batch["report"]
    done = client.post(f"/api/v1/imports/{batch['id']}/commit/").json()
    assert done["status"] == "done"
    return done


@pytest.mark.parametrize(
    "path",
    ["/api/v1/exports/participants/", "/api/v1/exports/participants.xlsx",
     "/api/v1/exports/participants/?format=xlsx"],
)  # fmt: skip
def test_participants_export_has_russian_headers_and_this_schools_people_only(
    tenant_a, tenant_b, coord_client, user_in, client_for, path
):
    import_file(coord_client, xlsx_bytes(SCHOOL_HEADERS, school_rows(30)))
    with schema_context(tenant_b.schema_name):
        participants_api.participant_create(
            last_name="Чужой",
            first_name="Ученик",
            birth_date=date(2012, 1, 1),
            category="pupil",
            actor=SETUP,
        )
    response = coord_client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(response.content)
    assert rows[0][:8] == [
        "Фамилия", "Имя", "Отчество", "Дата рождения", "Категория", "Класс/Группа", "E-mail",
        "Телефон",
    ]  # fmt: skip
    assert len(rows) == 31
    assert "Чужой" not in {row[0] for row in rows}
    assert rows[1][4] == "ученик"


def test_export_round_trip_participants_and_mentees(
    tenant_a, tenant_b, coord_client, user_in, client_for
):
    import_file(coord_client, xlsx_bytes(SCHOOL_HEADERS, school_rows(25)))
    exported = coord_client.get("/api/v1/exports/participants/").content
    b_client = client_for(tenant_b, user_in(tenant_b.schema_name, Role.COORDINATOR, "b-coord"))
    import_file(b_client, exported)
    with schema_context(tenant_a.schema_name):
        in_a = set(participants_api.Participant.objects.values_list(*PERSON_FIELDS))
    with schema_context(tenant_b.schema_name):
        in_b = set(participants_api.Participant.objects.values_list(*PERSON_FIELDS))
    assert in_a == in_b and len(in_a) == 25

    headers = ["ФИО", "Дата рождения", "Категория", "Запрос", "Потребности", "Форма наставничества"]
    rows = [["Ершов Иван Петрович", "03.03.2011", "ученик", "Олимпиада по физике",
             "Подготовка к олимпиадам и конкурсам, Профориентация, выбор профессии",
             "студент – ученик"]]  # fmt: skip
    import_file(coord_client, xlsx_bytes(headers, rows), kind="mentees")
    mentees = read_xlsx(coord_client.get("/api/v1/exports/mentees/").content)
    assert mentees[0][8:11] == ["Запрос", "Потребности", "Форма наставничества"]
    assert mentees[1][0] == "Ершов" and mentees[1][10] == "студент – ученик"
    import_file(b_client, coord_client.get("/api/v1/exports/mentees/").content, kind="mentees")
    with schema_context(tenant_b.schema_name):
        profile = participants_api.Participant.objects.get(last_name="Ершов").mentee_profile
        assert sorted(t.code for t in profile.needs.all()) == ["career_guidance", "olympiads"]
        assert profile.preferred_form == "student_pupil"


@pytest.mark.parametrize("name", ["participants", "mentees", "mentors", "study-groups", "consents"])
@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.COORDINATOR, True), (Role.DIRECTOR, True), (Role.DEPUTY, True), (Role.CURATOR, True),
     (Role.MENTOR, False), (Role.MENTEE, False), (Role.PARENT, False)],
)  # fmt: skip
def test_export_roles(tenant_a, user_in, client_for, name, role, allowed):
    client = client_for(tenant_a, user_in(tenant_a.schema_name, role))
    response = client.get(f"/api/v1/exports/{name}/")
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert response["Content-Type"] == XLSX
        assert len(read_xlsx(response.content)[0]) >= 2


def test_curator_exports_only_its_groups(tenant_a, coord_client, user_in, client_for):
    import_file(coord_client, xlsx_bytes(SCHOOL_HEADERS, school_rows(18)))
    curator = user_in(tenant_a.schema_name, Role.CURATOR, "curator-5a")
    with schema_context(tenant_a.schema_name):
        group = participant_services.study_group_get_or_create(name="5А", actor=SETUP)
        participants_api.Participant.objects.none()
        from schools.participants.services import study_group_update

        study_group_update(group=group, curator_id=curator.pk, actor=SETUP)
        in_5a = participants_api.Participant.objects.filter(study_group=group).count()
    rows = read_xlsx(client_for(tenant_a, curator).get("/api/v1/exports/participants/").content)
    assert len(rows) - 1 == in_5a == 2
    assert {row[5] for row in rows[1:]} == {"5А"}
