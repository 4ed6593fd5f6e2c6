"""Reads of the matching app."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from schools.matching.models import (
    GroupMeeting,
    MatchProposal,
    MatchRun,
    ProposalStatus,
    UnmatchedMentee,
)
from schools.participants import api as participants_api


def group_meeting_list() -> QuerySet[GroupMeeting]:
    return GroupMeeting.objects.select_related("programme").prefetch_related("attendees")


def match_run_list() -> QuerySet[MatchRun]:
    return MatchRun.objects.select_related("programme")


def match_proposal_list() -> QuerySet[MatchProposal]:
    return MatchProposal.objects.select_related("run", "mentor", "mentee")


def unmatched_rows() -> QuerySet[UnmatchedMentee]:
    """Every mentee left without a mentor by a run, with the run and the person."""
    return UnmatchedMentee.objects.select_related("run__programme", "mentee")


def unmatched_list(run: MatchRun) -> QuerySet[UnmatchedMentee]:
    """The run's mentees left without a mentor (those given a pair by hand since excluded)."""
    by_hand = run.proposals.values("mentee_id")
    return (
        UnmatchedMentee.objects.filter(run=run)
        .exclude(mentee_id__in=by_hand)
        .select_related("mentee")
        .order_by("reason", "mentee__last_name", "mentee__first_name", "mentee_id")
    )


@dataclass(frozen=True)
class MentorOption:
    """A mentor the coordinator could give a mentee by hand, with the pair's score."""

    id: int
    name: str
    category: str
    score: float
    form: str | None
    covered: list[str]
    places_left: int  # after the current load and the run's proposals
    refused: list[str]  # exclusions a hand-made pair cannot override (none: possible)
    warnings: list[str]  # exclusions the coordinator may override


def mentor_options(*, run: MatchRun, mentee_id: int, limit: int = 12) -> list[MentorOption]:
    """Mentors for ``mentee_id`` in ``run``, possible ones first, best score first: what a
    hand-made pair or a change of mentor would look like."""
    from schools.matching import candidates
    from schools.matching.engine import PreferenceIndex, Weights, score_pair
    from schools.matching.services import SOFT_EXCLUSIONS

    programme = run.programme
    mentee = candidates.mentees_by_id([mentee_id], programme_id=programme.pk).get(mentee_id)
    if mentee is None:
        return []
    mentors = candidates.mentors_by_id(
        participants_api.mentor_base_ids(), programme_id=programme.pk
    )
    taken: dict[int, int] = {}
    for mentor_id in (
        run.proposals.filter(pair_id__isnull=True)  # approved ones are in the load
        .exclude(status=ProposalStatus.REJECTED)
        .exclude(mentee_id=mentee_id)
        .values_list("mentor_id", flat=True)
    ):
        taken[mentor_id] = taken.get(mentor_id, 0) + 1
    weights = Weights.from_dict(run.weights)
    prefs = PreferenceIndex(candidates.preferences_of(programme.pk))
    exclusions = candidates.rejected_pairs(programme.pk)
    full = {
        pk: person.full_name
        for pk, person in participants_api.person_refs(participant_ids=list(mentors)).items()
    }
    options = []
    for mentor in mentors.values():
        if mentor.id == mentee_id:
            continue
        b = score_pair(
            mentor,
            mentee,
            forms=programme.forms,
            weights=weights,
            preferences=prefs,
            exclusions=exclusions,
            ignore_load=True,
        )
        left = mentor.capacity - mentor.current_load - taken.get(mentor.id, 0)
        refused = [c for c in b.excluded if c not in SOFT_EXCLUSIONS]
        if left <= 0:
            refused.append("mentor_full")
        options.append(
            MentorOption(
                id=mentor.id,
                name=full.get(mentor.id, ""),
                category=mentor.category,
                score=round(b.total, 1),
                form=b.form,
                covered=sorted(mentee.needs & mentor.competences),
                places_left=max(left, 0),
                refused=refused,
                warnings=[c for c in b.excluded if c in SOFT_EXCLUSIONS],
            )
        )
    options.sort(key=lambda o: (bool(o.refused), bool(o.warnings), -o.score, o.name))
    return options[:limit]
