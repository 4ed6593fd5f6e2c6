"""The main journeys in a real browser, in order: regional staff onboard an institution, its
coordinator accepts the invitation, imports participants, records a consent; a user of one
institution is refused on another's host; every page renders in Russian and in English.

The steps share one new institution (``lyceum-7``), made in the first step and removed at
the end of the module."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django_tenants.utils import schema_context, schema_exists
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests.browser.conftest import PASSWORD, make_user_in, shot, sign_in, wait_for
from tests.web.conftest import xlsx_bytes

pytestmark = pytest.mark.browser

SLUG = "lyceum-7"
SCHEMA = "lyceum_7"
COORDINATOR_EMAIL = "coordinator@lyceum7.ru"


@pytest.fixture(scope="module")
def journey(live: Any, browser: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Shared state of the steps, a browser context per role, and the clean-up."""
    from tenants.models import Domain, Institution
    from tenants.schemas import drop_schema

    state: dict[str, Any] = {"live": live, "contexts": {}}

    def context(name: str) -> Any:
        if name not in state["contexts"]:
            ctx = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
            ctx.set_default_timeout(20_000)
            state["contexts"][name] = ctx
        return state["contexts"][name]

    state["context"] = context
    with django_db_blocker.unblock():
        state["admin"] = make_user_in("public", Role.REGIONAL_ADMIN, "browser-admin")
        try:
            yield state
        finally:
            for ctx in state["contexts"].values():
                ctx.close()
            tenant_connection().set_schema_to_public()
            if schema_exists(SCHEMA):
                drop_schema(SCHEMA)
            Domain.objects.filter(tenant__slug=SLUG).delete()
            Institution.objects.filter(slug=SLUG).delete()
            state["admin"].delete()


def test_regional_admin_onboards_an_institution(journey, browser, tenants):
    live = journey["live"]
    page = journey["context"]("admin").new_page()
    sign_in(page, live.url("localhost", "/accounts/login/"), "browser-admin")
    page.get_by_role("link", name="Добавить организацию").click()
    page.get_by_label("Полное наименование").fill("МБОУ «Лицей № 7»")
    page.get_by_label("Краткое наименование").fill("Лицей № 7")
    page.get_by_label("Вид").select_option("school")
    page.get_by_label("Муниципалитет").select_option(str(tenants.municipality.pk))
    page.get_by_label("Адрес").fill(SLUG)
    page.get_by_label("E-mail координатора").fill(COORDINATOR_EMAIL)
    page.get_by_label("ФИО координатора").fill("Смирнова Анна Викторовна")
    mail.outbox.clear()
    page.get_by_role("button", name="Создать рабочее пространство").click()
    # the status is polled (HTMX) until the worker has made the schema
    page.locator('#institution-status [data-status="active"]').wait_for(timeout=60_000)
    shot(page, "01-regional-institution-active")
    assert schema_exists(SCHEMA)
    letter = wait_for(lambda: [m for m in mail.outbox if m.to == [COORDINATOR_EMAIL]])[0]
    link = re.search(r"http://\S+/accounts/invite/\S+/", letter.body)
    assert link and link.group(0).startswith(f"http://{SLUG}.localhost:{live.port}/")
    journey["invitation"] = link.group(0)
    page.goto(live.url("localhost", "/"))
    assert page.locator("tr", has_text="Лицей № 7").locator('[data-status="active"]').count()
    shot(page, "02-regional-institutions")


def test_coordinator_accepts_the_invitation_and_creates_the_programme(journey, browser):
    page = journey["context"]("coordinator").new_page()
    page.goto(journey["invitation"])
    page.get_by_label("Логин").fill("smirnova")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Создать учётную запись").click()
    page.get_by_label("Название").fill("Программа наставничества «Вместе»")
    page.get_by_role("button", name="Создать программу").click()
    page.get_by_role("heading", name="Дорожная карта").wait_for()
    shot(page, "03-coordinator-roadmap")
    page.get_by_role("link", name="Обзор").click()
    page.get_by_test_id("stage-tracker").wait_for()
    assert (page.get_by_test_id("whoami").text_content() or "").startswith("Смирнова Анна")
    shot(page, "04-coordinator-stage-tracker")


