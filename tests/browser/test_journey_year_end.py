"""The second half of a school year in a real browser, in a school of its own: the coordinator
takes a teacher pair through the five meetings to its completion with a result and completes a
pupils' group; prints the invitations of a class's questionnaire, a pupil without e-mail
answers through the short link of the slip, and the list of who has not answered shrinks; the
coordinator downloads the encouragement order, the thank-you letters (made by the worker) and
the annual report, and each is opened and read (every name once, the salutation by gender, the
director named, no UTC); the public programme page answers without login and names no learner;
the new pages fit a phone. The school is provisioned for this module and dropped at the end."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests import builders
from tests.browser.conftest import journey_school, shot, sign_in
from tests.conftest import SETUP
from tests.schools.pairs.test_completion_documents import docx_text

pytestmark = pytest.mark.browser

SLUG = "year-end-school"
SCHEMA = "year_end_school"
HOST = f"{SLUG}.localhost"
TODAY = datetime.date.today()


@pytest.fixture(scope="module")
def journey(live: Any, browser: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    from regional.questionnaires import api as templates
    from schools.monitoring import services as monitoring
    from schools.pairs import services as pair_services
    from schools.participants import api as participants
    from schools.participants import services as participant_services

    with journey_school(
        live,
        browser,
        django_db_blocker,
        slug=SLUG,
        name="МБОУ «Школа завершения года»",
        short_name="Школа года",
    ) as school:
        assert school.schema_name == SCHEMA

        def context(**extra: Any) -> Any:
            return school.context(accept_downloads=True, timeout=30_000, **extra)

        state: dict[str, Any] = {"live": live, "context": context}
        coordinator_user = school.user(
            Role.COORDINATOR,
            "ye-coord",
            last_name="Багдасарова",
            first_name="Марина",
            middle_name="Николаевна",
            email="coord@year.ru",
        )
        school.user(
            Role.DIRECTOR,
            "ye-director",
            last_name="Лебедев",
            first_name="Алексей",
            middle_name="Михайлович",
        )
        programme = school.programme(
            "Вместе к успеху",
            forms=["teacher_teacher", "pupil_pupil"],
            status="active",
            coordinator_id=coordinator_user.pk,
        )
        with schema_context(SCHEMA):
            group = participant_services.study_group_get_or_create(name="6А", actor=SETUP)
            older = participant_services.study_group_get_or_create(name="10А", actor=SETUP)
        teacher = school.make(
            builders.person,
            names="Ёлкина Алёна Викторовна",
            category="teacher",
            position="учитель математики",
        )
        young = school.make(builders.person, names="Орехов Пётр Ильич", category="young_specialist")
        senior = school.make(
            builders.person,
            names="Синицын Глеб Андреевич",
            category="pupil",
            study_group_id=older.pk,
        )
        pupils = [
            school.make(
                builders.person,
                names="Грушина Вера Олеговна",
                category="pupil",
                study_group_id=group.pk,
            ),
            school.make(
                builders.person,
                names="Журавлёв Тимофей Андреевич",
                category="pupil",
                study_group_id=group.pk,
            ),
        ]
        with schema_context(SCHEMA):
            for mentor in (teacher, senior):
                participants.mentor_profile_upsert(
                    participant_id=mentor.pk, capacity=3, actor=SETUP
                )
            state["teacher_pair"] = pair_services.pair_create(
                programme_id=programme.pk,
                mentor_participant_id=teacher.pk,
                mentee_participant_ids=[young.pk],
                form="teacher_teacher",
                started_on=TODAY - datetime.timedelta(days=90),
                actor=SETUP,
            ).pk
            state["pupil_pair"] = pair_services.pair_create(
                programme_id=programme.pk,
                mentor_participant_id=senior.pk,
                mentee_participant_ids=[p.pk for p in pupils],
                form="pupil_pupil",
                started_on=TODAY - datetime.timedelta(days=90),
                actor=SETUP,
            ).pk
            version_id = templates.published_version_id(template_code="satisfaction-mentee")
            assert version_id is not None
            questionnaire = monitoring.questionnaire_adopt(version_id=version_id, actor=SETUP)
            campaign = monitoring.campaign_create(
                questionnaire=questionnaire,
                title="Удовлетворённость 6А",
                target=monitoring.Target(kind="study_group", study_group_id=group.pk),
                opens_on=TODAY,
                closes_on=TODAY + datetime.timedelta(days=10),
                programme_id=programme.pk,
                actor=SETUP,
            )
            monitoring.campaign_open(campaign=campaign, actor=SETUP)
            state["campaign"] = campaign.pk
        tenant_connection().set_schema_to_public()
        coordinator = context()
        page = coordinator.new_page()
        sign_in(page, live.url(HOST, "/accounts/login/"), "ye-coord")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        state["coordinator"] = coordinator
        yield state


def _on_a_phone(page: Any, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    shot(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_teacher_pair_goes_from_the_first_meeting_to_completion(journey: dict[str, Any]) -> None:
    live = journey["live"]
    page = journey["coordinator"].new_page()
    page.goto(live.url(HOST, f"/pairs/{journey['teacher_pair']}/"))
    steps = page.get_by_test_id("progress").locator("li")
    expect(steps).to_have_count(5)
    expect(steps.first).to_have_attribute("data-state", "todo")
    kinds = ["organisational", "trial", "planning", "regular", "final"]
    for days, kind in zip((60, 50, 40, 20, 2), kinds, strict=True):
        moment = datetime.datetime.now() - datetime.timedelta(days=days)
        page.locator("#id_kind").select_option(kind)
        page.locator("#id_starts_at").fill(moment.strftime("%Y-%m-%dT%H:%M"))
        page.locator("#id_place").fill("Кабинет 21")
        page.locator("#id_held").check()
        page.locator("#id_held").evaluate("el => el.form.requestSubmit()")
        page.wait_for_load_state()
        expect(page.locator(f"[data-kind='{kind}']")).to_have_attribute("data-state", "held")
    expect(page.get_by_test_id("next-step")).to_be_visible()
    shot(page, "year-end-01-progress-line")
    _on_a_phone(page, "year-end-01-pair-on-a-phone")
    page.get_by_test_id("pair-work-end").locator("summary").first.click()
    page.locator("#id_complete-outcome").fill(
        "Наставляемый провёл открытый урок, прошёл аттестацию"
    )
    page.locator("#id_complete-mentor_rating").fill("9")
    page.get_by_test_id("pair-complete").click()
    expect(page.get_by_test_id("pair-result")).to_contain_text("открытый урок")
    # The personalised programme of the teacher pair, from its page.
    with page.expect_download() as info:
        page.locator("a[href$='/personalised-programme/']").click()
    text = docx_text(Path(info.value.path()).read_bytes())
    assert "ПЕРСОНАЛИЗИРОВАННАЯ ПРОГРАММА НАСТАВНИЧЕСТВА" in text and "А. М. Лебедев" in text

    page.goto(live.url(HOST, f"/pairs/{journey['pupil_pair']}/"))
    page.get_by_test_id("pair-work-end").locator("summary").first.click()
    page.locator("#id_complete-outcome").fill("Оценки по математике выросли")
    page.get_by_test_id("pair-complete").click()
    expect(page.get_by_test_id("pair-result")).to_be_visible()


def test_printed_invitations_are_answered_through_their_short_links(
    journey: dict[str, Any],
) -> None:
    live = journey["live"]
    page = journey["coordinator"].new_page()
    page.goto(live.url(HOST, f"/campaigns/{journey['campaign']}/"))
    page.get_by_test_id("campaign-reach").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("2")
    expect(page.get_by_test_id("pending")).to_contain_text("печатный листок")
    shot(page, "year-end-02-who-has-answered")
    _on_a_phone(page, "year-end-02-who-has-answered-on-a-phone")
    with page.expect_download() as info:
        page.get_by_test_id("print-slips").click()
    text = docx_text(Path(info.value.path()).read_bytes())
    assert "Грушина Вера Олеговна" in text and "Журавлёв Тимофей Андреевич" in text
    links = re.findall(r"(http://\S+/s/[A-Z0-9]{4}-[A-Z0-9]{4}/)", text)
    assert len(links) == 2

    pupil = journey["context"]().new_page()  # no sign-in: the pupil only has the slip
    pupil.goto(links[0])
    form = pupil.get_by_test_id("survey-form")
    expect(form).to_be_visible()
    pupil.evaluate(
        """() => {
            const names = new Set([...document.querySelectorAll('input[type=radio]')]
                .map(i => i.name));
            for (const name of names) {
                const options = document.querySelectorAll(`input[type=radio][name="${name}"]`);
                options[options.length - 1].checked = true;
            }
        }"""
    )
    form.locator("button[value='submit']").click()
    expect(pupil.locator(".alert-success")).to_be_visible()
    shot(pupil, "year-end-03-answered-through-the-slip")
    page.reload()
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    expect(page.get_by_test_id("rates")).to_contain_text("50,0")  # Russian decimal comma


def _download(page: Any, locator: Any) -> bytes:
    with page.expect_download() as info:
        locator.click()
    return Path(info.value.path()).read_bytes()


def test_the_documents_a_director_signs(journey: dict[str, Any]) -> None:
    live = journey["live"]
    page = journey["coordinator"].new_page()
    page.goto(live.url(HOST, "/documents/"))
    order = docx_text(
        _download(
            page,
            page.locator("form[action='/documents/encouragement-order/'] button[type='submit']"),
        )
    )
    for name in ("Ёлкина Алёна Викторовна", "Синицын Глеб Андреевич", "Грушина Вера Олеговна"):
        assert order.count(name) == 1, name
    assert "10А класс" in order and "6А класс" in order and "учитель математики" in order
    assert "А. М. Лебедев" in order and "UTC" not in order

    page.locator("form[action='/documents/thank-you-letters/'] button[type='submit']").click()
    page.wait_for_url("**/documents/jobs/*/")
    link = page.get_by_test_id("job-download")
    expect(link).to_be_visible(timeout=60_000)
    archive = zipfile.ZipFile(io.BytesIO(_download(page, link)))
    letters = {name: docx_text(archive.read(name)) for name in archive.namelist()}
    assert len(letters) == 2  # one per mentor
    teacher = next(t for t in letters.values() if "Ёлкин" in t)
    pupil = next(t for t in letters.values() if "Синицын" in t)
    assert "Уважаемая Алёна Викторовна!" in teacher and "профессионализм" in teacher
    assert "Уважаемый Глеб!" in pupil and "профессионализм" not in pupil
    assert all("А. М. Лебедев" in t and "Уважаемый(ая)" not in t for t in letters.values())

    page.goto(live.url(HOST, "/documents/"))
    report = docx_text(_download(page, page.get_by_test_id("annual-report")))
    assert "Отчёт о реализации программы наставничества" in report
    assert "из них завершено с результатом | 2" in report and "UTC" not in report
    shot(page, "year-end-04-documents")


def test_the_public_page_names_no_learner(journey: dict[str, Any]) -> None:
    from schools.participants.models import LEARNER_CATEGORIES, Participant

    live = journey["live"]
    visitor = journey["context"]().new_page()
    response = visitor.goto(live.url(HOST, "/public/"))
    assert response is not None and response.status == 200
    body = visitor.content()
    assert "Багдасарова Марина Николаевна" in body and "Вместе к успеху" in body
    with schema_context(SCHEMA):
        learners = list(Participant.objects.filter(category__in=LEARNER_CATEGORIES))
    tenant_connection().set_schema_to_public()
    assert learners
    for person in learners:
        assert person.last_name not in body, person.last_name
    shot(visitor, "year-end-05-public-page")
    _on_a_phone(visitor, "year-end-05-public-page-on-a-phone")
