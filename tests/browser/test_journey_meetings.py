"""A pair's meetings and the group meeting in a real browser, in a school of its own: a mentor
plans a meeting and marks a past one held with who of the group came (on a phone); the pair
page gives a mentee the calendar link, which answers iCalendar; the coordinator plans the group
meeting and marks it held, a mentor and a mentee choose each other on their own pages, and the
coordinator's matching run scores the pair with their mutual preference.

One institution (``meetings-j``), removed at the end of the module. The pages are in Russian."""

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
from tests.browser.conftest import JourneySchool, journey_school, shot
from tests.conftest import SETUP

pytestmark = pytest.mark.browser

SLUG = "meetings-j"
HOST = f"{SLUG}.localhost"


def _fill(school: JourneySchool) -> dict[str, Any]:
    """A teacher mentoring two pupils of 7А (a past planned meeting); a second teacher and a
    young teacher to be matched after the group meeting."""
    from schools.pairs import services as pair_services
    from schools.participants import api as participants
    from schools.participants import services as participant_services

    users = {
        "coordinator": school.user(Role.COORDINATOR, "mj-coordinator"),
        "mentor": school.user(Role.MENTOR, "mj-mentor"),
        "pupil": school.user(Role.MENTEE, "mj-pupil"),
        "mentor2": school.user(Role.MENTOR, "mj-mentor-2"),
        "young": school.user(Role.MENTEE, "mj-young"),
    }
    programme = school.programme(
        "Программа наставничества", forms=["pupil_pupil", "teacher_teacher"], status="active"
    )
    with schema_context(school.schema_name):
        group = participant_services.study_group_get_or_create(name="7А", actor=SETUP)
    mentor = school.make(
        builders.person, names="Иванова Мария", category="teacher", user_id=users["mentor"].pk
    )
    pupils = [
        school.make(
            builders.person,
            names="Петров Олег",
            category="pupil",
            study_group_id=group.pk,
            user_id=users["pupil"].pk,
        ),
        school.make(
            builders.person, names="Сидорова Анна", category="pupil", study_group_id=group.pk
        ),
    ]
    second = school.make(
        builders.person, names="Козлов Игорь", category="teacher", user_id=users["mentor2"].pk
    )
    young = school.make(
        builders.person,
        names="Лебедева Дарья",
        category="teacher",
        is_young_specialist=True,
        user_id=users["young"].pk,
    )
    with schema_context(school.schema_name):
        participants.mentor_profile_upsert(participant_id=mentor.pk, capacity=3, actor=SETUP)
        pair = pair_services.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentor.pk,
            mentee_participant_ids=[p.pk for p in pupils],
            form="pupil_pupil",
            started_on=timezone.localdate() - datetime.timedelta(days=20),
            actor=SETUP,
        )
        past = pair_services.meeting_create(
            pair=pair,
            kind="organisational",
            starts_at=timezone.now() - datetime.timedelta(days=2),
            place="Кабинет 12",
            actor=SETUP,
        )
        plan = pair.plans.get(mentee_id=pupils[0].pk)
        goal = pair_services.plan_goal_create(actor=SETUP, plan=plan, title="Прочитать три книги")
        participants.mentor_profile_upsert(
            participant_id=second.pk, competence_codes=["career_guidance"], capacity=2, actor=SETUP
        )
        participants.mentee_profile_upsert(
            participant_id=young.pk, need_codes=["career_guidance"], actor=SETUP
        )
    return {
        "programme": programme.pk,
        "pair": pair.pk,
        "past": past.pk,
        "goal": goal.pk,
        "mentor": mentor.pk,
        "pupils": [p.pk for p in pupils],
        "second": second.pk,
        "young": young.pk,
        "users": {k: u.username for k, u in users.items()},
    }


