"""The progress line of a pair: the methodology's five meetings in order (organisational,
trial, planning, regular, final), each held, planned, overdue (planned and past) or still to
plan, with the next step the pair should take."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from schools.pairs.models import MEETING_SEQUENCE, Meeting, MeetingKind, MeetingStatus, Pair

HELD, PLANNED, OVERDUE, TODO = "held", "planned", "overdue", "todo"


@dataclass
class Step:
    kind: str
    label: str
    state: str
    when: datetime.datetime | None = None
    held: int = 0  # regular meetings held
    planned: int = 0  # regular meetings planned


@dataclass
class Progress:
    steps: list[Step] = field(default_factory=list)
    done: int = 0  # steps held (the regular step counts once at least one was held)
    next_step: str = ""

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def progress_of(
    pair: Pair,
    *,
    meetings: list[Meeting] | None = None,
    now: datetime.datetime | None = None,
) -> Progress:
    """``meetings`` may be given already loaded (a list page loads them for every pair)."""
    now = now or timezone.now()
    if meetings is None:
        meetings = list(Meeting.objects.filter(pair=pair))
    live = [m for m in meetings if m.status != MeetingStatus.CANCELLED]
    labels = dict(MeetingKind.choices)
    progress = Progress()
    for kind in MEETING_SEQUENCE:
        of_kind = sorted((m for m in live if m.kind == kind), key=lambda m: m.starts_at)
        held = [m for m in of_kind if m.status == MeetingStatus.HELD]
        planned = [m for m in of_kind if m.status == MeetingStatus.PLANNED]
        if held and (kind != MeetingKind.REGULAR or not planned):
            state, when = HELD, held[-1].starts_at
        elif planned:
            upcoming = [m for m in planned if m.starts_at >= now]
            state = PLANNED if upcoming else OVERDUE
            when = (upcoming or planned)[0].starts_at
            if kind == MeetingKind.REGULAR and held and state == PLANNED:
                state = HELD  # a regular meeting was held, the next is planned
        else:
            state, when = TODO, None
        step = Step(
            kind=kind,
            label=str(labels[kind]),
            state=state,
            when=when,
            held=len(held),
            planned=len(planned),
        )
        progress.steps.append(step)
        if held:
            progress.done += 1
    first_open = next((s for s in progress.steps if s.state != HELD), None)
    if pair.status != "active":
        progress.next_step = ""
    elif first_open is None:
        progress.next_step = _("All meetings are held: complete the pair with its results.")
    elif first_open.state == OVERDUE:
        progress.next_step = _("Mark the %(meeting)s held, or move it.") % {
            "meeting": first_open.label.lower()
        }
    elif first_open.state == PLANNED:
        progress.next_step = _("Next: %(meeting)s on %(date)s.") % {
            "meeting": first_open.label.lower(),
            "date": timezone.localtime(first_open.when).strftime("%d.%m.%Y %H:%M")
            if first_open.when
            else "",
        }
    else:
        progress.next_step = _("Plan the %(meeting)s.") % {"meeting": first_open.label.lower()}
    return progress
