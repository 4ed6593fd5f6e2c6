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
from django_tenants.utils import schema_context, schema_exists
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests.browser.conftest import PASSWORD, make_user_in, shot
from tests.conftest import SETUP

pytestmark = pytest.mark.browser

SLUG = "records-j"


def _fill(schema_name: str) -> dict[str, int]:
    """A programme, a mentor with consent and profile, a parent with a child of 12 whose
    consent the parent signed."""
    from schools.participants import api as participants
    from schools.programmes.selectors import current_academic_year
    from schools.programmes.services import programme_create

    coordinator = make_user_in(schema_name, Role.COORDINATOR, "rec-coordinator")
    parent_user = make_user_in(schema_name, Role.PARENT, "rec-parent")
    today = timezone.localdate()
    with schema_context(schema_name):
        programme_create(academic_year=current_academic_year(), title="Программа наставничества")
        mentor = participants.participant_create(
            last_name="Соколова",
            first_name="Анна",
            birth_date=datetime.date(1979, 4, 12),
            category="teacher",
        )
        participants.consent_record(
            actor=SETUP,
            participant_id=mentor.pk,
            kind="grant",
            signed_by="self",
            signed_on=today,
            method="paper_scan",
        )
        participants.mentor_profile_upsert(
            participant_id=mentor.pk, competence_codes=["methodology"], capacity=1
        )
        parent = participants.participant_create(
            last_name="Белова", first_name="Наталья", category="parent", user_id=parent_user.pk
        )
        child = participants.participant_create(
            last_name="Белов",
            first_name="Артём",
            birth_date=today.replace(year=today.year - 12) - datetime.timedelta(days=10),
            category="pupil",
        )
        participants.guardianship_create(
            actor=SETUP, parent_id=parent.pk, child_id=child.pk, relation="mother"
        )
        participants.consent_record(
            actor=SETUP,
            participant_id=child.pk,
            kind="grant",
            signed_by="guardian",
            guardian_name="Белова Наталья",
            guardian_relation="mother",
            signed_on=today,
            method="paper_scan",
        )
    return {"coordinator": coordinator.pk, "child": child.pk, "mentor": mentor.pk}


@pytest.fixture(scope="module")
def journey(live: Any, browser: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    from tenants import services
    from tenants.models import Domain, Institution, Municipality
    from tenants.schemas import drop_schema

    state: dict[str, Any] = {"live": live, "contexts": []}

    def page_of(username: str, phone: bool = False) -> Any:
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        ctx = browser.new_context(locale="en-US", viewport=viewport)
        ctx.set_default_timeout(20_000)
        ctx.add_cookies(
            [{"name": "django_language", "value": "en", "url": live.url(f"{SLUG}.localhost")}]
        )
        state["contexts"].append(ctx)
        page = ctx.new_page()
        page.goto(live.url(f"{SLUG}.localhost", "/accounts/login/"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        # signed in: the sign-out form is there (folded into the menu on a phone)
        page.locator("form[action='/accounts/logout/']").wait_for(state="attached")
        return page

    state["page_of"] = page_of
    with django_db_blocker.unblock():
        tenant_connection().set_schema_to_public()
        municipality = Municipality.objects.get_or_create(name="Тестовый муниципалитет")[0]
        institution = services.institution_create(
            name="Школа записей",
            short_name="Школа записей",
            kind="school",
            municipality_id=municipality.pk,
            slug=SLUG,
            coordinator_email="",
        )
        try:
            provisioned = services.institution_provision(institution_id=institution.pk)
            assert provisioned is not None
            Domain.objects.get_or_create(
                domain=f"{SLUG}.localhost", defaults={"tenant": provisioned, "is_primary": False}
            )
            state["schema"] = provisioned.schema_name
            state["ids"] = _fill(provisioned.schema_name)
            tenant_connection().set_schema_to_public()
            yield state
        finally:
            for ctx in state["contexts"]:
                ctx.close()
            tenant_connection().set_schema_to_public()
            for made in Institution.objects.filter(slug=SLUG):
                if schema_exists(made.schema_name):
                    drop_schema(made.schema_name)
                made.domains.all().delete()
                made.delete()


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
