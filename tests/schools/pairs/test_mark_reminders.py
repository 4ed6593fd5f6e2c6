"""A planned meeting whose day passed: the mentor is asked once to mark it held or move it."""

from __future__ import annotations

import datetime
from typing import Any

from django.core import mail
from django.utils import timezone

from schools.pairs import reminders, services
from tests.conftest import SETUP
from tests.schools.pairs.conftest import World


def test_the_mentor_is_asked_once_to_mark_a_past_meeting(world: World, in_a: Any) -> None:
    past = services.meeting_create(
        pair=world.pair,
        kind="organisational",
        starts_at=timezone.now() - datetime.timedelta(days=1),
        place="Кабинет 5",
        actor=SETUP,
    )
    services.meeting_create(
        pair=world.pair,
        kind="trial",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        place="Кабинет 5",
        actor=SETUP,
    )
    mail.outbox.clear()
    assert reminders.meeting_mark_reminders_send() == 1
    (letter,) = mail.outbox
    assert letter.to == [world.mentor.email] and "Отметьте встречу" in letter.subject
    assert f"/pairs/{world.pair.pk}/" in letter.body
    assert reminders.meeting_mark_reminders_send() == 0  # once per meeting
    # Moved to a later day that passes too: asked again, once.
    services.meeting_update(
        meeting=past, starts_at=timezone.now() - datetime.timedelta(hours=20), actor=SETUP
    )
    assert reminders.meeting_mark_reminders_send() == 1
    services.meeting_record_attendance(meeting=past, participant_ids=[world.mentor.pk], actor=SETUP)
    assert reminders.meeting_mark_reminders_send() == 0
