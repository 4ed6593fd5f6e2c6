"""Regional staff write a questionnaire template in a real browser: create it, add questions
in the editor without leaving the page (HTMX), see the validation service's error next to the
field, make a question conditional, check the preview as a respondent sees it (the condition
hides and shows the question), publish it (read-only afterwards, "new version" offered), and
read the anonymous regional results: the charts, the table view with a suppressed cell, and
one chart's XLSX. Then an institution's coordinator publishes an anonymised case.

The template has a code of its own per run; a published version can never be deleted (a
database trigger), so it stays in the test database, which is dropped after the session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests.browser.conftest import make_user_in, shot, sign_in
from tests.conftest import SETUP

pytestmark = pytest.mark.browser

CODE = f"browser-q-{uuid.uuid4().hex[:8]}"
YEAR = 2026


@pytest.fixture(scope="module")
def region(live: Any, django_db_blocker: Any, django_db_setup: Any) -> Iterator[dict[str, Any]]:
    from regional.survey_results.models import RegionalQuestionResult
    from tests.web.areas.questionnaires import publish_results

    tenants = django_db_setup
    with django_db_blocker.unblock():
        tenant_connection().set_schema_to_public()
        make_user_in("public", Role.REGIONAL_STAFF, "browser-q-staff")
        make_user_in(tenants.a.schema_name, Role.COORDINATOR, "browser-q-coord")
        publish_results(tenants.a.pk, code=CODE, year=YEAR)
        try:
            yield {"live": live, "a": tenants.a}
        finally:
            from accounts.models import User

            tenant_connection().set_schema_to_public()
            RegionalQuestionResult.objects.filter(template_code=CODE).delete()
            User.objects.filter(username="browser-q-staff").delete()
            with schema_context(tenants.a.schema_name):
                from schools.pairs.models import PracticeCase
                from schools.programmes.models import Programme

                PracticeCase.objects.filter(title__startswith="Браузерный кейс").delete()
                Programme.objects.filter(title="Браузерная программа").delete()
                User.objects.filter(username="browser-q-coord").delete()


def test_regional_staff_write_publish_and_read_results(region, browser, tmp_path):
    live = region["live"]
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        sign_in(page, live.url("localhost", "/accounts/login/"), "browser-q-staff")
        page.get_by_role("link", name="Шаблоны анкет").click()
        page.locator("a[href='/templates/new/']").click()

        # a template: its errors next to the fields first, then created with a draft
        page.locator("#id_title").fill("Обратная связь наставляемых")
        page.locator("#id_code").fill(CODE)
        page.locator("#id_purpose").select_option("intermediate_feedback")
        page.get_by_test_id("template-form").get_by_role("button").click()
        expect(page.locator("#id_target_roles-errors")).to_be_visible()
        page.locator("input[name=target_roles][value=mentee]").check()
        page.get_by_test_id("template-form").get_by_role("button").click()
        expect(page.get_by_test_id("editor")).to_be_visible()
        editor_url = page.url

        # add questions without leaving the page
        add = page.get_by_test_id("add-question")
        add.locator("#id_new-text").fill("Встречи с наставником были полезны?")
        add.locator("#id_new-code").fill("liked")
        add.locator("#id_new-kind").select_option("yes_no")
        add.get_by_role("button").click()
        questions = page.get_by_test_id("editor").get_by_test_id("questions")
        expect(questions).to_contain_text("Встречи с наставником были полезны?")
        assert page.url == editor_url

        add = page.get_by_test_id("add-question")
        add.locator("#id_new-text").fill("Насколько полезны, от 1 до 10?")
        add.locator("#id_new-code").fill("score")
        add.locator("#id_new-kind").select_option("scale")
        expect(add.locator("#id_new-options")).to_be_hidden()  # only for choices
        add.get_by_role("button").click()
        error = page.locator("#id_new-max_value-errors")
        expect(error).to_have_text("Для шкалы нужны минимум и максимум.")
        expect(page.locator("#id_new-max_value")).to_have_attribute("aria-invalid", "true")
        shot(page, "questionnaire-editor-error")

        add = page.get_by_test_id("add-question")
        add.locator("#id_new-min_value").fill("1")
        add.locator("#id_new-max_value").fill("10")
        add.locator("#id_new-min_label").fill("бесполезны")
        add.locator("#id_new-max_label").fill("очень полезны")
        add.locator("#id_new-condition_question").select_option("liked")
        add.locator("#id_new-condition_value").fill("yes")
        add.get_by_role("button").click()
        expect(questions.locator("li")).to_have_count(2)
        expect(questions).to_contain_text("score")
        shot(page, "questionnaire-editor")

        # the preview: the scale is shown only after "yes"
        page.locator("a[href$='/preview/']").click()
        scale = page.locator("#pq-score")
        expect(scale).to_be_hidden()
        page.locator("label[for=pq-liked-yes]").click()
        expect(scale).to_be_visible()
        shot(page, "questionnaire-preview")
        page.locator("label[for=pq-liked-no]").click()
        expect(scale).to_be_hidden()

        # publish: read-only afterwards, a new version offered
        page.goto(editor_url)
        page.get_by_test_id("publish").click()
        expect(page.get_by_test_id("new-version")).to_be_visible()
        expect(page.get_by_test_id("add-question")).to_have_count(0)
        shot(page, "questionnaire-published")

        # the region's anonymous results for this template: charts, tables, XLSX
        page.goto(
            live.url("localhost", f"/survey-results/?template_code={CODE}&academic_year={YEAR}")
        )
        charts = page.get_by_test_id("result-chart")
        expect(charts).to_have_count(2)
        expect(charts.nth(0)).to_contain_text("Встречи с наставником были полезны?")
        # the scale's cells are hidden everywhere: no chart, the fact said instead
        expect(page.locator("canvas[data-drawn]")).to_have_count(1)
        expect(charts.nth(1).locator("canvas")).to_have_count(0)
        second = charts.nth(1)
        second.locator("summary").first.focus()
        page.keyboard.press("Enter")
        expect(second.locator("table").first).to_be_visible()
        expect(second.locator("[data-suppressed]").first).to_be_attached()
        shot(page, "survey-results")
        with page.expect_download() as download:
            charts.nth(0).get_by_test_id("xlsx").click()
        path = tmp_path / "chart.xlsx"
        download.value.save_as(path)
        sheet = load_workbook(path).active
        assert sheet is not None
        rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
        assert ("Да", 9, 0) in rows and ("Нет", 6, 0) in rows

        # on a phone: a new draft's editor and the results fit the screen (no sideways scroll)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(editor_url)
        page.get_by_test_id("new-version").click()
        expect(page.get_by_test_id("add-question")).to_be_visible()
        shot(page, "questionnaire-phone")
        for url in (page.url, live.url("localhost", f"/survey-results/?template_code={CODE}")):
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


def test_coordinator_publishes_an_anonymised_case(region, browser, worker):
    from schools.programmes import selectors as programme_selectors
    from schools.programmes import services as programmes

    live, a = region["live"], region["a"]
    with schema_context(a.schema_name):
        if programme_selectors.programme_current() is None:
            programmes.programme_create(
                actor=SETUP,
                academic_year=programme_selectors.current_academic_year(),
                title="Браузерная программа",
                forms=["pupil_pupil"],
            )
    tenant_connection().set_schema_to_public()
    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        sign_in(page, live.url(f"{a.slug}.localhost", "/accounts/login/"), "browser-q-coord")
        page.goto(live.url(f"{a.slug}.localhost", "/practices/new/"))
        page.locator("#id_title").fill("Браузерный кейс: театр")
        page.locator("#id_form").select_option("pupil_pupil")
        page.locator("#id_text").fill(
            "Варвара Снегирёва сыграла главную роль. Пишите нам: teatr@alpha.ru, и всё получится."
        )
        page.get_by_test_id("case-form").get_by_role("button").click()
        # the worker prepares the copy; the page shows it, and what it hides, when it is ready
        page.get_by_test_id("prepare").click()
        hidden = page.get_by_test_id("preview-hidden")
        expect(hidden).to_contain_text("Варвара Снегирёва")
        expect(hidden).to_contain_text("teatr@alpha.ru")
        expect(page.get_by_test_id("preview-copy")).not_to_contain_text("Снегирёва")
        shot(page, "practice-preview-phone")
        page.get_by_test_id("publish").click()
        copy = page.get_by_test_id("published-copy")
        expect(copy).to_contain_text("[скрыто]")
        expect(copy).not_to_contain_text("teatr@alpha.ru")
        expect(copy).not_to_contain_text("Снегирёва")
        expect(copy.locator(".alert-warning")).to_have_count(0)  # nothing changed since
        shot(page, "practice-published-phone")
    finally:
        context.close()
