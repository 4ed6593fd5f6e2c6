"""A school starts its programme year in a real browser, from an empty programme to approved
pairs with their approval order, with no API call and no admin page:

the coordinator fills in the set-up and prepares the three stage-1 orders, the director signs
them (the programme is approved); the coordinator imports the mentees, imports the rows
without errors, downloads the bad row with its error, fixes it and imports it; records the
papers a class returned in one screen; a parent gives consent online through a one-time link
(on a phone); matching pairs the pupils, a pupil nobody covers is paired by hand; the
coordinator prepares the order approving the pairs and the director signs it.

Before matching, the coordinator holds the group meeting in the pages and a mentor and a
pupil each choose the other on their own page (a phone): the choice feeds the score.

One institution (``school-start-5``), made here and removed at the end."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests import builders
from tests.browser.conftest import DESKTOP, PHONE, JourneySchool, journey_school, shot, sign_in
from tests.conftest import SETUP

pytestmark = pytest.mark.browser

SLUG = "school-start-5"
SCHEMA = "school_start_5"
HOST = f"{SLUG}.localhost"
APPROVED = "Утверждён директором"


def _born(years: int) -> str:
    today = timezone.localdate()
    return (today.replace(year=today.year - years) - datetime.timedelta(days=50)).strftime(
        "%d.%m.%Y"
    )


HEADERS = ["ФИО", "Дата рождения", "Категория", "Класс", "Запрос", "Потребности"]
ROWS = [
    ["Васильев Роман Семёнович", _born(13), "ученик", "7А", "Олимпиада", "олимпиады"],
    ["Ершова Ольга Петровна", _born(15), "ученик", "7А", "Профессия", "Профориентация"],
    ["Котов Иван Андреевич", _born(13), "ученик", "7А", "", "Подготовка к олимпиадм"],
    ["Лаврова Дарья Игоревна", _born(12), "ученик", "7А", "Шахматы", "Шахматная композиция"],
]


def _xlsx(headers: list[Any], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Список 7А класса"])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _build_institution(school: JourneySchool) -> None:
    from schools.participants import api as participants
    from schools.participants import services as participant_services

    school.user(Role.COORDINATOR, "orlova", first_name="Нина", last_name="Орлова")
    school.user(Role.DIRECTOR, "sokolov", first_name="Пётр", last_name="Соколов")
    school.user(Role.CURATOR, "belova", first_name="Вера", last_name="Белова")
    mentor = school.user(Role.MENTOR, "kuznetsova")
    pupil = school.user(Role.MENTEE, "roman")
    with schema_context(SCHEMA):
        participant_services.topic_create(name="Шахматная композиция", group="leisure", actor=SETUP)
        # a pupil with a login already (the import attaches his request to him)
        participants.participant_create(
            last_name="Васильев",
            first_name="Роман",
            middle_name="Семёнович",
            birth_date=datetime.datetime.strptime(ROWS[0][1], "%d.%m.%Y").date(),
            category="pupil",
            study_group_id=participants.study_groups_ensure(names=["7А"], actor=SETUP)["7А"],
            user_id=pupil.pk,
            actor=SETUP,
        )
    # two teachers already in the mentor base (an earlier import)
    for names, codes, user_id in (
        ("Кузнецова Мария Ивановна", ["olympiads"], mentor.pk),
        ("Смирнов Олег Петрович", ["career_guidance"], None),
    ):
        teacher = school.make(
            builders.person,
            names=names,
            category="teacher",
            born=datetime.date(1982, 4, 4),
            user_id=user_id,
        )
        with schema_context(SCHEMA):
            participants.mentor_profile_upsert(
                participant_id=teacher.pk, competence_codes=codes, capacity=2, actor=SETUP
            )


@pytest.fixture(scope="module")
def journey(live: Any, browser: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with journey_school(
        live,
        browser,
        django_db_blocker,
        slug=SLUG,
        name="МБОУ «Средняя общеобразовательная школа № 5»",
        short_name="СОШ № 5",
    ) as school:
        assert school.schema_name == SCHEMA
        _build_institution(school)
        tenant_connection().set_schema_to_public()

        def context(viewport: dict[str, int]) -> Any:
            return school.context(phone=viewport == PHONE, accept_downloads=True)

        yield {"live": live, "context": context}


def _upload(page: Any, live: Any, content: bytes, name: str) -> None:
    page.goto(live.url(HOST, "/imports/"))
    page.locator('select[name="kind"]').select_option("mentees")
    page.locator('input[name="file"]').set_input_files(
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": content}]
    )
    page.get_by_role("button", name="Загрузить и проверить").click()
    # the worker checks the file; the page follows its progress and shows the preview
    page.get_by_test_id("error-count").wait_for(timeout=40_000)


def _approve(card: Any, number: str) -> None:
    """The director signs the order of ``card`` (its status changes on the reloaded page)."""
    card.get_by_label("Номер приказа").fill(number)
    card.get_by_role("button", name="Утвердить (подписать)").click()
    expect(card.get_by_test_id("order-status")).to_have_text(APPROVED)


def test_a_school_starts_its_year_in_the_browser(journey):
    live = journey["live"]
    coordinator = journey["context"](DESKTOP).new_page()
    sign_in(coordinator, live.url(HOST, "/accounts/login/"), "orlova")

    # 1. The set-up: the programme is created from it, with the default roadmap.
    coordinator.goto(live.url(HOST, "/programme/setup/"))
    coordinator.get_by_label("Название программы").fill("Программа наставничества «Шаг вперёд»")
    coordinator.get_by_label("Педагог/мастер – студент").check()
    coordinator.get_by_label("Цели", exact=True).fill("Раскрыть потенциал каждого обучающегося.")
    coordinator.get_by_label("Планируемые результаты").fill("Рост успеваемости и олимпиад.")
    coordinator.get_by_label("Координатор", exact=True).select_option(label="Нина Орлова")
    coordinator.get_by_label("Директор (утверждает программу, приказы и пары)").select_option(
        label="Пётр Соколов"
    )
    coordinator.get_by_label("Вера Белова").check()
    coordinator.get_by_label("Обучающихся от 10 лет").fill("420")
    coordinator.get_by_label("Педагоги").fill("40")
    coordinator.get_by_label("Молодых педагогов (стаж до 3 лет)").fill("6")
    coordinator.get_by_role("button", name="Сохранить настройку").click()
    expect(coordinator.locator(".alert-success")).to_contain_text("Настройка программы сохранена")
    expect(coordinator.get_by_test_id("programme-status")).to_contain_text("ещё не утверждена")

    # 2. The three stage-1 orders, prepared for the director.
    coordinator.goto(live.url(HOST, "/programme/orders/"))
    for kind in ("introduction", "appointment", "programme_approval"):
        card = coordinator.locator(f'[data-kind="{kind}"]')
        card.get_by_role("button", name="Подготовить для директора").click()
        expect(card.get_by_test_id("order-status")).to_be_visible()  # a draft now
    shot(coordinator, "year-start-orders-prepared")

    # 3. The director signs them: the programme is approved.
    director = journey["context"](PHONE).new_page()
    sign_in(director, live.url(HOST, "/accounts/login/"), "sokolov")
    director.goto(live.url(HOST, "/programme/orders/"))
    for number, kind in enumerate(("introduction", "appointment", "programme_approval"), 1):
        _approve(director.locator(f'[data-kind="{kind}"]'), f"{number}-о")
    expect(director.get_by_test_id("stage-one")).not_to_contain_text("Проект")
    assert director.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shot(director, "year-start-orders-signed-phone")
    director.goto(live.url(HOST, "/programme/setup/"))
    expect(director.get_by_test_id("programme-status")).to_contain_text("утверждена директором")

    # 4. The import: the rows without errors now, the bad row downloaded, fixed, imported.
    _upload(coordinator, live, _xlsx(HEADERS, ROWS), "spisok-7a.xlsx")
    expect(coordinator.get_by_test_id("error-count")).to_have_text("1")
    errors = coordinator.get_by_test_id("row-errors")
    expect(errors).to_contain_text("Котов Иван Андреевич")
    expect(errors).to_contain_text("«Подготовка к олимпиадам и конкурсам»")  # the closest name
    coordinator.get_by_test_id("commit-valid").click()
    expect(coordinator.get_by_test_id("imported-count")).to_have_text("3", timeout=40_000)
    with coordinator.expect_download() as download:
        coordinator.get_by_test_id("download-rejected").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][-1] == "Ошибки" and rows[1][0] == "Котов Иван Андреевич"
    rows[1][5] = "Подготовка к олимпиадам и конкурсам"
    _upload(coordinator, live, _xlsx(rows[0], rows[1:]), "ispravleno.xlsx")
    expect(coordinator.get_by_test_id("error-count")).to_have_text("0")
    coordinator.get_by_role("button", name="Импортировать", exact=True).click()
    expect(coordinator.get_by_test_id("imported-count")).to_have_text("1", timeout=40_000)

    # 5. The papers class 7А returned, in one screen.
    coordinator.goto(live.url(HOST, "/bases/classes/"))
    coordinator.get_by_role("link", name="7А", exact=True).click()
    expect(coordinator.get_by_test_id("consent-lacking")).to_have_text("4")
    coordinator.get_by_test_id("record-papers").click()
    for last, parent in (
        ("Васильев", "Васильева Анна Ивановна"),
        ("Ершова", "Ершов Пётр Иванович"),
        ("Лаврова", "Лаврова Светлана Олеговна"),
    ):
        row = coordinator.locator(f'[data-person="{last}"]')
        row.locator('input[name$="_returned"]').check()
        row.locator('input[name$="_guardian_name"]').fill(parent)
    coordinator.get_by_role("button", name="Записать отмеченные согласия").click()
    expect(coordinator.locator(".alert-success")).to_contain_text("Записано согласий: 3")
    expect(coordinator.get_by_test_id("consent-lacking")).to_have_text("1")

    # 6. A parent's consent online: the link shown once, opened on the parent's phone.
    row = coordinator.locator('[data-person="Котов"]')
    row.locator('input[name="email"]').fill("")
    row.get_by_role("button", name="Ссылка для согласия").click()
    expect(coordinator.locator(".alert-success")).to_contain_text("/consent/")
    shown = coordinator.locator(".alert-success").inner_text()
    link = re.search(r"(http://\S+/consent/\S+/)", shown)
    assert link, shown
    parent = journey["context"](PHONE).new_page()
    parent.goto(link.group(1))
    expect(parent.get_by_test_id("subject")).to_contain_text("Котов Иван Андреевич")
    expect(parent.get_by_test_id("consent-text")).to_contain_text("Отзыв согласия")
    parent.get_by_label("Ваши фамилия, имя и отчество").fill("Котова Елена Сергеевна")
    parent.get_by_label("Кем вы приходитесь ребёнку").select_option("mother")
    parent.get_by_label("Я полностью прочитал(а) текст согласия и даю согласие").check()
    assert parent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shot(parent, "year-start-online-consent-phone")
    parent.get_by_role("button", name="Дать согласие").click()
    expect(parent.get_by_test_id("consent-given")).to_contain_text("Котов Иван Андреевич")
    coordinator.reload()
    expect(coordinator.get_by_test_id("consent-lacking")).to_have_text("0")

    # 7. The group meeting, held in the pages; a mentor and a pupil choose each other.
    coordinator.goto(live.url(HOST, "/matching/"))
    coordinator.get_by_test_id("group-meetings-link").click()
    coordinator.fill("input[name=group-held_on]", timezone.localdate().isoformat())
    coordinator.fill("input[name=group-place]", "Актовый зал")
    coordinator.get_by_test_id("group-meeting-plan").click()
    expect(coordinator.get_by_test_id("group-meeting-status")).to_have_text("Запланирована")
    coordinator.get_by_test_id("group-meeting-held-open").click()  # who came: its own page
    for name in (
        "Кузнецова Мария Ивановна",
        "Смирнов Олег Петрович",
        "Васильев Роман Семёнович (7А)",
        "Ершова Ольга Петровна (7А)",
    ):
        coordinator.get_by_label(name, exact=True).check()
    coordinator.get_by_test_id("group-meeting-held").click()
    expect(coordinator.get_by_test_id("group-meeting-status")).to_have_text("Проведена")
    for username, choice in (
        ("kuznetsova", "Васильев Роман Семёнович (7А)"),
        ("roman", "Кузнецова Мария Ивановна"),
    ):
        own = journey["context"](PHONE).new_page()
        sign_in(own, live.url(HOST, "/accounts/login/"), username)
        own.goto(live.url(HOST, "/matching/group-meetings/"))
        own.get_by_role("link", name="Актовый зал").click()
        own.get_by_test_id("preferences-open").click()
        own.get_by_label("Выбор 1").select_option(label=choice)
        own.get_by_test_id("preferences-save").click()
        expect(own.get_by_test_id("own-preferences")).to_contain_text(
            "1. " + choice.removesuffix(" (7А)")
        )

    # 8. Matching: the pupils with a fitting mentor are proposed (the mutual choice counts);
    # the pupil whose request nobody covers is paired by hand.
    coordinator.goto(live.url(HOST, "/matching/"))
    coordinator.get_by_role("button", name="Запустить подбор").click()
    approve_some = coordinator.get_by_role(
        "button", name="Утвердить отмеченные, остальные оставить"
    )
    approve_some.wait_for(timeout=60_000)
    unmatched = coordinator.locator("#unmatched")
    expect(unmatched).to_contain_text("Лаврова Дарья Игоревна")
    unmatched.get_by_role("link", name="Лаврова Дарья Игоревна").click()
    coordinator.get_by_test_id("mentor-options").get_by_role(
        "button", name="Составить пару"
    ).first.click()
    expect(coordinator.locator(".alert-success")).to_contain_text("составлена вручную")
    boxes = coordinator.locator('input[name="proposal"]')
    for index in range(boxes.count()):
        boxes.nth(index).check()
    approve_some.click()
    expect(coordinator.locator(".alert-success")).to_contain_text("Сформировано")

    with schema_context(SCHEMA):
        from schools.matching.models import MatchProposal

        chosen = MatchProposal.objects.filter(mentee__last_name="Васильев").latest("pk")
        points = {c["code"]: c["points"] for c in chosen.breakdown["criteria"]}
        assert chosen.mentor.last_name == "Кузнецова" and points["preference"] > 0

    # 9. The order approving the pairs: prepared by the coordinator, signed by the director.
    coordinator.goto(live.url(HOST, "/programme/orders/"))
    coordinator.get_by_test_id("prepare-pairs-order").get_by_role(
        "button", name="Подготовить приказ об их утверждении"
    ).click()
    expect(coordinator.locator(".alert-success")).to_contain_text("подготовлен")
    director.goto(live.url(HOST, "/programme/orders/"))
    _approve(director.get_by_test_id("pairs-order"), "15-о")
    with director.expect_download() as download:
        director.get_by_test_id("pairs-order-docx").click()
    from docx import Document

    document = Document(io.BytesIO(download.value.path().read_bytes()))
    text = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )
    for name in ("Васильев", "Ершова", "Котов", "Лаврова", "Кузнецова", "Смирнов"):
        assert name in text, name
    assert "15-о" in text
    shot(director, "year-start-pairs-approved-phone")
    with schema_context(SCHEMA):
        from schools.documents.models import Order
        from schools.programmes.models import Programme

        programme = Programme.objects.get()
        assert programme.status == "active" and programme.approved_at is not None
        assert Order.objects.filter(status="approved").count() == 4
