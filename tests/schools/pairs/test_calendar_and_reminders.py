"""Meeting reminders the day before (idempotent) and the per-person iCalendar feed, including
the refusal of another institution's token."""

from __future__ import annotations

import datetime
from typing import Any

from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from schools.pairs import reminders, services
from schools.pairs.models import Meeting
from tests import builders
from tests.conftest import SETUP
from tests.schools.pairs.conftest import World


def tomorrow_at(hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def test_reminders_are_sent_once_per_meeting(world: World) -> None:
    with schema_context("alpha"):
        meeting = services.meeting_create(
            pair=world.pair,
            kind="organisational",
            starts_at=tomorrow_at(15),
            place="Каб. 7",
            actor=SETUP,
        )
        later = services.meeting_create(
            pair=world.pair,
            kind="trial",
            starts_at=tomorrow_at(15) + datetime.timedelta(days=3),
            place="Каб. 7",
            actor=SETUP,
        )
        mail.outbox.clear()
        assert reminders.meeting_reminders_send() == 1
        assert reminders.meeting_reminders_send() == 0  # a second run (retry, duplicate beat)
        assert len(mail.outbox) == 1
        letter = mail.outbox[0]
        assert set(letter.to) == {world.mentor.email, world.mentee.email}
        assert "Напоминание" in letter.subject and "Каб. 7" in letter.body
        meeting.refresh_from_db()
        assert meeting.reminder_sent_at is not None
        assert Meeting.objects.get(pk=later.pk).reminder_sent_at is None
        # Moving the meeting clears the mark: it is reminded of again the day before.
        services.meeting_update(meeting=meeting, starts_at=tomorrow_at(16), actor=SETUP)
        assert reminders.meeting_reminders_send() == 1
        services.meeting_cancel(meeting=later, actor=SETUP)
        assert reminders.meeting_reminders_send() == 0
        assert len(mail.outbox) == 2


def test_reminder_task_runs_in_the_institution_schema(world: World) -> None:
    from schools.pairs.tasks import meeting_reminders_send

    with schema_context("alpha"):
        services.meeting_create(
            pair=world.pair,
            kind="organisational",
            starts_at=tomorrow_at(9),
            place="Каб. 1",
            actor=SETUP,
        )
        mail.outbox.clear()
        assert meeting_reminders_send.run() == 1
        assert len(mail.outbox) == 1


def test_calendar_feed_per_person(tenant_a: Any, tenant_b: Any, world: World, client_for: Any):
    with schema_context("alpha"):
        services.meeting_create(
            pair=world.pair,
            kind="organisational",
            starts_at=tomorrow_at(15),
            place="Каб. 12, корпус; 2",
            link="https://meet.example.ru/abc",
            actor=SETUP,
        )
    mentee = client_for(tenant_a, world.users["mentee"])
    link = mentee.post("/api/v1/calendar-links/")
    assert link.status_code == 201
    url = link.json()["url"]
    assert url.startswith(f"http://{tenant_a.host}/api/v1/calendar/") and url.endswith(".ics")
    path = url.split(tenant_a.host, 1)[1]
    anonymous = APIClient(HTTP_HOST=tenant_a.host)
    feed = anonymous.get(path, HTTP_ACCEPT="text/calendar, */*")
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.rstrip().endswith("END:VCALENDAR")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    body = body.replace("\r\n ", "")  # unfold long lines
    assert body.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:Наставничество: организационная встреча" in body
    assert "LOCATION:Каб. 12\\, корпус\\; 2" in body
    assert "URL:https://meet.example.ru/abc" in body
    # Another person's feed does not show this pair's meetings.
    other = client_for(tenant_a, world.users["other_mentee"])
    other_path = other.post("/api/v1/calendar-links/").json()["url"].split(tenant_a.host, 1)[1]
    assert "BEGIN:VEVENT" not in anonymous.get(other_path).content.decode()
    # A new link replaces the old one; a wrong suffix or token is not found.
    assert anonymous.get(path.replace(".ics", ".json")).status_code == 404
    assert anonymous.get("/api/v1/calendar/" + "x" * 43 + ".ics").status_code == 404
    mentee.post("/api/v1/calendar-links/")
    assert anonymous.get(path).status_code == 404
    # A staff login without a participant gets a clear error.
    assert (
        client_for(tenant_a, world.users["director"]).post("/api/v1/calendar-links/").status_code
        == 400
    )


def test_a_token_of_b_gives_404_on_a(tenant_a: Any, tenant_b: Any, db: None) -> None:
    with schema_context(tenant_b.schema_name):
        someone = builders.person(last_name="Бета", email=builders.unique_email(), consent=False)
        token = services.calendar_token_issue(participant_id=someone.pk, actor=SETUP)
    assert (
        APIClient(HTTP_HOST=tenant_b.host).get(f"/api/v1/calendar/{token}.ics").status_code == 200
    )
    assert (
        APIClient(HTTP_HOST=tenant_a.host).get(f"/api/v1/calendar/{token}.ics").status_code == 404
    )


def test_the_reminder_task_writes_the_institutions_local_time_once(world: World) -> None:
    """A school in Vladivostok: the worker's «tomorrow» and the letter's time are its own,
    not Moscow's or UTC; a second run of the task sends nothing."""
    import zoneinfo

    from schools.pairs.tasks import meeting_reminders_send
    from tenants.models import Institution

    zone = zoneinfo.ZoneInfo("Asia/Vladivostok")
    tomorrow = timezone.localdate(timezone=zone) + datetime.timedelta(days=1)
    starts = datetime.datetime.combine(tomorrow, datetime.time(5, 0), tzinfo=zone)
    Institution.objects.filter(schema_name="alpha").update(time_zone="Asia/Vladivostok")
    try:
        with schema_context("alpha"):
            services.meeting_create(
                pair=world.pair,
                kind="organisational",
                starts_at=starts,
                place="Каб. 3",
                actor=SETUP,
            )
            mail.outbox.clear()
            assert meeting_reminders_send.apply().get() == 1
            assert meeting_reminders_send.apply().get() == 0
        assert len(mail.outbox) == 1
        letter = mail.outbox[0]
        assert f"{tomorrow:%d.%m.%Y} в 05:00" in letter.subject
        assert "05:00" in letter.body and "UTC" not in letter.body
    finally:
        Institution.objects.filter(schema_name="alpha").update(time_zone="Europe/Moscow")
