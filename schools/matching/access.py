"""Who may see what of matching: the group meetings before matching and the preferences
stated at them. The one place of these rules (the API and the pages call it).

- Group meetings: the institution's staff see every one; a mentor or a mentee the meetings it
  attended; nobody else (a parent does not take part in matching).
- Preferences: staff see all of a meeting; a mentor or a mentee only those it stated. A mentor
  or a mentee states its own; the coordinator records anyone's (on paper, at the meeting).
- Runs, their proposals and the mentees a run left without a mentor are read by the staff.
- Everything else of matching (group meetings, runs, proposals, weights) is written by the
  coordinator (or a system job)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts import roles
from accounts.actor import Actor
from schools.matching.models import (
    GroupMeeting,
    MatchProposal,
    MatchRun,
    Preference,
    UnmatchedMentee,
)
from schools.participants.access import NotFound, found_by_id


def may_manage_matching(actor: Actor) -> bool:
    """Group meetings, matching runs, proposals and weights: the coordinator."""
    return actor.is_system or actor.is_coordinator


def check_matching_manage(actor: Actor) -> None:
    if not may_manage_matching(actor):
        raise PermissionDenied


def group_meetings_visible_to(
    actor: Actor, queryset: QuerySet[GroupMeeting] | None = None
) -> QuerySet[GroupMeeting]:
    queryset = GroupMeeting.objects.all() if queryset is None else queryset
    if actor.is_system or actor.has_role(roles.STAFF):
        return queryset
    if actor.has_role(roles.PAIR_MEMBERS) and actor.participant_id is not None:
        attended = GroupMeeting.objects.filter(attendees=actor.participant_id).values("pk")
        return queryset.filter(pk__in=attended)
    return queryset.none()


def access_group_meeting_by_id(
    actor: Actor,
    meeting_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[GroupMeeting] | None = None,
) -> GroupMeeting:
    """The group meeting, or ``NotFound`` (missing or not the actor's to see); for a write
    (plan, change, mark held) ``PermissionDenied`` unless the actor manages matching."""
    return found_by_id(
        group_meetings_visible_to(actor, queryset),
        meeting_id,
        write_refused=for_write and not may_manage_matching(actor),
    )


def preferences_visible_to(actor: Actor, meeting: GroupMeeting) -> QuerySet[Preference]:
    queryset = meeting.preferences.select_related("from_participant", "to_participant")
    if actor.is_system or actor.has_role(roles.STAFF):
        return queryset
    if actor.has_role(roles.PAIR_MEMBERS) and actor.participant_id is not None:
        return queryset.filter(from_participant_id=actor.participant_id)
    return queryset.none()


def check_preferences_write(actor: Actor, meeting: GroupMeeting, from_participant_id: int) -> None:
    """State the preferences of ``from_participant_id`` after ``meeting``: the person itself
    (a mentor or a mentee), or the coordinator on its behalf (``NotFound`` for a meeting out of
    sight)."""
    if not group_meetings_visible_to(actor).filter(pk=meeting.pk).exists():
        raise NotFound
    if may_manage_matching(actor):
        return
    if not actor.has_role(roles.PAIR_MEMBERS) or actor.participant_id != from_participant_id:
        raise PermissionDenied


# --- runs, their proposals and the mentees left without a mentor ---------------------------------


def _sees_runs(actor: Actor) -> bool:
    """Runs (with their proposals and the mentees left unmatched) are the staff's to read."""
    return actor.is_system or actor.has_role(roles.STAFF)


def match_runs_visible_to(
    actor: Actor, queryset: QuerySet[MatchRun] | None = None
) -> QuerySet[MatchRun]:
    queryset = MatchRun.objects.all() if queryset is None else queryset
    return queryset if _sees_runs(actor) else queryset.none()


def match_proposals_visible_to(
    actor: Actor, queryset: QuerySet[MatchProposal] | None = None
) -> QuerySet[MatchProposal]:
    queryset = MatchProposal.objects.all() if queryset is None else queryset
    return queryset if _sees_runs(actor) else queryset.none()


def unmatched_visible_to(
    actor: Actor, queryset: QuerySet[UnmatchedMentee] | None = None
) -> QuerySet[UnmatchedMentee]:
    queryset = UnmatchedMentee.objects.all() if queryset is None else queryset
    return queryset if _sees_runs(actor) else queryset.none()


def access_match_run_by_id(
    actor: Actor,
    run_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[MatchRun] | None = None,
) -> MatchRun:
    """The run, or ``NotFound``; for a write (approve, cancel) ``PermissionDenied`` unless the
    actor manages matching."""
    return found_by_id(
        match_runs_visible_to(actor, queryset),
        run_id,
        write_refused=for_write and not may_manage_matching(actor),
    )


def access_match_proposal_by_id(
    actor: Actor,
    proposal_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[MatchProposal] | None = None,
) -> MatchProposal:
    """The proposal, or ``NotFound``; for a write (accept, reject, change the mentor)
    ``PermissionDenied`` unless the actor manages matching."""
    return found_by_id(
        match_proposals_visible_to(actor, queryset),
        proposal_id,
        write_refused=for_write and not may_manage_matching(actor),
    )


def access_unmatched_by_id(
    actor: Actor,
    row_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[UnmatchedMentee] | None = None,
) -> UnmatchedMentee:
    """A mentee a run left without a mentor, or ``NotFound``; for a write (pair by hand)
    ``PermissionDenied`` unless the actor manages matching."""
    return found_by_id(
        unmatched_visible_to(actor, queryset),
        row_id,
        write_refused=for_write and not may_manage_matching(actor),
    )


__all__ = [
    "access_group_meeting_by_id",
    "access_match_proposal_by_id",
    "access_match_run_by_id",
    "access_unmatched_by_id",
    "check_matching_manage",
    "check_preferences_write",
    "group_meetings_visible_to",
    "match_proposals_visible_to",
    "match_runs_visible_to",
    "may_manage_matching",
    "preferences_visible_to",
    "unmatched_visible_to",
]
