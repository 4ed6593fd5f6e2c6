"""A reminder is claimed and committed before its letter goes out, and recorded after: a run
that died between the claim and the letter leaves a claim that lapses (the letter still goes
out, once); a failed send clears the claim for the next run."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from schools.pairs import reminders, services
from schools.pairs.models import Meeting
from schools.pairs.selectors import REMINDER_CLAIM_MINUTES
from tests.conftest import SETUP
from tests.schools.pairs.conftest import World
from tests.schools.pairs.test_calendar_and_reminders import tomorrow_at


def test_a_claim_never_followed_by_the_letter_lapses_and_the_letter_goes_out_once(
    world: World,
) -> None:
    with schema_context("alpha"):
        meeting = services.meeting_create(
            pair=world.pair,
            kind="organisational",
            starts_at=tomorrow_at(15),
            place="Каб. 3",
            actor=SETUP,
        )
        # a run claimed it and died before mailing
        Meeting.objects.filter(pk=meeting.pk).update(reminder_claimed_at=timezone.now())
        mail.outbox.clear()
        assert reminders.meeting_reminders_send() == 0  # the claim is fresh: someone is on it
        Meeting.objects.filter(pk=meeting.pk).update(
            reminder_claimed_at=timezone.now()
            - datetime.timedelta(minutes=REMINDER_CLAIM_MINUTES + 1)
        )
        assert reminders.meeting_reminders_send() == 1
        assert reminders.meeting_reminders_send() == 0
        assert len(mail.outbox) == 1
        meeting.refresh_from_db()
        assert meeting.reminder_sent_at is not None


def test_a_failed_send_leaves_the_meeting_to_the_next_run(world: World) -> None:
    with schema_context("alpha"):
        meeting = services.meeting_create(
            pair=world.pair,
            kind="organisational",
            starts_at=tomorrow_at(16),
            place="Каб. 4",
            actor=SETUP,
        )
        mail.outbox.clear()
        with (
            mock.patch.object(reminders, "send_mail", side_effect=ConnectionError("smtp down")),
            pytest.raises(ConnectionError),
        ):
            reminders.meeting_reminders_send()
        meeting.refresh_from_db()
        assert meeting.reminder_claimed_at is None and meeting.reminder_sent_at is None
        assert reminders.meeting_reminders_send() == 1
        assert len(mail.outbox) == 1
