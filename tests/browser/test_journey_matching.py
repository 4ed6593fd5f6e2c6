"""The matching and meetings journey in a real browser: in an institution with a programme and
mentors and mentees who have consents and profiles, the coordinator starts a matching run
(computed by the worker), reads why a pair is proposed, approves the proposals and sees the
pairs; the mentor opens the pair and logs a meeting that has taken place (a bad entry first:
the error shows next to the field); the mentee sees the meeting.

The steps share one institution (``gymnasium-12``), provisioned through the services at the
start of the module and removed at the end."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests import builders
from tests.browser.conftest import JourneySchool, journey_school, shot, sign_in
from tests.conftest import SETUP

pytestmark = pytest.mark.browser

SLUG = "gymnasium-12"
SCHEMA = "gymnasium_12"
HOST = f"{SLUG}.localhost"

# (username or None, last name, first name, middle name, competences or needs)
MENTORS = [
    ("orlova", "Орлова", "Татьяна", "Николаевна", ["methodology", "classroom_management"]),
    ("belov", "Белов", "Игорь", "Станиславович", ["career_guidance", "entrepreneurship"]),
]
MENTEES = [
    ("zaitseva", "Зайцева", "Дарья", "Олеговна", ["methodology"]),
    (None, "Никитин", "Павел", "Андреевич", ["career_guidance"]),
]


def _build_institution(school: JourneySchool) -> None:
    """The coordinator, a programme and the two bases, through the services."""
    from schools.participants import api as participants

    school.user(
        Role.COORDINATOR,
        "kovaleva",
        first_name="Елена",
        last_name="Ковалева",
        email="kovaleva@gymnasium12.ru",
    )
    school.programme("Программа наставничества «Первые шаги»", forms=["teacher_teacher"])

    for username, last, first, middle, competences in MENTORS:
        user = school.user(Role.MENTOR, username) if username else None
        mentor = school.make(
            builders.person,
            names=f"{last} {first} {middle}",
            category="teacher",
            born=datetime.date(1975, 4, 12),
            user_id=user.pk if user is not None else None,
        )
        with schema_context(SCHEMA):
            participants.mentor_profile_upsert(
                participant_id=mentor.pk,
                competence_codes=competences,
                capacity=2,
                hours_per_month=6,
                actor=SETUP,
            )
    for mentee_login, last, first, middle, needs in MENTEES:
        user = school.user(Role.MENTEE, mentee_login) if mentee_login else None
        mentee = school.make(
            builders.person,
            names=f"{last} {first} {middle}",
            category="young_specialist",
            born=datetime.date(2001, 9, 3),
            user_id=user.pk if user is not None else None,
        )
        with schema_context(SCHEMA):
            participants.mentee_profile_upsert(
                participant_id=mentee.pk,
                need_codes=needs,
                preferred_form="teacher_teacher",
                actor=SETUP,
            )


@pytest.fixture(scope="module")
def journey(live: Any, browser: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Shared state of the steps, a browser context per person, and the clean-up."""
    # Every run goes through the worker, whatever its size (the page must wait for it).
    with (
        override_settings(MATCHING_SYNC_MAX_MENTEES=0),
        journey_school(
            live,
            browser,
            django_db_blocker,
            slug=SLUG,
            name="МБОУ «Гимназия № 12»",
            short_name="Гимназия № 12",
        ) as school,
    ):
        assert school.schema_name == SCHEMA
        _build_institution(school)
        tenant_connection().set_schema_to_public()
        yield {"live": live, "context": school.context_of}


