"""Public interface of the matching app: the only module other apps import."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from schools.matching import services
from schools.matching.models import GroupMeeting, MatchRun, RunStatus
from schools.programmes.models import Programme


def approved_run_count(*, programme_id: int) -> int:
    """Matching runs of the programme that the coordinator approved."""
    return MatchRun.objects.filter(programme_id=programme_id, status=RunStatus.APPROVED).count()


def group_meeting_create(
    *,
    programme_id: int,
    held_on: datetime.date,
    place: str = "",
    attendee_ids: Sequence[int] = (),
    actor: Any = None,
) -> int:
    """Record the group meeting of stage 4 (mentors and mentees get to know each other);
    returns its id."""
    return services.group_meeting_create(
        programme=Programme.objects.get(pk=programme_id),
        held_on=held_on,
        place=place,
        attendee_ids=attendee_ids,
        actor=actor,
    ).pk


def preferences_record(
    *,
    meeting_id: int,
    from_participant_id: int,
    items: Sequence[Mapping[str, Any]],
    actor: Any = None,
) -> int:
    """Replace what a participant said after the group meeting (items: ``to_participant``,
    ``kind`` "prefer"/"avoid", ``rank``); returns how many preferences were recorded."""
    return len(
        services.preferences_record(
            meeting=GroupMeeting.objects.get(pk=meeting_id),
            from_participant_id=from_participant_id,
            items=items,
            actor=actor,
        )
    )


__all__ = ["approved_run_count", "group_meeting_create", "preferences_record"]
