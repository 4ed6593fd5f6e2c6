"""Imports through the API: preview first, then an all-or-nothing commit."""

from __future__ import annotations

from datetime import date

import pytest
from django_tenants.utils import schema_context

from accounts.models import Role
from schools.imports.models import ImportBatch
from schools.participants import api as participants_api
from schools.participants import services as participant_services
from tests.conftest import SETUP
from tests.schools.imports.files import (
    SCHOOL_HEADERS,
    csv_bytes,
    name_and_birth,
    school_rows,
    upload,
    xlsx_bytes,
)


def post_file(
    client, content: bytes, name: str = "spisok.xlsx", kind: str = "participants", **extra
):
    return client.post(
        "/api/v1/imports/",
        {"kind": kind, "file": upload(content, name), **extra},
        format="multipart",
    )


def participant_count(schema: str) -> int:
    with schema_context(schema):
        return participants_api.Participant.objects.count()


def test_500_row_school_xlsx_imports_through_the_api(tenant_a, coord_client):
    content = xlsx_bytes(SCHOOL_HEADERS, school_rows(500), title="Список обучающихся 2026/2027")
    response = post_file(coord_client, content)
    assert response.status_code == 201, response.json()
    batch = response.json()
    assert batch["status"] == "previewed", batch["report"]
    assert batch["total_rows"] == 500 and batch["valid_rows"] == 500
    assert batch["error_count"] == 0 and batch["can_commit"] is True
    assert batch["report"]["header_row"] == 3  # the title rows above the table are skipped
    assert participant_count(tenant_a.schema_name) == 0  # the preview writes nothing

    response = coord_client.post(f"/api/v1/imports/{batch['id']}/commit/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "done"
    assert response.json()["imported_count"] == 500
    with schema_context(tenant_a.schema_name):
        people = participants_api.Participant.objects.select_related("study_group")
        assert people.count() == 500
        first = people.get(
            last_name="Иванов", first_name="Александр", birth_date=name_and_birth(0)[3]
        )
        assert first.middle_name == "Александрович"
        assert first.category == "pupil"
        assert first.study_group is not None and first.study_group.name == "5А"
        assert first.email == "pupil0@school.ru"
        assert first.phone == "+79185550000"
        assert people.values("study_group").distinct().count() == 9  # classes were created

    # committing again changes nothing
    again = coord_client.post(f"/api/v1/imports/{batch['id']}/commit/")
    assert again.status_code == 200 and again.json()["status"] == "done"
    assert participant_count(tenant_a.schema_name) == 500


def test_three_name_columns_real_excel_dates_and_tolerant_headers(tenant_a, coord_client):
    headers = [
        " фамилия ",
        "ИМЯ",
        "Отчество",
        "Дата  рождения",
        "КАТЕГОРИЯ",
        "Группа",
        "Электронная почта",
    ]
    rows = [
        ["Семёнова", "Алёна", "Петровна", date(2007, 3, 14), "Студентка", "ТМ-21", "a@c.ru"],
        ["Орлов", "Пётр", "", date(1980, 11, 2), "мастер производственного обучения", "", ""],
        ["Ким", "Виктор", "", date(1995, 6, 1), "Молодой специалист", "", ""],
    ]
    response = post_file(coord_client, xlsx_bytes(headers, rows))
    batch = response.json()
    assert batch["status"] == "previewed" and batch["error_count"] == 0, batch["report"]
    assert batch["report"]["columns"]["last_name"] == "фамилия"
    coord_client.post(f"/api/v1/imports/{batch['id']}/commit/")
    with schema_context(tenant_a.schema_name):
        alena = participants_api.Participant.objects.get(last_name="Семёнова")
        assert (alena.first_name, alena.birth_date, alena.category) == (
            "Алёна",
            date(2007, 3, 14),
            "student",
        )
        assert participants_api.Participant.objects.get(last_name="Орлов").category == "master"
        kim = participants_api.Participant.objects.get(last_name="Ким")
        assert kim.is_young_specialist


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("cp1251", ";"), ("utf-8-sig", ","), ("utf-8", "\t")]
)
def test_csv_in_windows_1251_and_utf8_imports_without_garbling(
    tenant_a, coord_client, encoding, delimiter
):
    rows = [
        ["Щукина Ёлка Эдуардовна", "01.09.2012", "7Б", "ученица"],
        ["Жуков Юрий Ильич", "1.2.2011", "8А", "ученик"],
    ]
    content = csv_bytes(
        ["ФИО", "Дата рождения", "Класс", "Категория"], rows, encoding=encoding, delimiter=delimiter
    )
    batch = post_file(coord_client, content, "spisok.csv").json()
    assert batch["status"] == "previewed" and batch["error_count"] == 0, batch["report"]
    expected_encoding = "utf-8" if encoding == "utf-8" else encoding
    assert batch["report"]["encoding"] == expected_encoding
    assert batch["report"]["delimiter"] == delimiter
    coord_client.post(f"/api/v1/imports/{batch['id']}/commit/")
    with schema_context(tenant_a.schema_name):
        person_ = participants_api.Participant.objects.get(first_name="Ёлка")
        assert person_.last_name == "Щукина" and person_.middle_name == "Эдуардовна"
        assert person_.birth_date == date(2012, 9, 1)


