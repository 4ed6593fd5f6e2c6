"""A campaign launch as a durable background job (issue #17 item 4, ADR 0008): the request
records the launch (``launching``, with the number of people) and its task in the outbox and
returns at once; the worker prepares the invitations in batches with progress, then opens the
campaign and sends them; a launch its worker lost fails with the reason on the campaign's page
and the coordinator launches again. A small group is still invited in the request itself."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, tenant_context

from config import jobs
from config.outbox.models import OutboxMessage
from schools.monitoring import services
from schools.monitoring.models import CampaignStatus, SurveyCampaign, SurveyInvitation
from tests.conftest import SETUP, make_user, wait_for
from tests.schools.monitoring.conftest import World, template_version_id

LAUNCH_TASK = "monitoring.campaign_launch_run"


def _draft(target: services.Target, programme_id: int | None = None) -> SurveyCampaign:
    questionnaire = services.questionnaire_adopt(
        version_id=template_version_id("satisfaction-mentee"), actor=SETUP
    )
    return services.campaign_create(
        questionnaire=questionnaire,
        title="Удовлетворённость наставляемых",
        target=target,
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + datetime.timedelta(days=10),
        programme_id=programme_id,
        actor=SETUP,
    )


def _pair_campaign(world: World) -> SurveyCampaign:
    return _draft(services.Target(kind="pair", pair_id=world.pair_id), world.programme.pk)


def _launch_rows(campaign_id: int) -> Any:
    return OutboxMessage.objects.filter(task_name=LAUNCH_TASK, kwargs__campaign_id=campaign_id)


@pytest.fixture
def large(settings: Any) -> None:
    """Every group counts as large: the worker prepares it."""
    settings.CAMPAIGN_LAUNCH_INLINE_MAX = 0


def test_a_launch_returns_at_once_and_the_worker_prepares_the_invitations(
    world: World,
    tenant_a: Any,
    client_for: Any,
    large: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    coordinator = client_for(tenant_a, world.users["coordinator"])
    with schema_context(tenant_a.schema_name):
        campaign = _pair_campaign(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = coordinator.post(f"/api/v1/survey-campaigns/{campaign.pk}/open/")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["queued"] is True and body["invited"] == 0
    assert body["status_url"] == f"/api/v1/survey-campaigns/{campaign.pk}/"
    assert body["campaign"]["status"] == "launching"
    assert (body["campaign"]["launch_total"], body["campaign"]["launch_done"]) == (3, 0)
    assert len(callbacks) == 1  # the launch's task, published on commit
    with schema_context(tenant_a.schema_name):
        assert not SurveyInvitation.objects.filter(campaign=campaign).exists()
        assert _launch_rows(campaign.pk).filter(finished_at__isnull=True).count() == 1
    again = coordinator.post(f"/api/v1/survey-campaigns/{campaign.pk}/open/")
    assert again.status_code == 400  # launched already: not twice

    # the campaign's page shows the progress and polls it
    page = coordinator.get(f"/campaigns/{campaign.pk}/")
    assert page.status_code == 200
    assert b'data-testid="launch-progress"' in page.content
    progress_url = f"/campaigns/{campaign.pk}/launch-progress/"
    assert progress_url.encode() in page.content
    polled = coordinator.get(progress_url)
    assert polled.status_code == 200 and "HX-Refresh" not in polled

    # the worker's part: the invitations in batches, then the campaign opens and mails them
    with schema_context(tenant_a.schema_name):
        with django_capture_on_commit_callbacks(execute=False) as sent:
            assert services.campaign_launch_run(campaign_id=campaign.pk) == CampaignStatus.OPEN
        assert len(sent) == 1  # the invitations' mailing
        campaign.refresh_from_db()
        invited = SurveyInvitation.objects.filter(campaign=campaign)
        assert campaign.status == CampaignStatus.OPEN and campaign.opened_at is not None
        assert invited.count() == campaign.launch_total == campaign.launch_done == 3
        assert campaign.launch_progress == 100
        # a redelivered task (its worker died after opening) changes nothing
        assert services.campaign_launch_run(campaign_id=campaign.pk) == CampaignStatus.OPEN
        assert invited.count() == 3
    done = coordinator.get(progress_url)
    assert done["HX-Refresh"] == "true"  # the page reloads to show the open campaign


def test_a_launch_its_worker_lost_fails_with_the_reason_and_is_launched_again(
    world: World, tenant_a: Any, client_for: Any, large: None
) -> None:
    coordinator = client_for(tenant_a, world.users["coordinator"])
    with schema_context(tenant_a.schema_name):
        campaign = _pair_campaign(world)
    assert coordinator.post(f"/campaigns/{campaign.pk}/open/").status_code == 302
    with schema_context(tenant_a.schema_name):
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.LAUNCHING
        assert jobs.sweep_all()["campaign-launches"] == 0  # just launched: on its way
        SurveyCampaign.objects.filter(pk=campaign.pk).update(
            launch_requested_at=timezone.now() - datetime.timedelta(hours=1)
        )
        assert jobs.sweep_all()["campaign-launches"] == 0  # its task is still pending
        # the worker was lost too often: the outbox gave the task up
        _launch_rows(campaign.pk).update(finished_at=timezone.now(), outcome="abandoned")
        assert jobs.sweep_all()["campaign-launches"] == 1
        assert jobs.sweep_all()["campaign-launches"] == 0
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.DRAFT
        assert campaign.launch_error == services.launch_interrupted_message()
        assert not SurveyInvitation.objects.filter(campaign=campaign).exists()

    page = coordinator.get(f"/campaigns/{campaign.pk}/")
    assert b'data-testid="launch-error"' in page.content
    assert campaign.launch_error.encode() in page.content
    assert _("Launch again").encode() in page.content

    assert coordinator.post(f"/campaigns/{campaign.pk}/open/").status_code == 302
    with schema_context(tenant_a.schema_name):
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.LAUNCHING and not campaign.launch_error
        assert services.campaign_launch_run(campaign_id=campaign.pk) == CampaignStatus.OPEN
        assert SurveyInvitation.objects.filter(campaign=campaign).count() == 3


def test_a_launch_that_finds_nobody_with_consent_fails_with_the_reason(
    world: World, tenant_a: Any, large: None
) -> None:
    with schema_context(tenant_a.schema_name):
        campaign = _draft(
            services.Target(kind="explicit", participant_ids=(world.no_consent.pk,)),
            world.programme.pk,
        )
        result = services.campaign_launch(campaign=campaign, actor=SETUP)
        assert result.queued and result.campaign.status == CampaignStatus.LAUNCHING
        assert services.campaign_launch_run(campaign_id=campaign.pk) == CampaignStatus.DRAFT
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.DRAFT
        assert campaign.launch_error == _(
            "Nobody in the target group has valid consent to be surveyed."
        )
        assert not SurveyInvitation.objects.filter(campaign=campaign).exists()


def test_a_small_group_is_still_invited_in_the_request(world: World, tenant_a: Any) -> None:
    with schema_context(tenant_a.schema_name):
        campaign = _pair_campaign(world)
        result = services.campaign_launch(campaign=campaign, actor=SETUP)
        assert not result.queued and result.invited == 3
        assert result.campaign.status == CampaignStatus.OPEN
        assert not _launch_rows(campaign.pk).exists()


@pytest.mark.celery_worker
def test_the_real_worker_launches_a_campaign_and_mails_its_invitations(
    worker: Any, committed: None, tenants: Any, settings: Any
) -> None:
    """The whole way on a real worker (a thread of this process, real Redis): the launch's
    task prepares the invitations, opens the campaign and its mailing task sends the letters."""
    settings.CAMPAIGN_LAUNCH_INLINE_MAX = 0
    schema = tenants.a.schema_name
    stamp = timezone.now().strftime("%H%M%S%f")
    curator = make_user(schema, "curator", f"launch-curator-{stamp}", email=f"c{stamp}@alpha.ru")
    with tenant_context(tenants.a):
        campaign = _draft(services.Target(kind="staff"))
    mail.outbox.clear()
    try:
        with tenant_context(tenants.a), transaction.atomic():
            services.campaign_launch(campaign=campaign, actor=SETUP)

        def opened() -> bool:
            with schema_context(schema):
                return SurveyCampaign.objects.filter(
                    pk=campaign.pk, status=CampaignStatus.OPEN
                ).exists()

        wait_for(opened)
        with schema_context(schema):
            campaign.refresh_from_db()
            invited = SurveyInvitation.objects.filter(campaign=campaign)
            assert invited.filter(user=curator).exists()
            assert campaign.launch_done == campaign.launch_total == invited.count()
            wait_for(lambda: not invited.filter(email_sent_at__isnull=True).exists())
        assert sum(curator.email in m.to for m in mail.outbox) == 1
    finally:
        with schema_context(schema):
            SurveyCampaign.objects.filter(pk=campaign.pk).delete()
            campaign.questionnaire.delete()
            curator.delete()
