"""A worker killed while mailing a reminder, with real processes: the meeting reminder and the
survey reminder it had claimed are left to it by the redelivered runs (a fresh claim), and once
the claims lapsed beat's jobs sweep sends each letter once — minutes later, not the next day
(schools.pairs.reminders, schools.monitoring.mailing: ``lapsed_claims_send``)."""

from __future__ import annotations

import datetime
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import jobs_sweep
from config.outbox.models import OutboxMessage
from config.outbox.relay import relay_once
from config.tasks import enqueue_on_commit
from regional.questionnaires import api as templates
from schools.monitoring import mailing
from schools.monitoring import services as monitoring
from schools.monitoring import tasks as monitoring_tasks
from schools.monitoring.models import Questionnaire, SurveyCampaign, SurveyInvitation
from schools.pairs import tasks as pair_tasks
from schools.pairs.models import Meeting, Pair
from schools.pairs.selectors import REMINDER_CLAIM_MINUTES
from schools.programmes.models import Programme
from tests.conftest import SETUP, make_user
from tests.fault.conftest import free_port, pair_with_a_meeting_tomorrow, wait_until
from tests.fault.test_beat import _letters_to

pytestmark = [pytest.mark.fault, pytest.mark.celery_worker]


def _relay_until(predicate: Any, timeout: float = 60.0) -> Any:
    def step() -> Any:
        relay_once()
        return predicate()

    return wait_until(step, timeout=timeout, step=0.2)


def _finished(task_name: str, schema: str) -> bool:
    return not OutboxMessage.objects.filter(
        task_name=task_name, schema_name=schema, finished_at__isnull=True
    ).exists()


def test_reminders_claimed_by_a_killed_worker_go_out_once_after_the_claims_lapse(
    committed: None, school: Any, broker: Any, start_worker: Any, tmp_path: Path
) -> None:
    schema = school.schema_name
    stamp = time.monotonic_ns()
    mentor_address, curator_address = f"mentor-{stamp}@fault.ru", f"curator-{stamp}@fault.ru"
    mentee_address = f"mentee-{stamp}@fault.ru"
    curator = make_user(schema, "curator", f"curator-{stamp}", email=curator_address)
    with schema_context(schema):
        programme, pair, meeting = pair_with_a_meeting_tomorrow(
            year=2042,
            title="Программа писем",
            mentor_email=mentor_address,
            mentee_email=mentee_address,
            place="Каб. 7",
        )
        version_id = templates.published_version_id(template_code="satisfaction-mentee")
        assert version_id is not None
        questionnaire = monitoring.questionnaire_adopt(version_id=version_id, actor=SETUP)
        campaign = monitoring.campaign_create(
            questionnaire=questionnaire,
            title="Чек-лист куратора",
            target=monitoring.Target(kind="staff"),
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate() + datetime.timedelta(days=10),
            actor=SETUP,
        )
        monitoring.campaign_open(campaign=campaign, actor=SETUP)
        # the invitations went out days ago (their task is done): a reminder is due
        OutboxMessage.objects.filter(
            task_name="monitoring.invitations_send", kwargs__campaign_id=campaign.pk
        ).update(finished_at=timezone.now(), outcome="done")
        invitations = SurveyInvitation.objects.filter(campaign=campaign)
        invitations.update(email_sent_at=timezone.now() - datetime.timedelta(days=4))
        assert invitations.filter(user=curator).exists()

    silent = socket.socket()  # a mail server that takes the connection and never answers
    silent.bind(("127.0.0.1", free_port()))
    silent.listen(8)
    letters = tmp_path / "letters"
    letters.mkdir()
    try:
        hung = start_worker(concurrency=2, TEST_EMAIL_SMTP_PORT=str(silent.getsockname()[1]))
        with schema_context(schema), transaction.atomic():
            enqueue_on_commit(pair_tasks.meeting_reminders_send)
            enqueue_on_commit(monitoring_tasks.campaign_reminders_send, campaign_id=campaign.pk)

        def claimed() -> bool:
            with schema_context(schema):
                return (
                    Meeting.objects.filter(
                        pk=meeting.pk, reminder_claimed_at__isnull=False
                    ).exists()
                    and invitations.filter(mail_claimed_at__isnull=False).exists()
                )

        wait_until(claimed, timeout=60)
        hung.kill()  # mid-send: the claims are committed, the letters never went out
        with schema_context(schema):
            dead = invitations.get(mail_claimed_at__isnull=False)

        # the tasks come back (their leases lapsed) on a healthy worker: the claims are fresh,
        # so they leave those letters to the run that claimed them
        start_worker(TEST_EMAIL_DIR=str(letters))
        for name in ("pairs.meeting_reminders_send", "monitoring.campaign_reminders_send"):
            _relay_until(lambda name=name: _finished(name, schema))
        assert _letters_to(letters, mentor_address) == 0
        with schema_context(schema):
            dead.refresh_from_db()
            assert dead.reminded_at is None and dead.mail_claimed_at is not None

        # the claims lapse (their run is dead); beat's jobs sweep sends the letters, once
        with schema_context(schema):
            lapsed = timezone.now() - datetime.timedelta(minutes=REMINDER_CLAIM_MINUTES + 1)
            Meeting.objects.filter(pk=meeting.pk).update(reminder_claimed_at=lapsed)
            older = timezone.now() - datetime.timedelta(minutes=mailing.CLAIM_MINUTES + 1)
            invitations.filter(mail_claimed_at__isnull=False).update(mail_claimed_at=older)
        for _sweep in range(2):  # the second sweep finds nothing left to send
            with schema_context(schema), transaction.atomic():
                enqueue_on_commit(jobs_sweep)
            _relay_until(lambda: _finished("config.jobs_sweep", schema))

        with schema_context(schema):
            meeting.refresh_from_db()
            assert meeting.reminder_sent_at is not None
            assert not invitations.filter(mail_claimed_at__isnull=False).exists()
            assert invitations.get(user=curator).reminded_at is not None
        assert _letters_to(letters, mentor_address) == 1
        assert _letters_to(letters, mentee_address) == 1
        with schema_context(schema):  # every staff member reminded once, the dead claim's too
            addresses = [
                i.user.email for i in invitations.select_related("user") if i.user and i.user.email
            ]
        assert curator_address in addresses
        assert {address: _letters_to(letters, address) for address in addresses} == dict.fromkeys(
            addresses, 1
        )
    finally:
        silent.close()
        with schema_context(schema):
            SurveyCampaign.objects.filter(pk=campaign.pk).delete()
            Questionnaire.objects.filter(pk=questionnaire.pk).delete()
            Meeting.objects.filter(pair=pair).delete()
            Pair.objects.filter(pk=pair.pk).delete()  # the people stay: consents are append-only
            Programme.objects.filter(pk=programme.pk).delete()
            curator.delete()