def test_wrong_headers_get_a_file_level_error_listing_expected_ones(tenant_a, coord_client):
    content = xlsx_bytes(["Ученик", "Д/р", "Кл."], [["Иванов Иван", "01.01.2010", "5А"]])
    response = post_file(coord_client, content)
    assert response.status_code == 201
    batch = response.json()
    assert batch["status"] == "failed" and batch["can_commit"] is False
    error = batch["report"]["file_errors"][0]
    assert error["code"] == "headers"
    assert "ФИО (или Фамилия, Имя, Отчество)" in error["expected_headers"]
    assert "Дата рождения" in error["message"]
    commit = coord_client.post(f"/api/v1/imports/{batch['id']}/commit/")
    assert commit.status_code == 400
    assert participant_count(tenant_a.schema_name) == 0


def test_row_errors_are_reported_per_row_and_column_and_block_the_commit(tenant_a, coord_client):
    rows = [
        ["Иванов Иван Иванович", "31.02.2011", "5А", "ученик", "", ""],  # no such date
        ["Петров Пётр", "2011/01/01", "5А", "ученик", "", ""],  # not ДД.ММ.ГГГГ
        ["Сидоров", "01.01.2011", "5А", "ученик", "", ""],  # no first name
        ["Смирнов Олег", "01.01.2011", "5А", "директор", "", ""],  # unknown category
        ["Козлов Иван", "01.01.2011", "5А", "ученик", "not-an-email", "12345"],
        ["Волков Иван", "", "5А", "ученик", "", ""],  # a pupil without a birth date
        ["Новиков Иван", "01.01.2011", "5А", "ученик", "ok@school.ru", "+7 918 000-00-00"],
    ]
    batch = post_file(coord_client, xlsx_bytes(SCHOOL_HEADERS, rows)).json()
    assert batch["status"] == "previewed"
    assert batch["total_rows"] == 7 and batch["valid_rows"] == 1
    by_row = {r["row"]: r["errors"] for r in batch["report"]["rows"]}
    assert (
        by_row[2][0]["column"] == "Дата рождения" and "not a real date" in by_row[2][0]["message"]
    )
    assert by_row[3][0]["column"] == "Дата рождения"
    assert by_row[4][0]["column"] == "ФИО"
    assert by_row[5][0]["column"] == "Категория" and "директор" in by_row[5][0]["message"]
    assert {e["column"] for e in by_row[6]} == {"E-mail", "Телефон"}
    assert by_row[7][0]["column"] == "Дата рождения"
    assert 8 not in by_row
    response = coord_client.post(f"/api/v1/imports/{batch['id']}/commit/")
    assert response.status_code == 400
    assert "errors" in response.json()
    assert participant_count(tenant_a.schema_name) == 0


def test_duplicates_in_the_file_and_against_the_base(tenant_a, coord_client):
    with schema_context(tenant_a.schema_name):
        participants_api.participant_create(
            last_name="Лебедев", first_name="Артём", middle_name="Игоревич",
            birth_date=date(2010, 5, 5), category="pupil",
            actor=SETUP,
        )  # fmt: skip
    rows = [
        ["Орлова Мария Ивановна", "01.01.2011", "5А", "ученик", "", ""],
        ["Лебедев Артем Игоревич", "05.05.2010", "6А", "ученик", "", ""],  # in the base (ё=е)
        ["ОРЛОВА  Мария  Ивановна", "01.01.2011", "5Б", "ученик", "", ""],  # same as row 2
        ["Орлова Мария Ивановна", "02.01.2011", "5Б", "ученик", "", ""],  # another person
    ]
    batch = post_file(coord_client, xlsx_bytes(SCHOOL_HEADERS, rows)).json()
    assert batch["duplicate_count"] == 2 and batch["valid_rows"] == 2
    by_row = {r["row"]: r for r in batch["report"]["rows"]}
    assert by_row[4]["duplicate_of_row"] == 2
    assert "already in the base" in by_row[3]["errors"][0]["message"]
    assert by_row[3]["existing_participant_id"]
    assert coord_client.post(f"/api/v1/imports/{batch['id']}/commit/").status_code == 400
    assert participant_count(tenant_a.schema_name) == 1


