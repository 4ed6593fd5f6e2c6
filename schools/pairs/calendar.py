"""A person's meetings as an iCalendar feed (RFC 5545), for the secret per-person link.

Cancelled meetings stay in the feed with ``STATUS:CANCELLED`` so that calendar apps remove
them; summaries are Russian like the documents."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from schools.pairs.models import Meeting, MeetingStatus

KIND_RU = {
    "organisational": "организационная встреча",
    "trial": "пробная рабочая встреча",
    "planning": "встреча-планирование",
    "regular": "встреча",
    "final": "заключительная встреча",
}


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and a space."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        octets = char.encode()
        if len(current) + len(octets) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += octets
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_event(meeting: Meeting, *, uid_domain: str, stamp: datetime.datetime) -> list[str]:
    ends_at = meeting.starts_at + datetime.timedelta(minutes=meeting.duration_minutes)
    summary = f"Наставничество: {KIND_RU.get(meeting.kind, meeting.kind)}"
    lines = [
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{uid_domain}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"STATUS:{'CANCELLED' if meeting.status == MeetingStatus.CANCELLED else 'CONFIRMED'}",
    ]
    if meeting.place:
        lines.append(f"LOCATION:{_escape(meeting.place)}")
    if meeting.link:
        lines.append(f"URL:{meeting.link}")
    description = "\n".join(p for p in (meeting.link, meeting.notes) if p)
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    lines.append("END:VEVENT")
    return lines


def calendar_ics(
    meetings: Iterable[Meeting], *, name: str, uid_domain: str, now: datetime.datetime | None = None
) -> str:
    stamp = now or timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Nastavnik//Meetings//RU",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for meeting in meetings:
        lines.extend(meeting_event(meeting, uid_domain=uid_domain, stamp=stamp))
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
