"""Scheduled work with real beats: a beat started after the due time (it was down at 09:00)
still sends the day's meeting reminders, two beats running at once send one letter per
meeting, and a beat killed and restarted sends nothing twice (the schedule's last runs are in
the database, each meeting is claimed before its letter: ADR 0008, schools.pairs.reminders)."""

from __future__ import annotations

import datetime
import email
import time
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_tenants.utils import schema_context

from config.beat import PlatformScheduler
from config.celery import app
from schools.pairs.models import Meeting, Pair
from schools.programmes.models import Programme
from tests.fault.conftest import pair_with_a_meeting_tomorrow, wait_until

pytestmark = [pytest.mark.fault, pytest.mark.celery_worker]

ENTRY = "meeting-reminders@__all_tenants_only__"


def _letters_to(folder: Path, address: str) -> int:
    """Letters the workers' file backend wrote with ``address`` among their recipients."""
    count = 0
    for path in folder.glob("*.log"):
        for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
            if chunk.strip() and address in (email.message_from_string(chunk)["To"] or ""):
                count += 1
    return count


def _reminded(schema: str, meeting_id: int) -> bool:
    with schema_context(schema):
        return Meeting.objects.filter(pk=meeting_id, reminder_sent_at__isnull=False).exists()


def test_beats_started_after_the_due_time_two_at_once_and_restarted_send_one_letter(
    committed: None,
    school: Any,
    broker: Any,
    start_worker: Any,
    start_beat: Any,
    tmp_path: Path,
) -> None:
    schema = school.schema_name
    mentor_address = f"mentor-{time.monotonic_ns()}@fault.ru"
    mentee_address = f"mentee-{time.monotonic_ns()}@fault.ru"
    with schema_context(schema):
        programme, pair, meeting = pair_with_a_meeting_tomorrow(
            year=2041,
            title="Программа сбоев",
            mentor_email=mentor_address,
            mentee_email=mentee_address,
            place="Каб. 12",
        )
    letters = tmp_path / "letters"
    letters.mkdir()
    beats: list[Any] = []

    def drained() -> bool:
        queue = app.conf.task_default_queue
        return broker.cli("LLEN", queue) == "0" and broker.cli("HLEN", "unacked") == "0"

    try:
        # beat ran before and was down at 09:00: the entry last ran two days ago
        PlatformScheduler(app=app, lazy=True).setup_schedule()
        PeriodicTask.objects.filter(name=ENTRY).update(
            last_run_at=timezone.now() - datetime.timedelta(days=2)
        )
        env = {"TEST_EMAIL_DIR": str(letters)}
        start_worker(concurrency=2, **env)
        beats += [start_beat(**env), start_beat(**env)]  # started by mistake twice, at once
        wait_until(lambda: _reminded(schema, meeting.pk), timeout=60)
        wait_until(drained)

        beats[0].kill()  # a host restart, before or after it recorded the run
        beats.append(start_beat(**env))
        time.sleep(3)  # the restarted beat's first ticks
        wait_until(drained)

        assert _letters_to(letters, mentor_address) == 1
        assert _letters_to(letters, mentee_address) == 1
        last_run = PeriodicTask.objects.get(name=ENTRY).last_run_at
        assert last_run is not None and last_run > timezone.now() - datetime.timedelta(hours=1)
    finally:
        for beat in beats:
            beat.stop()
        PeriodicTask.objects.filter(name__contains="@").delete()
        with schema_context(schema):
            Meeting.objects.filter(pair=pair).delete()
            Pair.objects.filter(pk=pair.pk).delete()  # the people stay: consents are append-only
            Programme.objects.filter(pk=programme.pk).delete()