def test_a_50_mb_file_is_refused_before_it_is_read(tenant_a, coord_client, tmp_path):
    content = b"\xd0\x98" * (25 * 1024 * 1024)  # 50 MB
    response = post_file(coord_client, content, "huge.csv")
    assert response.status_code == 413
    assert "10" in response.json()["detail"]
    with schema_context(tenant_a.schema_name):
        assert not ImportBatch.objects.exists()
    assert not any(tmp_path.rglob("huge*"))  # nothing stored


def test_a_file_just_over_the_limit_is_refused_by_the_stream_guard(
    tenant_a, coord_client, settings, tmp_path
):
    settings.IMPORTS_MAX_FILE_BYTES = 200 * 1024  # the body is within the slack of the header check
    content = csv_bytes(SCHOOL_HEADERS, school_rows(3000))
    assert 200 * 1024 < len(content) < 200 * 1024 + 64 * 1024 or len(content) > 200 * 1024
    response = post_file(coord_client, content[: 200 * 1024 + 10 * 1024], "big.csv")
    assert response.status_code == 413
    with schema_context(tenant_a.schema_name):
        assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"\r\n \r\n", "blank.csv", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls", "xls"),
        (b"%PDF-1.7\n" + b"\x00\x01" * 100, "scan.pdf", "not_a_table"),
        (b"PK\x03\x04broken zip", "broken.xlsx", "bad_xlsx"),
        ("ФИО;Дата рождения;Категория\n".encode(), "headers-only.csv", "no_rows"),
    ],
)
def test_bad_files_get_a_clear_report_and_import_nothing(
    tenant_a, coord_client, content, name, code
):
    response = post_file(coord_client, content, name)
    assert response.status_code == 201, response.json()
    batch = response.json()
    assert batch["status"] == "failed"
    assert [e["code"] for e in batch["report"]["file_errors"]] == [code]
    assert batch["report"]["file_errors"][0]["message"]
    assert coord_client.post(f"/api/v1/imports/{batch['id']}/commit/").status_code == 400
    assert participant_count(tenant_a.schema_name) == 0


def test_an_empty_upload_is_refused(tenant_a, coord_client):
    response = post_file(coord_client, b"", "empty.csv")
    assert response.status_code == 400 and response.json()["errors"]["file"]
    with schema_context(tenant_a.schema_name):
        assert not ImportBatch.objects.exists()


def test_file_without_category_column_needs_a_default_category(tenant_a, coord_client):
    content = csv_bytes(
        ["ФИО", "Дата рождения", "Класс"], [["Зайцев Олег Петрович", "03.03.2012", "6А"]]
    )
    batch = post_file(coord_client, content, "a.csv").json()
    assert (
        batch["status"] == "failed" and "Категория" in batch["report"]["file_errors"][0]["message"]
    )
    batch = post_file(coord_client, content, "a.csv", default_category="pupil").json()
    assert batch["status"] == "previewed" and batch["error_count"] == 0
    assert coord_client.post(f"/api/v1/imports/{batch['id']}/commit/").json()["status"] == "done"


def test_mentee_import_creates_people_and_profiles_and_attaches_to_existing(tenant_a, coord_client):
    with schema_context(tenant_a.schema_name):
        existing = participant_services.participant_create(
            last_name="Белова",
            first_name="Анна",
            birth_date=date(2011, 4, 4),
            category="pupil",
            actor=SETUP,
        )
    headers = [
        "ФИО",
        "Дата рождения",
        "Класс",
        "Категория",
        "Запрос",
        "Потребности",
        "Форма наставничества",
    ]
    rows = [
        [
            "Белова Анна",
            "04.04.2011",
            "7А",
            "ученик",
            "Хочу готовиться к олимпиаде",
            "Подготовка к олимпиадам и конкурсам",
            "ученик – ученик",
        ],
        [
            "Гусев Илья Олегович",
            "10.10.2010",
            "8А",
            "ученик",
            "Выбор профессии",
            "профориентация, career_guidance, успеваемость",
            "Студент-ученик",
        ],
    ]
    batch = post_file(coord_client, xlsx_bytes(headers, rows), kind="mentees").json()
    assert batch["error_count"] == 0, batch["report"]
    assert batch["report"]["existing_participants"] == 1
    assert coord_client.post(f"/api/v1/imports/{batch['id']}/commit/").json()["status"] == "done"
    with schema_context(tenant_a.schema_name):
        assert participants_api.Participant.objects.count() == 2
        anna = participants_api.Participant.objects.get(pk=existing.pk)
        assert anna.mentee_profile.preferred_form == "pupil_pupil"
        assert [t.code for t in anna.mentee_profile.needs.all()] == ["olympiads"]
        ilya = participants_api.Participant.objects.get(last_name="Гусев")
        assert ilya.mentee_profile.preferred_form == "student_pupil"
        assert sorted(t.code for t in ilya.mentee_profile.needs.all()) == [
            "academic_results",
            "career_guidance",
        ]


