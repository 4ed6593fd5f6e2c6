"""A campaign's letters go out exactly once per due item: one invitation per person however
often the sending runs; a reminder to who has not answered at most once per reminder period
(daily runs, a retried task, a coordinator's «remind» on the same day add nothing), none to
who has answered; the next period reminds again."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from schools.monitoring import mailing, services
from schools.monitoring.models import SurveyInvitation
from tests.conftest import SETUP
from tests.schools.monitoring.conftest import World, template_version_id, valid_answers


def _campaign(world: World) -> Any:
    questionnaire = services.questionnaire_adopt(
        version_id=template_version_id("satisfaction-mentee"), actor=SETUP
    )
    campaign = services.campaign_create(
        questionnaire=questionnaire,
        title="Удовлетворённость наставляемых",
        target=services.Target(kind="pair", pair_id=world.pair_id),
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + datetime.timedelta(days=10),
        programme_id=world.programme.pk,
        actor=SETUP,
    )
    services.campaign_open(campaign=campaign, actor=SETUP)
    return campaign


def test_invitations_and_reminders_go_out_once_per_due_item(world: World) -> None:
    with schema_context("alpha"):
        campaign = _campaign(world)
        mail.outbox.clear()
        invited = SurveyInvitation.objects.filter(campaign=campaign).count()
        assert invited >= 2  # the pair's people, each with an e-mail address
        assert mailing.invitations_send(campaign_id=campaign.pk) == invited
        assert mailing.invitations_send(campaign_id=campaign.pk) == 0  # a retry sends nothing
        addresses = [m.to[0] for m in mail.outbox]
        assert len(addresses) == len(set(addresses)) == invited
        assert {world.mentee.email, world.mentee2.email} <= set(addresses)
        now = timezone.now()
        assert mailing.reminders_send(now=now) == 0  # invited just now: nothing is due

        # One mentee answers; the period passes: the others are reminded, once each.
        invitation = SurveyInvitation.objects.get(campaign=campaign, participant=world.mentee)
        questions = list(campaign.questionnaire.questions.all())
        services.response_submit(invitation=invitation, answers=valid_answers(questions))
        later = now + datetime.timedelta(days=mailing.REMIND_EVERY_DAYS, minutes=1)
        mail.outbox.clear()
        assert mailing.reminders_send(now=later) == invited - 1
        assert mailing.reminders_send(now=later) == 0  # the daily task twice (retry, two beats)
        # the coordinator's «remind» the same day: still at most one a day
        assert mailing.reminders_send(campaign_id=campaign.pk, force=True, now=later) == 0
        reminded = [m.to[0] for m in mail.outbox]
        assert len(reminded) == len(set(reminded)) == invited - 1
        assert world.mentee.email not in reminded and world.mentee2.email in reminded

        # The next period: reminded again, once.
        again = later + datetime.timedelta(days=mailing.REMIND_EVERY_DAYS, minutes=1)
        assert mailing.reminders_send(now=again) == invited - 1
        assert mailing.reminders_send(now=again) == 0
        assert len(mail.outbox) == 2 * (invited - 1)


def test_a_letter_claimed_by_a_run_that_died_goes_out_once_after_the_claim_lapses(
    world: World,
) -> None:
    """The letter goes out after its claim committed: a run that died between the two leaves
    a claim the others respect until it lapses; then the letter goes out, once. A failed send
    clears the claim for the next run at once."""
    with schema_context("alpha"):
        campaign = _campaign(world)
        invitations = SurveyInvitation.objects.filter(campaign=campaign)
        invited = invitations.count()
        mail.outbox.clear()
        dead = invitations.first()
        assert dead is not None
        SurveyInvitation.objects.filter(pk=dead.pk).update(mail_claimed_at=timezone.now())
        assert mailing.invitations_send(campaign_id=campaign.pk) == invited - 1
        assert len(mail.outbox) == invited - 1
        assert invitations.filter(pk=dead.pk, email_sent_at__isnull=True).exists()
        SurveyInvitation.objects.filter(pk=dead.pk).update(
            mail_claimed_at=timezone.now() - datetime.timedelta(minutes=mailing.CLAIM_MINUTES + 1)
        )
        assert mailing.invitations_send(campaign_id=campaign.pk) == 1
        assert mailing.invitations_send(campaign_id=campaign.pk) == 0
        addresses = [m.to[0] for m in mail.outbox]
        assert len(addresses) == len(set(addresses)) == invited
        dead.refresh_from_db()
        assert dead.email_sent_at is not None and dead.mail_claimed_at is None

        later = timezone.now() + datetime.timedelta(days=mailing.REMIND_EVERY_DAYS, minutes=1)
        mail.outbox.clear()
        with (
            mock.patch.object(mailing, "send_mail", side_effect=ConnectionError("smtp down")),
            pytest.raises(ConnectionError),
        ):
            mailing.reminders_send(now=later)
        assert not invitations.filter(mail_claimed_at__isnull=False).exists()
        assert not invitations.filter(reminded_at__isnull=False).exists()
        assert mailing.reminders_send(now=later) == invited
        assert len(mail.outbox) == invited


def test_a_mailing_its_task_left_behind_is_sent_again_by_the_sweep(world: World) -> None:
    from config.outbox.models import OutboxMessage
    from schools.monitoring.models import SurveyCampaign

    with schema_context("alpha"):
        campaign = _campaign(world)
        rows = OutboxMessage.objects.filter(
            task_name="monitoring.invitations_send", kwargs__campaign_id=campaign.pk
        )
        assert services.mailings_sweep() == 0  # just opened: its mailing is on its way
        SurveyCampaign.objects.filter(pk=campaign.pk).update(
            opened_at=timezone.now() - datetime.timedelta(hours=1)
        )
        assert services.mailings_sweep() == 0  # its task is still pending
        rows.update(finished_at=timezone.now(), outcome="abandoned")  # the worker lost it
        assert services.mailings_sweep() == 1
        assert rows.filter(finished_at__isnull=True).count() == 1  # sent again, once
        assert services.mailings_sweep() == 0
        rows.update(finished_at=timezone.now(), outcome="done")
        mail.outbox.clear()
        assert mailing.invitations_send(campaign_id=campaign.pk) >= 2
        assert services.mailings_sweep() == 0  # every invitation is mailed: nothing to do


def test_a_reminder_whose_run_died_goes_out_minutes_after_its_claim_lapsed(world: World) -> None:
    """A reminder claimed by a run that died is sent by beat's jobs sweep once the claim lapsed
    (every few minutes), not by the next day's run; once: the sweep again, the day's run and the
    coordinator's «remind» add nothing."""
    from config import jobs

    with schema_context("alpha"):
        campaign = _campaign(world)
        invitations = SurveyInvitation.objects.filter(campaign=campaign)
        assert mailing.invitations_send(campaign_id=campaign.pk) == invitations.count()
        sent_at = timezone.now() - datetime.timedelta(days=mailing.REMIND_EVERY_DAYS, minutes=1)
        invitations.update(email_sent_at=sent_at)
        dead = invitations.first()
        assert dead is not None
        claimed = timezone.now()
        SurveyInvitation.objects.filter(pk=dead.pk).update(mail_claimed_at=claimed)
        mail.outbox.clear()
        assert mailing.reminders_send() == invitations.count() - 1  # the run meets the claim
        assert jobs.sweep_all()["survey-letters"] == 0  # fresh: its run is on it
        SurveyInvitation.objects.filter(pk=dead.pk).update(
            mail_claimed_at=claimed - datetime.timedelta(minutes=mailing.CLAIM_MINUTES + 1)
        )
        assert jobs.sweep_all()["survey-letters"] == 1
        assert jobs.sweep_all()["survey-letters"] == 0
        assert mailing.reminders_send() == 0
        assert mailing.reminders_send(campaign_id=campaign.pk, force=True) == 0
        addresses = [m.to[0] for m in mail.outbox]
        assert len(addresses) == len(set(addresses)) == invitations.count()
        assert all(m.subject.startswith("Напоминание") for m in mail.outbox)
        dead.refresh_from_db()
        assert dead.reminded_at is not None and dead.mail_claimed_at is None
