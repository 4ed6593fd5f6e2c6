"""Matching a generated school in a real browser: the coordinator runs matching, reads on a
phone why a pupil was left without a mentor (criterion by criterion, what would help), makes
the pair by hand from there, then approves two proposals and leaves the rest for later.

One institution (``school-gen-7``), filled by the school generator (seeding.school) and
removed at the end."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests import builders
from tests.browser.conftest import PHONE, JourneySchool, journey_school, shot, sign_in
from tests.conftest import SETUP

pytestmark = pytest.mark.browser

SLUG = "school-gen-7"
SCHEMA = "school_gen_7"
HOST = f"{SLUG}.localhost"


def _build_institution(school: JourneySchool) -> None:
    from schools.participants import api as participants
    from schools.participants import services as participant_services
    from seeding.school import school_generate

    school.user(Role.COORDINATOR, "gromova", first_name="Ирина", last_name="Громова")
    school_generate(schema_name=SCHEMA, learners=120, staff=14, seed=7)
    with schema_context(SCHEMA):
        # A pupil whose only request nobody covers: she will be left without a mentor.
        topic = participant_services.topic_create(
            name="Шахматная композиция", group="leisure", actor=SETUP
        )
    today = timezone.localdate()
    pupil = school.make(
        builders.person,
        names="Ёлкина Алёна Фёдоровна",
        category="pupil",
        born=today.replace(year=today.year - 12) - datetime.timedelta(days=30),
        guardian="Ёлкина Ольга Петровна",
    )
    with schema_context(SCHEMA):
        participants.mentee_profile_upsert(
            participant_id=pupil.pk,
            request="Шахматная композиция",
            need_codes=[topic.code],
            actor=SETUP,
        )


@pytest.fixture(scope="module")
def journey(live: Any, browser: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with journey_school(
        live,
        browser,
        django_db_blocker,
        slug=SLUG,
        name="МБОУ «Средняя общеобразовательная школа № 7»",
        short_name="СОШ № 7",
    ) as school:
        assert school.schema_name == SCHEMA
        _build_institution(school)
        tenant_connection().set_schema_to_public()

        def context(viewport: dict[str, int]) -> Any:
            return school.context(phone=viewport == PHONE)

        yield {"live": live, "context": context}


def test_coordinator_reads_why_pairs_by_hand_and_approves_some(journey):
    live = journey["live"]
    page = journey["context"](PHONE).new_page()
    sign_in(page, live.url(HOST, "/accounts/login/"), "gromova")
    page.goto(live.url(HOST, "/matching/"))
    page.get_by_role("heading", name="Подбор наставников и наставляемых").wait_for()
    page.get_by_role("button", name="Запустить подбор").click()
    approve_some = page.get_by_role("button", name="Утвердить отмеченные, остальные оставить")
    approve_some.wait_for(timeout=60_000)
    unmatched = page.locator("#unmatched")
    expect(unmatched).to_contain_text("Ёлкина Алёна Фёдоровна")
    expect(unmatched).to_contain_text("никто не покрывает «Шахматная композиция»")
    shot(page, "matching-unmatched-list-phone")

    # Why, criterion by criterion, and what would help: on a phone.
    unmatched.get_by_role("link", name="Ёлкина Алёна Фёдоровна").click()
    page.get_by_role("heading", name="Ёлкина Алёна Фёдоровна").wait_for()
    funnel = page.get_by_test_id("funnel")
    expect(funnel).to_contain_text("Форма программы подходит обеим ролям")
    expect(funnel).to_contain_text("Покрывает запросы")
    expect(page.locator("main")).to_contain_text("Что поможет:")
    # Nothing wider than the phone (tables scroll inside their box).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shot(page, "matching-unmatched-why-phone")

    # The pair made by hand: the best-scored mentor who has a place.
    options = page.get_by_test_id("mentor-options")
    first = options.get_by_role("button", name="Составить пару").first
    first.click()
    expect(page.locator(".alert-success")).to_contain_text("составлена вручную")
    expect(page.locator("#unmatched")).not_to_contain_text("Ёлкина Алёна Фёдоровна")
    expect(page.locator("table tbody")).to_contain_text("вручную")

    # Two proposals approved now, the rest left for later.
    boxes = page.locator('input[name="proposal"]')
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Утвердить отмеченные, остальные оставить").click()
    expect(page.locator(".alert-success")).to_contain_text("Сформировано 2")
    expect(page.locator("table tbody")).to_contain_text("Утверждено: пара сформирована")
    shot(page, "matching-approved-some-phone")
    with schema_context(SCHEMA):
        from schools.matching.models import MatchRun
        from schools.pairs.models import Pair

        run = MatchRun.objects.latest("pk")
        assert run.status == "done"  # the rest still wait for a decision
        assert run.proposals.filter(pair_id__isnull=False).count() == 2
        assert run.proposals.filter(made_by_hand=True).count() == 1
        assert Pair.objects.count() in (1, 2)  # one group if both went to the same mentor
