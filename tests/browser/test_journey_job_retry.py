"""A background job that failed, in a real browser: a campaign's launch whose worker was lost
(the outbox gave its task up) is failed by beat's jobs sweep with the reason; the coordinator
sees the reason on the campaign's page, presses «Запустить снова», watches the invitations
being prepared by the worker (the page polls the progress) and the campaign opens with every
person with consent invited.

One institution (``retry-j``), removed at the end of the module. The pages are in Russian."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone, translation
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import Role
from config.db import tenant_connection
from tests import builders
from tests.browser.conftest import journey_school, shot
from tests.conftest import SETUP

pytestmark = pytest.mark.browser

SLUG = "retry-j"


@pytest.fixture(scope="module")
def journey(live: Any, browser: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    from regional.questionnaires import api as templates
    from schools.monitoring import services

    # every launch is the worker's (a list of three people is "large" here)
    large = override_settings(CAMPAIGN_LAUNCH_INLINE_MAX=0)
    large.enable()
    try:
        with journey_school(
            live, browser, django_db_blocker, slug=SLUG, name="Школа повторов"
        ) as school:
            coordinator = school.user(Role.COORDINATOR, "rj-coordinator")
            people = [
                school.make(
                    builders.person,
                    names="Орлова Вера Петровна",
                    category="teacher",
                    email="orlova@retry.ru",
                ),
                school.make(builders.person, names="Зайцев Ёжик", category="pupil"),
                school.make(builders.person, names="Белова Анна", category="pupil"),
            ]
            version_id = templates.published_version_id(template_code="satisfaction-mentee")
            assert version_id is not None
            with schema_context(school.schema_name):
                questionnaire = services.questionnaire_adopt(version_id=version_id, actor=SETUP)
                campaign = services.campaign_create(
                    questionnaire=questionnaire,
                    title="Удовлетворённость участников",
                    target=services.Target(
                        kind="explicit", participant_ids=tuple(p.pk for p in people)
                    ),
                    opens_on=timezone.localdate(),
                    closes_on=timezone.localdate() + datetime.timedelta(days=14),
                    actor=SETUP,
                )
            tenant_connection().set_schema_to_public()
            yield {
                "school": school,
                "campaign_id": campaign.pk,
                "people": len(people),
                "page": school.page_of(coordinator.username),
            }
    finally:
        large.disable()


def _launch_lost(schema_name: str, campaign_id: int) -> None:
    """The campaign was launched an hour ago and its worker was lost too often: the outbox gave
    the launch's task up (as its relay does); beat's jobs sweep then runs in the school."""
    from config import jobs
    from config.outbox.models import OutboxMessage
    from schools.monitoring.models import CampaignStatus, SurveyCampaign

    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    with schema_context(schema_name):
        SurveyCampaign.objects.filter(pk=campaign_id).update(
            status=CampaignStatus.LAUNCHING, launch_requested_at=an_hour_ago, launch_total=3
        )
        OutboxMessage.objects.create(
            task_name="monitoring.campaign_launch_run",
            schema_name=schema_name,
            kwargs={"campaign_id": campaign_id},
            created_at=an_hour_ago,
            run_count=5,
            finished_at=an_hour_ago,
            outcome="abandoned",
            error="worker lost 5 times",
        )
        with translation.override("ru"):  # the worker's language: the reason is stored in it
            assert jobs.sweep_all()["campaign-launches"] == 1
    tenant_connection().set_schema_to_public()


def test_the_coordinator_sees_a_failed_launch_and_launches_again(
    journey: dict[str, Any], django_db_blocker: Any
) -> None:
    from schools.monitoring.models import SurveyInvitation

    school, campaign_id = journey["school"], journey["campaign_id"]
    with django_db_blocker.unblock():
        _launch_lost(school.schema_name, campaign_id)
    page = journey["page"]
    page.goto(school.url(f"/campaigns/{campaign_id}/"))
    expect(page.get_by_test_id("launch-error")).to_contain_text("Запуск прервался")
    expect(page.get_by_test_id("campaign-status")).to_have_text("Черновик")
    shot(page, "job-retry-failed-launch")

    retry = page.get_by_test_id("campaign-launch")
    expect(retry).to_have_text("Запустить снова")
    retry.click()
    # the page comes back at once; the worker prepares the invitations while it polls the
    # progress, and reloads when the campaign is open
    expect(page.get_by_test_id("campaign-status")).to_have_text("Открыто", timeout=60_000)
    expect(page.get_by_test_id("invited")).to_have_text(str(journey["people"]))
    expect(page.get_by_test_id("launch-error")).to_have_count(0)
    shot(page, "job-retry-launched")
    with django_db_blocker.unblock(), schema_context(school.schema_name):
        assert SurveyInvitation.objects.filter(campaign_id=campaign_id).count() == 3
    tenant_connection().set_schema_to_public()
