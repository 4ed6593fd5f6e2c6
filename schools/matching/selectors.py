"""Reads of the matching app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import Role
from schools.matching.models import GroupMeeting, MatchProposal, MatchRun, Preference
from schools.participants import api as participants_api

PARTICIPANT_ROLES = frozenset({Role.MENTOR, Role.MENTEE})


def participant_id_of(user: Any) -> int | None:
    """The participant whose login ``user`` is, or None."""
    user_pk = getattr(user, "pk", None)
    if user_pk is None:
        return None
    pk = (
        participants_api.Participant.objects.filter(user_id=user_pk)
        .values_list("pk", flat=True)
        .first()
    )
    return int(pk) if pk is not None else None


def group_meeting_list() -> QuerySet[GroupMeeting]:
    return GroupMeeting.objects.select_related("programme").prefetch_related("attendees")


def group_meetings_visible_to(
    user: Any, queryset: QuerySet[GroupMeeting]
) -> QuerySet[GroupMeeting]:
    """Staff see every meeting; a mentor or mentee the meetings they attended."""
    if getattr(user, "role", None) in PARTICIPANT_ROLES:
        return queryset.filter(attendees__user=user).distinct()
    return queryset


def preferences_visible_to(user: Any, meeting: GroupMeeting) -> QuerySet[Preference]:
    queryset = meeting.preferences.select_related("from_participant", "to_participant")
    if getattr(user, "role", None) in PARTICIPANT_ROLES:
        return queryset.filter(from_participant__user=user)
    return queryset


def match_run_list() -> QuerySet[MatchRun]:
    return MatchRun.objects.select_related("programme")


def match_proposal_list() -> QuerySet[MatchProposal]:
    return MatchProposal.objects.select_related("run", "mentor", "mentee")
