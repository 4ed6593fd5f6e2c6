"""The records pages in a real browser: the coordinator edits a mentor's profile inline (a bad
capacity is refused next to the field, then saved), adds a roadmap activity and marks it done
without leaving the page; a parent withdraws the consent given for their child after the
confirmation step.

One institution of its own (``records-j``), removed at the end of the module. The pages are
walked in English: the Russian translations of this area are merged into the catalogue later
(locale-parts/records.po)."""

from __future__ import annotations

import datetime
import re
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

SLUG = "records-j"


def _fill(school: JourneySchool) -> dict[str, int]:
    """A programme, a mentor with consent and profile, a parent with a child of 12 whose
    consent the parent signed."""
    from schools.participants import api as participants
    from schools.participants import services as participant_services

    coordinator = school.user(Role.COORDINATOR, "rec-coordinator")
    parent_user = school.user(Role.PARENT, "rec-parent")
    today = timezone.localdate()
    school.programme("Программа наставничества")
    mentor = school.make(
        builders.person, names="Соколова Анна", category="teacher", born=datetime.date(1979, 4, 12)
    )
    child = school.make(
        builders.person,
        names="Белов Артём",
        category="pupil",
        born=today.replace(year=today.year - 12) - datetime.timedelta(days=10),
        guardian="Белова Наталья",
    )
    with schema_context(school.schema_name):
        participants.mentor_profile_upsert(
            participant_id=mentor.pk, competence_codes=["methodology"], capacity=1, actor=SETUP
        )
        parent = participant_services.participant_create(
            last_name="Белова",
            first_name="Наталья",
            category="parent",
            user_id=parent_user.pk,
            actor=SETUP,
        )
        participants.guardianship_create(
            actor=SETUP, parent_id=parent.pk, child_id=child.pk, relation="mother"
        )
    return {"coordinator": coordinator.pk, "child": child.pk, "mentor": mentor.pk}


@pytest.fixture(scope="module")
def journey(live: Any, browser: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with journey_school(
        live, browser, django_db_blocker, slug=SLUG, name="Школа записей"
    ) as school:
        ids = _fill(school)
        tenant_connection().set_schema_to_public()

        def page_of(username: str, phone: bool = False) -> Any:
            return school.page_of(username, phone=phone, language="en")

        yield {"live": live, "schema": school.schema_name, "ids": ids, "page_of": page_of}


def test_coordinator_edits_a_mentor_inline(journey):
    from schools.participants.models import MentorProfile

    page = journey["page_of"]("rec-coordinator")
    page.goto(journey["live"].url(f"{SLUG}.localhost", "/bases/?kind=mentors"))
    row = page.locator("tbody tr", has_text="Соколова Анна")
    expect(row).to_contain_text("0 / 1")
    row.get_by_role("link", name=re.compile("Edit")).click()
    capacity = page.get_by_label("Capacity (mentees at most)")
    expect(capacity).to_be_visible()
    assert page.url.endswith("/bases/?kind=mentors")  # edited in place, not on another page
    capacity.fill("0")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_capacity-errors")).to_be_visible()
    expect(capacity).to_have_attribute("aria-invalid", "true")
    shot(page, "records-mentor-error-next-to-the-field")
    capacity.fill("3")
    page.get_by_label("Цифровые навыки").check()
    page.get_by_role("button", name="Save").click()
    row = page.locator("tbody tr", has_text="Соколова Анна")
    expect(row).to_contain_text("0 / 3")
    expect(row).to_contain_text("Цифровые навыки")
    shot(page, "records-mentor-saved")
    with schema_context(journey["schema"]):
        profile = MentorProfile.objects.get(participant_id=journey["ids"]["mentor"])
        assert profile.capacity == 3
    tenant_connection().set_schema_to_public()


def test_coordinator_adds_an_activity_and_marks_it_done(journey):
    from schools.programmes.models import RoadmapActivity
    from schools.programmes.selectors import programme_current

    with schema_context(journey["schema"]):
        programme = programme_current()
        assert programme is not None
        deadline = programme.window[1] - datetime.timedelta(days=30)
    tenant_connection().set_schema_to_public()
    page = journey["page_of"]("rec-coordinator")
    page.goto(journey["live"].url(f"{SLUG}.localhost", "/programme/"))
    stage = page.locator("#stage-2")
    stage.get_by_text("Add an activity").click()
    stage.get_by_label(re.compile(r"^Activity")).fill("Собрание с родителями наставляемых")
    stage.get_by_label(re.compile(r"^Deadline")).fill(deadline.isoformat())
    stage.get_by_role("button", name="Add to the roadmap").click()
    expect(page.locator(".roadmap-notice")).to_contain_text("The activity is added")
    row = page.locator("#stage-2 tbody tr", has_text="Собрание с родителями")
    expect(row).to_be_visible()
    # «Reschedule» loads its form when opened (the roadmap writes none per activity).
    expect(row.locator('input[name="deadline"]')).to_have_count(0)
    row.get_by_text("Reschedule").click()
    moved = deadline - datetime.timedelta(days=7)
    row.get_by_label("New deadline").fill(moved.isoformat())
    row.get_by_role("button", name="Move").click()
    expect(page.locator(".roadmap-notice")).to_contain_text(moved.strftime("%d.%m.%Y"))
    row = page.locator("#stage-2 tbody tr", has_text="Собрание с родителями")
    expect(row).to_contain_text(moved.strftime("%d.%m.%Y"))
    row.get_by_role("button", name=re.compile("^Done")).click()
    expect(page.locator(".roadmap-notice")).to_contain_text("marked done")
    row = page.locator("#stage-2 tbody tr", has_text="Собрание с родителями")
    expect(row.locator(".badge.text-bg-success")).to_be_visible()
    shot(page, "records-roadmap-activity-done")
    with schema_context(journey["schema"]):
        activity = RoadmapActivity.objects.get(title="Собрание с родителями наставляемых")
        assert activity.status == "done" and activity.completed_on == timezone.localdate()
    tenant_connection().set_schema_to_public()


def test_parent_withdraws_a_consent_on_a_phone(journey):
    from schools.participants.models import Participant

    page = journey["page_of"]("rec-parent", phone=True)
    page.get_by_role("link", name=re.compile("history and withdrawal")).click()
    expect(page.locator('[data-consent="valid"]')).to_be_visible()
    page.get_by_role("link", name=re.compile("Withdraw a consent")).click()
    expect(page.get_by_test_id("withdrawal-explained")).to_contain_text("30 days")
    page.get_by_role("button", name="Withdraw the consent").click()
    expect(page.locator("#id_confirm-errors")).to_be_visible()
    shot(page, "records-withdrawal-confirmation")
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Withdraw the consent").click()
    expect(page.locator('[data-consent="withdrawn"]')).to_be_visible()
    expect(page.get_by_text("will be erased on")).to_be_visible()
    shot(page, "records-withdrawal-done-phone")
    with schema_context(journey["schema"]):
        child = Participant.objects.get(pk=journey["ids"]["child"])
        assert child.erase_after == timezone.localdate() + datetime.timedelta(days=30)
    tenant_connection().set_schema_to_public()