@pytest.fixture(scope="module")
def journey(live: Any, browser: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with journey_school(live, browser, django_db_blocker, slug=SLUG, name="Школа встреч") as school:
        ids = _fill(school)
        tenant_connection().set_schema_to_public()

        def page_of(who: str, phone: bool = False) -> Any:
            return school.page_of(ids["users"][who], phone=phone)

        yield {"live": live, "schema": school.schema_name, "ids": ids, "page_of": page_of}


def test_mentor_plans_a_meeting_and_marks_one_held_with_attendance(journey, django_db_blocker):
    from schools.pairs.models import Meeting

    ids, live = journey["ids"], journey["live"]
    page = journey["page_of"]("mentor", phone=True)
    page.goto(live.url(HOST, f"/pairs/{ids['pair']}/"))
    # plan the trial meeting next week
    when = (timezone.localtime() + datetime.timedelta(days=7)).replace(hour=15, minute=0)
    page.select_option("select[name=kind]", "trial")
    page.fill("input[name=starts_at]", when.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=place]", "Библиотека")
    page.get_by_role("button", name="Сохранить встречу").click()
    expect(page.get_by_test_id("meetings")).to_contain_text("Библиотека")
    # the past organisational meeting: mark it held, one pupil was ill
    page.get_by_test_id("meeting-mark-held").first.click()
    expect(page.get_by_role("heading", name="Отметить встречу проведённой")).to_be_visible()
    page.get_by_label("Сидорова Анна").uncheck()
    page.get_by_label("Результаты").fill("Познакомились, обсудили цели")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "meetings-held-phone")
    page.get_by_test_id("meeting-held-save").click()
    expect(page.get_by_test_id("meeting-attendees").first).to_contain_text("Петров Олег")
    expect(page.get_by_test_id("meeting-attendees").first).not_to_contain_text("Сидорова")
    with django_db_blocker.unblock(), schema_context(journey["schema"]):
        held = Meeting.objects.get(pk=ids["past"])
        assert held.status == "held" and held.outcomes == "Познакомились, обсудили цели"
        assert sorted(p.pk for p in held.attendees.all()) == sorted(
            [ids["mentor"], ids["pupils"][0]]
        )
        assert Meeting.objects.filter(pair_id=ids["pair"], kind="trial", status="planned").exists()


def test_mentor_edits_a_goal_through_the_form_it_loads(journey, django_db_blocker):
    """The pair page writes no edit form per goal: «Изменить цель» loads it (on a phone)."""
    from schools.pairs.models import PlanGoal

    ids, live = journey["ids"], journey["live"]
    page = journey["page_of"]("mentor", phone=True)
    page.goto(live.url(HOST, f"/pairs/{ids['pair']}/"))
    goal = page.get_by_test_id("goal").filter(has_text="Прочитать три книги")
    prefix = f"goal-{ids['goal']}"
    title = goal.locator(f'input[name="{prefix}-title"]')
    expect(title).to_have_count(0)
    goal.locator("summary", has_text="Изменить цель").click()
    expect(title).to_have_value("Прочитать три книги")
    title.fill("Прочитать пять книг")
    goal.locator(f'input[name="{prefix}-progress"]').fill("40")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "pair-goal-edit-phone")
    goal.get_by_role("button", name="Сохранить цель").click()
    expect(page.get_by_text("Цель сохранена.")).to_be_visible()
    expect(page.get_by_test_id("goal").filter(has_text="Прочитать пять книг")).to_contain_text(
        "40%"
    )
    with django_db_blocker.unblock(), schema_context(journey["schema"]):
        saved = PlanGoal.objects.get(pk=ids["goal"])
        assert (saved.title, saved.progress) == ("Прочитать пять книг", 40)

    # «Добавить цель» loads its form too; a goal without a title is refused next to the field.
    add = page.get_by_test_id("goal-add").first  # the first mentee's plan
    expect(add.locator("input[name$='-title']")).to_have_count(0)
    add.locator("summary").click()
    add.locator("button[type=submit]").click()
    expect(page.locator("[id$='-title-errors']")).to_be_visible()
    page.get_by_test_id("goal-add").first.locator("input[name$='-title']").fill(
        "Выступить на конференции"
    )
    page.get_by_test_id("goal-add").first.locator("button[type=submit]").click()
    expect(page.get_by_test_id("goal").filter(has_text="Выступить на конференции")).to_have_count(1)