def test_mentor_import_with_unknown_tags_and_bad_numbers_is_refused(tenant_a, coord_client):
    headers = [
        "Фамилия",
        "Имя",
        "Отчество",
        "Дата рождения",
        "Категория",
        "Компетенции",
        "Опыт",
        "Часов в месяц",
        "Количество наставляемых",
    ]
    rows = [
        [
            "Крылова",
            "Ольга",
            "Ивановна",
            "12.12.1975",
            "педагог",
            "Лидерство, Методика преподавания",
            "25",
            "8",
            "3",
        ],
        [
            "Зуев",
            "Павел",
            "",
            "",
            "специалист предприятия",
            "Вязание крючком",
            "инженер-технолог",
            "много",
            "0",
        ],
    ]
    batch = post_file(coord_client, xlsx_bytes(headers, rows), kind="mentors").json()
    by_row = {r["row"]: {e["column"] for e in r["errors"]} for r in batch["report"]["rows"]}
    assert by_row == {3: {"Компетенции", "Часов в месяц", "Количество наставляемых"}}
    assert coord_client.post(f"/api/v1/imports/{batch['id']}/commit/").status_code == 400
    rows[1][5:9] = ["Цифровые навыки", "инженер-технолог", "4", "1"]
    batch = post_file(coord_client, xlsx_bytes(headers, rows), kind="mentors").json()
    assert batch["error_count"] == 0, batch["report"]
    assert coord_client.post(f"/api/v1/imports/{batch['id']}/commit/").json()["status"] == "done"
    with schema_context(tenant_a.schema_name):
        olga = participants_api.Participant.objects.get(last_name="Крылова").mentor_profile
        assert (olga.experience_years, olga.hours_per_month, olga.capacity) == (25, 8, 3)
        # one catalogue: «Лидерство» is a part of «Коммуникация, работа в команде, лидерство»
        assert sorted(t.code for t in olga.competences.all()) == ["methodology", "soft_skills"]


def test_a_row_refused_at_commit_rolls_everything_back(tenant_a, coord_client):
    rows = school_rows(20)
    batch = post_file(coord_client, xlsx_bytes(SCHOOL_HEADERS, rows)).json()
    assert batch["can_commit"]
    # someone adds row 15's person after the preview: the commit re-checks and refuses
    last, first, middle, birth = name_and_birth(14)
    with schema_context(tenant_a.schema_name):
        participants_api.participant_create(
            last_name=last,
            first_name=first,
            middle_name=middle,
            birth_date=birth,
            category="pupil",
            actor=SETUP,
        )
    response = coord_client.post(f"/api/v1/imports/{batch['id']}/commit/")
    assert response.status_code == 200
    assert response.json()["status"] == "previewed" and response.json()["duplicate_count"] == 1
    assert participant_count(tenant_a.schema_name) == 1


@pytest.mark.parametrize(
    "role", [Role.CURATOR, Role.DIRECTOR, Role.DEPUTY, Role.MENTOR, Role.MENTEE, Role.PARENT]
)
def test_only_the_coordinator_imports(tenant_a, user_in, client_for, coordinator, role):
    with schema_context(tenant_a.schema_name):
        batch = ImportBatch.objects.create(
            kind="participants", file="imports/x.csv", status="previewed"
        )
    client = client_for(tenant_a, user_in(tenant_a.schema_name, role))
    content = csv_bytes(
        ["ФИО", "Дата рождения", "Категория"], [["Иванов Иван", "01.01.2010", "ученик"]]
    )
    assert post_file(client, content, "a.csv").status_code == 403
    assert client.get("/api/v1/imports/").status_code == 403
    assert client.get(f"/api/v1/imports/{batch.pk}/").status_code == 403
    assert client.post(f"/api/v1/imports/{batch.pk}/commit/").status_code == 403
    with schema_context(tenant_a.schema_name):
        assert ImportBatch.objects.count() == 1
    assert participant_count(tenant_a.schema_name) == 0


def test_batches_of_another_institution_are_not_found(tenant_a, tenant_b, coord_client):
    with schema_context(tenant_b.schema_name):
        batch = ImportBatch.objects.create(
            kind="participants", file="imports/b.csv", status="previewed"
        )
    assert coord_client.get(f"/api/v1/imports/{batch.pk}/").status_code == 404
    assert coord_client.post(f"/api/v1/imports/{batch.pk}/commit/").status_code == 404
    assert coord_client.get("/api/v1/imports/").json()["results"] == []