def test_coordinator_imports_participants(journey, browser, tmp_path):
    live = journey["live"]
    page = journey["context"]("coordinator").new_page()
    header = ["ФИО", "Дата рождения", "Категория", "Класс/Группа"]
    bad = tmp_path / "ученики-с-ошибкой.xlsx"
    bad.write_bytes(xlsx_bytes([header, ["Кузнецов Иван Петрович", "31.02.2013", "ученик", "5А"]]))
    page.goto(live.url(f"{SLUG}.localhost", "/imports/"))
    page.get_by_label("Файл (XLSX или CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Загрузить и проверить").click()
    page.get_by_test_id("row-errors").wait_for(timeout=30_000)
    assert page.get_by_test_id("error-count").inner_text() == "1"
    shot(page, "05-import-preview-with-errors")

    good = tmp_path / "ученики.xlsx"
    year = datetime.date.today().year
    people = [
        ["Кузнецов Иван Петрович", f"12.03.{year - 13}", "ученик", "5А"],  # 12 or 13
        ["Соколова Мария Андреевна", f"05.09.{year - 14}", "ученик", "6Б"],
        ["Волков Артём Сергеевич", f"21.11.{year - 17}", "ученик", "10А"],
        ["Морозова Елена Игоревна", "14.04.1985", "педагог", ""],
    ]
    good.write_bytes(xlsx_bytes([header, *people]))
    page.goto(live.url(f"{SLUG}.localhost", "/imports/"))
    page.get_by_label("Файл (XLSX или CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Загрузить и проверить").click()
    page.get_by_role("button", name="Импортировать").wait_for(timeout=30_000)
    shot(page, "06-import-preview-clean")
    page.get_by_role("button", name="Импортировать").click()
    page.locator('[data-testid="import-status"][data-status="done"]').wait_for(timeout=30_000)
    assert page.get_by_test_id("imported-count").inner_text() == "4"
    shot(page, "07-import-done")
    with schema_context(SCHEMA):
        from schools.participants.models import Participant

        assert Participant.objects.count() == 4


def test_coordinator_records_a_consent(journey, browser):
    live = journey["live"]
    page = journey["context"]("coordinator").new_page()
    page.goto(live.url(f"{SLUG}.localhost", "/participants/"))
    page.get_by_label("Поиск по имени").fill("Кузнецов")
    # HTMX replaces the table as you type
    expect(page.locator("#participants-table tbody tr")).to_have_count(1)
    expect(page.locator("#participants-table tbody tr")).to_contain_text("Кузнецов")
    page.get_by_role("link", name=re.compile("Кузнецов")).click()
    # recorded as signed by the pupil himself (the default) → refused: he is under 14
    page.get_by_role("button", name="Внести в реестр").click()
    expect(page.locator("#id_signed_by-errors")).to_contain_text("До 14 лет")
    shot(page, "08-consent-error-next-to-the-field")
    page.get_by_label("Подписал(а)").select_option("guardian")
    page.get_by_label("Родитель или законный представитель (ФИО)").fill("Кузнецова Ирина Олеговна")
    page.get_by_label("Кем приходится").select_option("mother")
    page.get_by_role("button", name="Внести в реестр").click()
    page.locator('[data-consent="valid"]').first.wait_for()
    shot(page, "09-consent-recorded")


def test_a_user_of_one_institution_is_refused_on_another(journey, browser, tenants):
    live = journey["live"]
    page = journey["context"]("coordinator").new_page()
    other = f"{tenants.a.slug}.localhost"
    page.goto(live.url(other, "/participants/"))
    assert "/accounts/login/" in page.url  # the session of lyceum-7 means nothing here
    page.get_by_label("Логин").fill("smirnova")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    assert page.locator(".alert-danger").count() == 1
    assert "/accounts/login/" in page.url
    shot(page, "10-other-institution-refused")


def test_every_page_renders_in_russian_and_english(journey, browser):
    live = journey["live"]
    page = journey["context"]("coordinator").new_page()
    host = f"{SLUG}.localhost"
    paths = ["/", "/programme/", "/participants/", "/imports/", "/matching/", "/pairs/"]
    for path in paths:
        response = page.goto(live.url(host, path))
        assert response is not None and response.status == 200, path
        assert page.get_by_role("button", name="Выйти").count() == 1
    page.goto(live.url(host, "/programme/"))
    page.get_by_test_id("lang-en").click()
    page.wait_for_load_state()
    for path in paths:
        response = page.goto(live.url(host, path))
        assert response is not None and response.status == 200, path
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("button", name="Sign out").count() == 1
    shot(page, "11-roadmap-english")
    page.get_by_test_id("lang-ru").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    # the regional pages, in both languages
    admin = journey["context"]("admin").new_page()
    for path in ("/", "/applications/", "/kpis/", "/institutions/new/"):
        response = admin.goto(live.url("localhost", path))
        assert response is not None and response.status == 200, path
    phone = journey["context"]("coordinator").new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(live.url(host, "/"))
    phone.get_by_role("button", name="Открыть меню").click()
    phone.locator("#nav.show").wait_for()  # the menu has finished opening
    phone.get_by_role("link", name="Участники").wait_for()
    shot(phone, "12-phone-menu")