def test_the_pair_page_gives_the_calendar_link(journey):
    ids, live = journey["ids"], journey["live"]
    page = journey["page_of"]("pupil")
    page.goto(live.url(HOST, f"/pairs/{ids['pair']}/"))
    page.get_by_test_id("calendar-issue").click()
    address = page.get_by_test_id("calendar-url").input_value()
    assert "/api/v1/calendar/" in address and address.endswith(".ics")
    # what a calendar app gets at the address (same origin, so the page may fetch it)
    status, kind, body = page.evaluate(
        "async (u) => { const r = await fetch(u, {credentials: 'omit'});"
        " return [r.status, r.headers.get('content-type'), await r.text()]; }",
        address,
    )
    assert status == 200 and kind.startswith("text/calendar") and "BEGIN:VEVENT" in body
    page.reload()
    expect(page.get_by_test_id("calendar-on")).to_be_visible()  # the address is shown once
    expect(page.get_by_test_id("calendar-url")).to_have_count(0)


def test_group_meeting_preferences_feed_matching(journey, django_db_blocker):
    from schools.matching.models import MatchProposal, MatchRun

    ids, live = journey["ids"], journey["live"]
    coordinator = journey["page_of"]("coordinator")
    coordinator.goto(live.url(HOST, "/matching/"))
    coordinator.get_by_test_id("group-meetings-link").click()
    coordinator.fill("input[name=group-held_on]", timezone.localdate().isoformat())
    coordinator.fill("input[name=group-place]", "Актовый зал")
    coordinator.get_by_test_id("group-meeting-plan").click()
    expect(coordinator.get_by_test_id("group-meeting-status")).to_have_text("Запланирована")
    coordinator.get_by_test_id("group-meeting-held-open").click()  # who came: its own page
    for name in ("Козлов Игорь", "Лебедева Дарья", "Иванова Мария"):
        coordinator.get_by_label(name, exact=True).check()
    coordinator.get_by_test_id("group-meeting-held").click()
    expect(coordinator.get_by_test_id("group-meeting-status")).to_have_text("Проведена")
    meeting_url = coordinator.url

    for who, choice in (("young", "Козлов Игорь"), ("mentor2", "Лебедева Дарья")):
        page = journey["page_of"](who, phone=who == "young")
        if who == "young":  # on a phone the menu is folded: the address
            page.goto(live.url(HOST, "/matching/group-meetings/"))
        else:
            page.get_by_role("link", name="Общая встреча").click()
        page.get_by_role("link", name="Актовый зал").click()
        page.get_by_test_id("preferences-open").click()
        page.get_by_label("Выбор 1").select_option(label=choice)
        page.get_by_test_id("preferences-save").click()
        expect(page.get_by_test_id("own-preferences")).to_contain_text(f"1. {choice}")

    coordinator.goto(meeting_url)
    expect(coordinator.get_by_test_id("group-meeting-attendees")).to_contain_text("выбор сделан")
    coordinator.goto(live.url(HOST, "/matching/"))
    coordinator.get_by_role("button", name="Запустить подбор").click()
    coordinator.wait_for_url("**/matching/runs/*/")
    with django_db_blocker.unblock(), schema_context(journey["schema"]):
        run = MatchRun.objects.order_by("-pk").first()
        proposal = MatchProposal.objects.get(run=run, mentee_id=ids["young"])
        points = {c["code"]: c["points"] for c in proposal.breakdown["criteria"]}
        assert proposal.mentor_id == ids["second"] and points["preference"] > 0
