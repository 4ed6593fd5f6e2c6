"""E-mail reminders of tomorrow's meetings, sent once per meeting.

Each meeting is locked (``skip_locked``: a concurrent run takes the others), marked with
``reminder_sent_at`` and mailed in one transaction: a retry or a second run sends nothing
twice, and a failed send leaves the mark unset so the next run tries again. Moving a meeting
clears the mark (``meeting_update``)."""

from __future__ import annotations

import datetime

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from config.db import tenant_connection
from schools.pairs.calendar import KIND_RU
from schools.pairs.models import Meeting
from schools.pairs.selectors import meetings_to_remind
from tenants.api import host_and_name_for_schema


def _addresses(meeting: Meeting) -> list[str]:
    pair = meeting.pair
    people = [pair.mentor, *(m.mentee for m in pair.memberships.select_related("mentee__user"))]
    found: list[str] = []
    for person in people:
        if person.erased_at is not None or person.processing_stopped_at is not None:
            continue
        address = person.email or (person.user.email if person.user_id else "")  # type: ignore[union-attr]
        if address and address not in found:
            found.append(address)
    return found


def _letter(meeting: Meeting, organisation: str, host: str) -> tuple[str, str]:
    starts = timezone.localtime(meeting.starts_at)
    kind = KIND_RU.get(meeting.kind, meeting.kind)
    subject = f"Напоминание: {kind} {starts:%d.%m.%Y в %H:%M}"
    where = meeting.place or ""
    if meeting.link:
        where = f"{where}\n{meeting.link}".strip()
    body = (
        "Здравствуйте!\n\n"
        f"Завтра, {starts:%d.%m.%Y в %H:%M}, состоится {kind} вашей наставнической пары "
        f"(группы) в программе наставничества «{meeting.pair.programme.title}».\n"
        f"Место: {where or '—'}\n"
        f"Продолжительность: {meeting.duration_minutes} мин.\n\n"
        f"{organisation}\nhttps://{host}/\n"
    )
    return subject, body


def meeting_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind of tomorrow's meetings in the active institution's schema; returns the number
    of meetings reminded of."""
    now = now or timezone.now()
    ids = list(meetings_to_remind(now=now).values_list("pk", flat=True))
    if not ids:
        return 0
    host, organisation = host_and_name_for_schema(tenant_connection().schema_name)
    sent = 0
    for meeting_id in ids:
        with transaction.atomic():
            meeting = (
                meetings_to_remind(now=now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("pair__mentor__user", "pair__programme")
                .filter(pk=meeting_id)
                .first()
            )
            if meeting is None:  # reminded by a concurrent run, moved or cancelled
                continue
            meeting.reminder_sent_at = timezone.now()
            meeting.save(update_fields=["reminder_sent_at"])
            addresses = _addresses(meeting)
            if addresses:
                subject, body = _letter(meeting, organisation, host)
                send_mail(subject, body, None, addresses)
            sent += 1
    return sent
