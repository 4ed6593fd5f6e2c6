"""E-mail reminders of tomorrow's meetings, sent once per meeting.

Each meeting is first *claimed* (locked with ``skip_locked``, ``reminder_claimed_at`` set and
committed): a concurrent run (two beats) takes the others. The letter goes out after that
commit, and ``reminder_sent_at`` records it: a crash before the commit sends nothing, and a
crash between the claim and the letter leaves a claim that lapses after
``REMINDER_CLAIM_MINUTES``. A run that meets another run's fresh claim leaves the meeting to it;
if that run died, beat's jobs sweep (``config.jobs_sweep``, every five minutes:
``lapsed_claims_send``) sends the letters of lapsed claims, once, minutes after they lapsed. A
failed send clears the claim, so the next run tries again. Moving a meeting clears both
(``meeting_update``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.db import tenant_connection
from config.links import absolute_url
from schools.pairs.calendar import KIND_RU
from schools.pairs.models import Meeting
from schools.pairs.selectors import REMINDER_CLAIM_MINUTES, meetings_to_remind
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
        f"{organisation}\n{absolute_url(host, '/')}\n"
    )
    return subject, body


def _to_remind(now: datetime.datetime, lapsed_only: bool) -> Any:
    due = meetings_to_remind(now=now)
    return due.filter(reminder_claimed_at__isnull=False) if lapsed_only else due


def meeting_reminders_send(
    *, now: datetime.datetime | None = None, lapsed_only: bool = False
) -> int:
    """Remind of tomorrow's meetings in the active institution's schema; returns the number
    of meetings reminded of. ``lapsed_only``: only those whose claim lapsed (its run died)."""
    now = now or timezone.now()
    ids = list(_to_remind(now, lapsed_only).values_list("pk", flat=True))
    if not ids:
        return 0
    host, organisation = host_and_name_for_schema(tenant_connection().schema_name)
    sent = 0
    for meeting_id in ids:
        with transaction.atomic():
            meeting = (
                _to_remind(now, lapsed_only)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("pair__mentor__user", "pair__programme")
                .filter(pk=meeting_id)
                .first()
            )
            if meeting is None:  # reminded by a concurrent run, moved or cancelled
                continue
            meeting.reminder_claimed_at = timezone.now()
            meeting.save(update_fields=["reminder_claimed_at"])
        # claimed and committed: the letter now, then the record of it
        addresses = _addresses(meeting)
        try:
            if addresses:
                subject, body = _letter(meeting, organisation, host)
                send_mail(subject, body, None, addresses)
        except Exception:
            Meeting.objects.filter(pk=meeting.pk).update(reminder_claimed_at=None)
            raise
        Meeting.objects.filter(pk=meeting.pk).update(reminder_sent_at=timezone.now())
        sent += 1
    return sent


# --- meetings that took place but are not marked -------------------------------------------------

MARK_AFTER_HOURS = 12  # a planned meeting this long past its start is due to be marked


def meetings_to_mark(*, now: datetime.datetime | None = None) -> Any:
    """Planned meetings of active pairs that started more than ``MARK_AFTER_HOURS`` ago, whose
    mentor was not yet asked to mark them held (with attendance) or to move them."""
    now = now or timezone.now()
    lapsed = now - datetime.timedelta(minutes=REMINDER_CLAIM_MINUTES)
    return Meeting.objects.filter(
        Q(mark_reminder_claimed_at__isnull=True) | Q(mark_reminder_claimed_at__lt=lapsed),
        status="planned",
        mark_reminder_sent_at__isnull=True,
        pair__status="active",
        starts_at__lt=now - datetime.timedelta(hours=MARK_AFTER_HOURS),
    ).order_by("starts_at", "pk")


def _mark_letter(meeting: Meeting, organisation: str, host: str) -> tuple[str, str]:
    starts = timezone.localtime(meeting.starts_at)
    kind = KIND_RU.get(meeting.kind, meeting.kind)
    subject = f"Отметьте встречу: {kind} {starts:%d.%m.%Y}"
    body = (
        "Здравствуйте!\n\n"
        f"{starts:%d.%m.%Y в %H:%M} была запланирована {kind} вашей наставнической пары "
        f"(группы) в программе наставничества «{meeting.pair.programme.title}».\n"
        "Если встреча состоялась, отметьте её проведённой и укажите, кто присутствовал; "
        "если нет — перенесите её на другой день:\n"
        f"{absolute_url(host, f'/pairs/{meeting.pair_id}/')}\n\n"
        f"{organisation}\n"
    )
    return subject, body


def _to_mark(now: datetime.datetime, lapsed_only: bool) -> Any:
    due = meetings_to_mark(now=now)
    return due.filter(mark_reminder_claimed_at__isnull=False) if lapsed_only else due


def meeting_mark_reminders_send(
    *, now: datetime.datetime | None = None, lapsed_only: bool = False
) -> int:
    """Ask the mentor, once per meeting, to mark a past planned meeting held or move it; returns
    the number of meetings asked about. Moving a meeting asks again after its new date.
    ``lapsed_only``: only those whose claim lapsed (its run died)."""
    now = now or timezone.now()
    ids = list(_to_mark(now, lapsed_only).values_list("pk", flat=True))
    if not ids:
        return 0
    host, organisation = host_and_name_for_schema(tenant_connection().schema_name)
    sent = 0
    for meeting_id in ids:
        with transaction.atomic():
            meeting = (
                _to_mark(now, lapsed_only)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("pair__mentor__user", "pair__programme")
                .filter(pk=meeting_id)
                .first()
            )
            if meeting is None:  # asked by a concurrent run, marked, moved or cancelled
                continue
            meeting.mark_reminder_claimed_at = timezone.now()
            meeting.save(update_fields=["mark_reminder_claimed_at"])
        # claimed and committed: the letter now, then the record of it
        mentor = meeting.pair.mentor
        address = ""
        if mentor.erased_at is None and mentor.processing_stopped_at is None:
            address = mentor.email or (mentor.user.email if mentor.user else "")
        try:
            if address:
                subject, body = _mark_letter(meeting, organisation, host)
                send_mail(subject, body, None, [address])
        except Exception:
            Meeting.objects.filter(pk=meeting.pk).update(mark_reminder_claimed_at=None)
            raise
        Meeting.objects.filter(pk=meeting.pk).update(mark_reminder_sent_at=timezone.now())
        sent += 1
    return sent


def lapsed_claims_send(*, now: datetime.datetime | None = None) -> int:
    """Beat's jobs sweep (``config.jobs``): the letters whose claim lapsed — the run that
    claimed them died before mailing, and any run that met the claim meanwhile left the meeting
    to it — go out now, once (still only while they are due). Returns the meetings mailed."""
    now = now or timezone.now()
    return meeting_reminders_send(now=now, lapsed_only=True) + meeting_mark_reminders_send(
        now=now, lapsed_only=True
    )
