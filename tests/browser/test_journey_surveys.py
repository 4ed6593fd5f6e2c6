"""The questionnaire journey in a real browser: the coordinator adopts a regional template,
creates a campaign for a pair and launches it (the worker e-mails the personal links); the
mentee signs in, opens "my questionnaires", answers (a dependent question appears after a
"yes"), saves a draft and submits; the coordinator sees the result chart with its table and
XLSX download.

The steps share one institution of their own (``survey-school``), made at the start and removed
at the end of the module (these tests commit their data)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests import builders
from tests.browser.conftest import journey_school, shot, sign_in, wait_for
from tests.conftest import SETUP

pytestmark = pytest.mark.browser

SLUG = "survey-school"
SCHEMA = "survey_school"
HOST = f"{SLUG}.localhost"


@pytest.fixture(scope="module")
def journey(live: Any, browser: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """An institution with a programme, a mentor and a mentee (consents given) in one pair,
    the coordinator's and the mentee's accounts; removed afterwards."""
    from regional.questionnaires import api as templates
    from schools.pairs import api as pairs_api
    from schools.participants import api as participants

    with journey_school(
        live,
        browser,
        django_db_blocker,
        slug=SLUG,
        name="МБОУ «Школа анкет»",
        short_name="Школа анкет",
    ) as school:
        assert school.schema_name == SCHEMA
        state: dict[str, Any] = {"live": live, "context": school.context_of}
        intake = templates.published_version_id(template_code="mentee-intake")
        assert intake is not None
        state["intake_version"] = intake
        school.user(Role.COORDINATOR, "survey-coord", last_name="Орлова")
        mentee_user = school.user(Role.MENTEE, "survey-mentee", last_name="Лебедев")
        mentor_user = school.user(Role.MENTOR, "survey-mentor", last_name="Зимина")
        programme = school.programme("Программа «Вместе»", forms=["teacher_teacher"])
        mentor = school.make(
            builders.person,
            names="Зимина Ольга",
            category="teacher",
            born=datetime.date(1978, 4, 2),
            email="zimina@survey-school.ru",
            user_id=mentor_user.pk,
        )
        mentee = school.make(
            builders.person,
            names="Лебедев Павел",
            category="teacher",
            born=datetime.date(2000, 6, 7),
            is_young_specialist=True,
            email="lebedev@survey-school.ru",
            user_id=mentee_user.pk,
        )
        with schema_context(SCHEMA):
            participants.mentor_profile_upsert(participant_id=mentor.pk, capacity=2, actor=SETUP)
            state["pair_id"] = pairs_api.pair_create(
                programme_id=programme.pk,
                mentor_participant_id=mentor.pk,
                mentee_participant_ids=[mentee.pk],
                form="teacher_teacher",
                actor=SETUP,
            )
        tenant_connection().set_schema_to_public()
        yield state


def test_coordinator_launches_a_campaign(journey, browser):
    live = journey["live"]
    page = journey["context"]("coordinator").new_page()
    sign_in(page, live.url(HOST, "/accounts/login/"), "survey-coord")
    page.goto(live.url(HOST, "/campaigns/"))
    adopt = page.get_by_test_id("adopt-form")
    adopt.locator("#id_template_version").select_option(str(journey["intake_version"]))
    adopt.locator("button[type=submit]").click()
    page.get_by_test_id("campaign-form").wait_for()

    form = page.get_by_test_id("campaign-form")
    form.locator("#id_questionnaire").select_option(index=0)
    form.locator("#id_title").fill("Запросы наставляемых")
    form.locator("#id_target_kind").select_option("pair")
    # the page lists no pair: the select fetches its options once a pair is the target
    expect(form.locator(f'#id_target_pair option[value="{journey["pair_id"]}"]')).to_have_count(1)
    # No pair chosen, then a closing date before the opening one: refused each time, the
    # error next to the field, nothing created.
    today = datetime.date.today()
    form.locator("#id_closes_on").fill(str(today - datetime.timedelta(days=1)))
    form.locator("button[type=submit]").click()
    expect(page.locator("#id_target_pair-errors")).to_be_visible()
    form = page.get_by_test_id("campaign-form")
    form.locator("#id_target_pair").select_option(str(journey["pair_id"]))
    form.locator("button[type=submit]").click()
    expect(page.locator("#id_closes_on-errors")).to_be_visible()
    shot(page, "survey-01-campaign-form-errors")

    form = page.get_by_test_id("campaign-form")
    form.locator("#id_closes_on").fill(str(today + datetime.timedelta(days=14)))
    form.locator("button[type=submit]").click()
    page.get_by_test_id("campaign-status").wait_for()
    assert re.search(r"/campaigns/\d+/$", page.url)
    journey["campaign_url"] = page.url
    mail.outbox.clear()
    page.locator("form[action$='/open/'] button").click()
    expect(page.get_by_test_id("invited")).to_have_text("2")
    shot(page, "survey-02-campaign-launched")
    # The worker e-mails each invited person a personal link to the answering page.
    letters = wait_for(lambda: len(mail.outbox) >= 2 and mail.outbox)
    assert all(re.search(rf"http://{HOST}:\d+/surveys/link/\S+/", m.body) for m in letters)


def test_mentee_answers_the_questionnaire(journey, browser):
    live = journey["live"]
    page = journey["context"]("mentee").new_page()
    sign_in(page, live.url(HOST, "/accounts/login/"), "survey-mentee")
    page.get_by_test_id("my-surveys-card").get_by_role("link").click()
    mine = page.get_by_test_id("my-surveys")
    expect(mine).to_contain_text("Запросы наставляемых")
    shot(page, "survey-03-my-questionnaires")
    mine.get_by_role("link").first.click()
    form = page.get_by_test_id("survey-form")
    # The dependent question appears only after "yes".
    areas = page.locator("#q-request_areas")
    expect(areas).to_be_hidden()
    page.locator("#q-category input[value='teacher']").check()
    page.locator("#q-young_specialist input[value='yes']").check()
    page.locator("#q-wants_mentor input[value='yes']").check()
    expect(areas).to_be_visible()
    # Submitting without the now required answer: the error is next to that question.
    form.locator("button[value='submit']").click()
    expect(page.locator("#id_request_areas-errors")).to_be_visible()
    shot(page, "survey-04-answer-error-next-to-question")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: one column, no overflow
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "survey-04-answer-on-a-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#q-request_areas input[type=checkbox]").first.check()
    form.locator("button[value='draft']").click()
    expect(page.get_by_test_id("survey-status")).to_contain_text(re.compile(r"\S"))
    page.goto(live.url(HOST, "/my-surveys/"))
    page.get_by_test_id("my-surveys").get_by_role("link").first.click()
    expect(page.locator("#q-request_areas input[type=checkbox]").first).to_be_checked()
    page.locator("#q-hours_per_month input").fill("4")
    page.get_by_test_id("survey-form").locator("button[value='submit']").click()
    assert page.url.endswith("/my-surveys/")
    expect(page.locator(".alert-success")).to_be_visible()
    shot(page, "survey-05-answers-submitted")
    with schema_context(SCHEMA):
        from schools.monitoring.models import SurveyResponse

        response = SurveyResponse.objects.get(participant__user__username="survey-mentee")
        assert response.status == "submitted"
        assert response.answers["wants_mentor"] is True and response.answers["hours_per_month"] == 4
    tenant_connection().set_schema_to_public()


def test_coordinator_sees_the_result_chart(journey, browser):
    page = journey["context"]("coordinator").new_page()
    page.goto(journey["campaign_url"])
    expect(page.get_by_test_id("submitted")).to_have_text("1")
    chart = page.get_by_test_id("result-category")
    expect(chart.locator("canvas")).to_have_attribute("data-drawn", "true")
    chart.locator("summary").first.click()
    expect(chart.locator("table")).to_contain_text("Педагог")
    with page.expect_download() as download:
        chart.locator("a[href*='xlsx/?question=category']").click()
    assert download.value.suggested_filename.endswith("-category.xlsx")
    chart.scroll_into_view_if_needed()
    shot(page, "survey-06-result-chart")
