"""Public interface of the matching app: the only module other apps import."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from accounts.actor import Actor
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
    actor: Actor,
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
    actor: Actor,
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


def run_and_approve(
    *,
    programme_id: int,
    share: float = 1.0,
    started_on: datetime.date | None = None,
    actor: Actor,
) -> list[int]:
    """Run matching on the programme in this process and approve ``share`` of its proposals
    (the best-scored first; the rest stay for the coordinator to decide), the pairs and groups
    started on ``started_on`` (default: today). Returns the ids of the pairs and groups
    formed. For seeding: the pages start runs on the worker."""
    programme = Programme.objects.get(pk=programme_id)
    run = services.run_create(programme=programme, actor=actor)
    if run.pk is not None and run.status != RunStatus.DONE:  # a large programme: the worker's
        services.run_execute(run_id=run.pk, raise_errors=True)
        run.refresh_from_db()
    proposals = list(run.proposals.order_by("-score", "pk").values_list("pk", flat=True))
    chosen = proposals[: round(len(proposals) * share)]
    if not chosen:
        return []
    return services.proposals_approve(
        run=run, proposal_ids=chosen, actor=actor, started_on=started_on
    )


__all__ = ["approved_run_count", "group_meeting_create", "preferences_record", "run_and_approve"]