def test_coordinator_runs_matching_and_approves_the_pairs(journey):
    live = journey["live"]
    page = journey["context"]("coordinator").new_page()
    sign_in(page, live.url(HOST, "/accounts/login/"), "kovaleva")
    page.get_by_role("navigation").get_by_role("link", name="Подбор пар").click()
    page.get_by_role("heading", name="Подбор наставников и наставляемых").wait_for()
    page.get_by_role("button", name="Запустить подбор").click()
    # The worker computes the run; the page polls until the proposals are there.
    approve = page.get_by_role("button", name="Утвердить: сформировать пары и группы")
    approve.wait_for(timeout=60_000)
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    # Each proposal explains its score: Zaitseva needs methodology, which Orlova offers.
    zaitseva = rows.filter(has_text="Зайцева Дарья")
    expect(zaitseva).to_contain_text("Орлова Татьяна")
    # The score by criterion is loaded when «why» is opened.
    expect(zaitseva).not_to_contain_text("компетенции соответствуют запросам")
    zaitseva.get_by_test_id("proposal-why").get_by_text("почему").click()
    expect(zaitseva).to_contain_text("компетенции соответствуют запросам")
    expect(zaitseva).to_contain_text("форма наставничества")
    expect(rows.filter(has_text="Никитин Павел")).to_contain_text("Белов Игорь")
    shot(page, "matching-run-proposals")
    # One proposal accepted by hand (HTMX swaps its status), the other with the approval.
    zaitseva.get_by_role("button", name="Принять").click()
    expect(zaitseva.get_by_role("button", name="Принять")).to_have_count(0)
    expect(zaitseva).to_contain_text("Принято")
    shot(page, "matching-proposal-accepted")
    approve.click()
    page.get_by_role("heading", name="Пары и группы").wait_for()
    expect(page.locator(".alert-success")).to_contain_text("сформированы")
    pairs = page.locator("table tbody tr")
    expect(pairs).to_have_count(2)
    expect(pairs.filter(has_text="Орлова Татьяна")).to_contain_text("Зайцева Дарья")
    expect(pairs.filter(has_text="Белов Игорь")).to_contain_text("Никитин Павел")
    shot(page, "matching-pairs")
    with schema_context(SCHEMA):
        from schools.pairs.models import Pair

        assert Pair.objects.filter(status="active").count() == 2


def test_mentor_logs_a_meeting(journey):
    live = journey["live"]
    page = journey["context"]("mentor").new_page()
    sign_in(page, live.url(HOST, "/accounts/login/"), "orlova")
    page.get_by_role("link", name="Орлова Татьяна Николаевна").first.click()
    page.get_by_role("heading", name="Записать встречу").wait_for()
    shot(page, "meeting-pair-page")
    # Now, to the minute: the meeting has taken place, on the day the pair was formed.
    held_at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    page.get_by_role("combobox", name="Встреча").select_option("organisational")
    page.get_by_label("Дата и время").fill(held_at)
    page.get_by_label("Заметки").fill("Знакомство, ожидания от программы, график встреч.")
    page.get_by_label("Встреча состоялась").check()
    # Neither a place nor a link: refused, the error next to the field, nothing recorded.
    page.get_by_role("button", name="Сохранить встречу").click()
    expect(page.locator("#id_place-errors")).to_contain_text("место")
    expect(page.get_by_label("Место")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("meetings")).to_contain_text("Встреч пока нет")
    shot(page, "meeting-error-next-to-the-field")
    page.get_by_label("Место").fill("Методический кабинет, ауд. 204")
    page.get_by_role("button", name="Сохранить встречу").click()
    expect(page.locator(".alert-success")).to_contain_text("Встреча записана")
    meetings = page.get_by_test_id("meetings")
    expect(meetings).to_contain_text("Организационная (первая) встреча")
    expect(meetings).to_contain_text("Проведена")
    expect(meetings).to_contain_text("Методический кабинет, ауд. 204")
    shot(page, "meeting-logged")
    with schema_context(SCHEMA):
        from schools.pairs.models import Meeting

        meeting = Meeting.objects.get()
        assert meeting.status == "held"
        assert meeting.attendees.count() == 2


def test_mentee_sees_the_meeting(journey):
    live = journey["live"]
    page = journey["context"]("mentee").new_page()
    sign_in(page, live.url(HOST, "/accounts/login/"), "zaitseva")
    page.get_by_role("heading", name="Мой наставник").wait_for()
    expect(page.locator("main")).to_contain_text("Организационная (первая) встреча")
    shot(page, "meeting-mentee-home")
    page.get_by_role("link", name="Орлова Татьяна Николаевна").first.click()
    meetings = page.get_by_test_id("meetings")
    expect(meetings).to_contain_text("Организационная (первая) встреча")
    expect(meetings).to_contain_text("Методический кабинет, ауд. 204")
    # The mentee reads the pair but does not log meetings.
    expect(page.get_by_role("button", name="Сохранить встречу")).to_have_count(0)
    shot(page, "meeting-mentee-pair")
