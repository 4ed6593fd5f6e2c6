"""Beat keeps its schedule in the database: a run missed while beat was down is sent once when
it starts again, to every institution, and not again by the next start."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.beat import PlatformScheduler
from config.celery import app

ENTRY = "meeting-reminders@__all_tenants_only__"


@pytest.fixture
def schedule(committed: None, tenants: Any) -> Iterator[None]:
    """The database scheduler commits its rows (and closes idle connections): no test
    transaction around it; the rows are removed afterwards."""
    yield
    PeriodicTask.objects.filter(name__contains="@").delete()


def _start() -> PlatformScheduler:
    """What ``celery beat`` does when it starts."""
    scheduler = PlatformScheduler(app=app, lazy=True)
    scheduler.setup_schedule()
    return scheduler


def test_the_schedule_is_written_to_the_database(schedule: None) -> None:
    _start()
    row = PeriodicTask.objects.get(name=ENTRY)
    assert row.task == "pairs.meeting_reminders_send" and row.enabled
    assert row.crontab is not None and row.crontab.hour == "9"
    assert '"_all_tenants_only": true' in row.headers
    assert row.expire_seconds == 6 * 3600
    public = PeriodicTask.objects.get(name="outbox-relay@public")
    assert '"_schema_name": "public"' in public.headers


def test_a_run_missed_while_beat_was_down_is_sent_once_on_start(
    schedule: None, tenants: Any
) -> None:
    _start()
    # beat was down at 09:00: the entry last ran two days ago
    PeriodicTask.objects.filter(name=ENTRY).update(last_run_at=timezone.now() - timedelta(days=2))

    restarted = _start()
    entry = restarted.schedule[ENTRY]
    assert entry.is_due().is_due
    sent: list[tuple[str, str]] = []

    def send(entry: Any, producer: Any = None, advance: bool = True, **kw: Any) -> Any:
        sent.append((entry.task, connection.schema_name))  # type: ignore[attr-defined]
        return mock.Mock(id="x")

    with mock.patch.object(PlatformScheduler, "apply_async", side_effect=send):
        restarted.reserve(entry)
        restarted.apply_entry(entry)
    restarted.sync()
    assert ("pairs.meeting_reminders_send", tenants.a.schema_name) in sent
    assert ("pairs.meeting_reminders_send", tenants.b.schema_name) in sent

    again = _start()  # the next start: the run is recorded, nothing is due
    assert not again.schedule[ENTRY].is_due().is_due


def test_an_entry_gone_from_the_settings_is_disabled(schedule: None) -> None:
    _start()
    PeriodicTask.objects.filter(name=ENTRY).update(name="old-entry@__all_tenants_only__")
    _start()
    assert not PeriodicTask.objects.get(name="old-entry@__all_tenants_only__").enabled
    assert PeriodicTask.objects.get(name=ENTRY).enabled
