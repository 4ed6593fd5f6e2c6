"""Pairs of a generated school (seeding.school) taken through the pages from the first meeting
to completion, in the school's own time zone: the coordinator sets Vladivostok time, plans the
organisational meeting at a local time and sees it as typed (stored as UTC ten hours earlier),
marks it held with who attended, records the other four meetings of the sequence held, and
completes the pair with its result; the time-zone page fits a phone.

One institution (``school-gen-ye``), filled by the school generator and removed at the end."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests.browser.conftest import journey_school, shot, sign_in
from tests.conftest import SETUP

pytestmark = pytest.mark.browser

SLUG = "school-gen-ye"
SCHEMA = "school_gen_ye"
HOST = f"{SLUG}.localhost"
VLADIVOSTOK = datetime.timezone(datetime.timedelta(hours=10))  # no summer time since 2014


def _first_pair(generated: Any) -> int:
    """A pair the generated bases allow (a valid consent on both sides, a fitting form)."""
    from schools.pairs import services as pair_services
    from schools.programmes.models import Programme

    programme = Programme.objects.get(pk=generated.programme_id)
    for mentee_id in generated.mentee_ids[:30]:
        for mentor_id in generated.mentor_ids[:30]:
            for form in programme.forms:
                try:
                    with schema_context(SCHEMA):
                        pair = pair_services.pair_create(
                            programme_id=programme.pk,
                            mentor_participant_id=mentor_id,
                            mentee_participant_ids=[mentee_id],
                            form=form,
                            started_on=datetime.date.today() - datetime.timedelta(days=120),
                            actor=SETUP,
                        )
                    return pair.pk
                except ValidationError:
                    continue
    raise AssertionError("the generated school allows no pair")


@pytest.fixture(scope="module")
def journey(live: Any, browser: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    from seeding.school import school_generate

    with journey_school(
        live,
        browser,
        django_db_blocker,
        slug=SLUG,
        name="МБОУ «Средняя общеобразовательная школа № 12 г. Владивостока»",
        short_name="СОШ № 12",
    ) as school:
        assert school.schema_name == SCHEMA
        school.user(Role.COORDINATOR, "ye-gen-coord", first_name="Инна", last_name="Ким")
        generated = school_generate(schema_name=SCHEMA, learners=60, staff=10, seed=12)
        with schema_context(SCHEMA):
            pair_id = _first_pair(generated)
        tenant_connection().set_schema_to_public()
        page = school.context().new_page()
        sign_in(page, live.url(HOST, "/accounts/login/"), "ye-gen-coord")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        yield {"live": live, "page": page, "pair": pair_id}


def test_a_generated_schools_pair_from_the_first_meeting_to_completion(journey):
    from schools.pairs.models import Meeting

    live, page, pair = journey["live"], journey["page"], journey["pair"]
    # The school's own time zone, set by the coordinator.
    page.goto(live.url(HOST, "/programme/"))
    page.get_by_test_id("time-zone-link").click()
    page.get_by_label("Часовой пояс").select_option("Asia/Vladivostok")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".alert-success")).to_contain_text("Часовой пояс сохранён")
    now_local = datetime.datetime.now(VLADIVOSTOK)
    expect(page.get_by_test_id("local-now")).to_contain_text(now_local.strftime("%d.%m.%Y"))
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "year-end-gen-01-time-zone-on-a-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The first meeting: planned at a local time, seen as typed, then marked held.
    page.goto(live.url(HOST, f"/pairs/{pair}/"))
    first = (now_local - datetime.timedelta(days=30)).replace(
        hour=15, minute=30, second=0, microsecond=0
    )
    page.locator("#id_kind").select_option("organisational")
    page.locator("#id_starts_at").fill(first.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_place").fill("Кабинет 5")
    page.locator("#id_kind").evaluate("el => el.form.requestSubmit()")
    page.wait_for_load_state()
    row = page.locator("[data-kind='organisational']")
    expect(row).to_have_attribute("data-state", "overdue")
    expect(page.get_by_test_id("meetings")).to_contain_text(first.strftime("%d.%m.%Y %H:%M"))
    with schema_context(SCHEMA):
        stored = Meeting.objects.get(pair_id=pair, kind="organisational").starts_at
    tenant_connection().set_schema_to_public()
    assert stored == first.astimezone(datetime.UTC)  # 05:30 UTC, not 15:30
    page.get_by_test_id("meeting-mark-held").first.click()
    page.locator("input[name='held-attendees']").first.check()
    page.get_by_test_id("meeting-held-save").click()
    expect(row).to_have_attribute("data-state", "held")

    # The other four meetings of the sequence, recorded held.
    kinds = ["trial", "planning", "regular", "final"]
    for days, kind in zip((25, 18, 10, 2), kinds, strict=True):
        moment = now_local - datetime.timedelta(days=days)
        page.locator("#id_kind").select_option(kind)
        page.locator("#id_starts_at").fill(moment.strftime("%Y-%m-%dT%H:%M"))
        page.locator("#id_place").fill("Кабинет 5")
        page.locator("#id_held").check()
        page.locator("#id_held").evaluate("el => el.form.requestSubmit()")
        page.wait_for_load_state()
        expect(page.locator(f"[data-kind='{kind}']")).to_have_attribute("data-state", "held")

    # Completion with the result.
    page.get_by_test_id("pair-work-end").locator("summary").first.click()
    page.locator("#id_complete-outcome").fill("Цели плана развития достигнуты")
    page.get_by_test_id("pair-complete").click()
    expect(page.get_by_test_id("pair-result")).to_contain_text("Цели плана развития")
    assert "UTC" not in page.content()
    shot(page, "year-end-gen-02-pair-completed")
