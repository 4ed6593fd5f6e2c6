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

from config import jobs
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


def test_a_claim_whose_run_died_is_sent_by_the_sweep_once_it_lapses(world: World) -> None:
    """The run that meets another run's fresh claim leaves the meeting to it; when that run
    died, beat's jobs sweep sends the letter minutes after the claim lapsed (not the next
    day), once: neither a second sweep nor the day's run sends it again."""
    with schema_context("alpha"):
        past = services.meeting_create(
            pair=world.pair,
            kind="organisational",
            starts_at=timezone.now() - datetime.timedelta(hours=reminders.MARK_AFTER_HOURS + 1),
            place="Каб. 6",
            actor=SETUP,
        )
        meeting = services.meeting_create(
            pair=world.pair, kind="trial", starts_at=tomorrow_at(17), place="Каб. 5", actor=SETUP
        )
        claimed = timezone.now()
        Meeting.objects.filter(pk=meeting.pk).update(reminder_claimed_at=claimed)
        Meeting.objects.filter(pk=past.pk).update(mark_reminder_claimed_at=claimed)
        mail.outbox.clear()
        assert reminders.meeting_reminders_send() == 0  # a fresh claim: its run is on it
        assert reminders.meeting_mark_reminders_send() == 0
        assert jobs.sweep_all()["meeting-reminders"] == 0  # not lapsed yet: left to its run
        assert not mail.outbox
        # the run died; the claims lapse
        lapsed = claimed - datetime.timedelta(minutes=REMINDER_CLAIM_MINUTES + 1)
        Meeting.objects.filter(pk=meeting.pk).update(reminder_claimed_at=lapsed)
        Meeting.objects.filter(pk=past.pk).update(mark_reminder_claimed_at=lapsed)
        assert jobs.sweep_all()["meeting-reminders"] == 2
        assert jobs.sweep_all()["meeting-reminders"] == 0
        assert reminders.meeting_reminders_send() == 0
        assert reminders.meeting_mark_reminders_send() == 0
        assert sorted(m.subject.split(":")[0] for m in mail.outbox) == [
            "Напоминание",
            "Отметьте встречу",
        ]
        meeting.refresh_from_db()
        past.refresh_from_db()
        assert meeting.reminder_sent_at is not None and past.mark_reminder_sent_at is not None
