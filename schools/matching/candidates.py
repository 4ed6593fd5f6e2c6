"""The engine's input built from the institution's data: the mentee and mentor bases (through
``schools.participants.api``), current pairs (through ``schools.pairs.api``), preferences
stated after group meetings and the coordinator's earlier rejections. A mentor's
``competences`` in the engine are the need codes the mentor covers: the catalogue entries of
the mentor's profile and the needs the catalogue's coverage maps to them.

People come as plain records (``participants_api.mentee_records`` / ``mentor_records``, two
queries each whatever their number), never as the participants app's models."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from schools.matching.engine import MenteeIn, MentorIn, PreferenceIn, Problem, Weights
from schools.matching.models import MatchProposal, Preference, ProposalStatus
from schools.pairs import api as pairs_api
from schools.participants import api as participants_api


def _age(birth_date: datetime.date | None, today: datetime.date) -> int | None:
    if birth_date is None:
        return None
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def _pairs_state(programme_id: int) -> tuple[dict[int, int], set[int]]:
    """(mentor id → mentees in active pairs, mentees already paired in the programme)."""
    return (
        dict(pairs_api.mentor_active_loads()),
        set(pairs_api.active_mentee_ids(programme_id=programme_id)),
    )


def consenting_ids(ids: Iterable[int]) -> set[int]:
    return set(participants_api.consenting_participant_ids(participant_ids=ids))


def mentors_by_id(ids: Iterable[int], *, programme_id: int) -> dict[int, MentorIn]:
    return {m.id: m for m in _mentors(programme_id=programme_id, ids=list(ids))}


def mentees_by_id(ids: Iterable[int], *, programme_id: int) -> dict[int, MenteeIn]:
    return {m.id: m for m in _mentees(programme_id=programme_id, ids=list(ids))}


def _mentees(*, programme_id: int, ids: list[int] | None = None) -> list[MenteeIn]:
    today = timezone.localdate()
    rows = participants_api.mentee_records(participant_ids=ids)
    consent = consenting_ids(r.id for r in rows)
    _, paired = _pairs_state(programme_id)
    return [
        MenteeIn(
            id=r.id,
            category=r.category,
            needs=r.need_codes,
            preferred_form=r.preferred_form,
            study_group=r.study_group_id,
            age=_age(r.birth_date, today),
            has_consent=r.id in consent,
            already_paired=r.id in paired,
        )
        for r in rows
    ]


def _mentors(*, programme_id: int, ids: list[int] | None = None) -> list[MentorIn]:
    today = timezone.localdate()
    rows = participants_api.mentor_records(participant_ids=ids)
    # A mentor covers the needs its competences are (one catalogue) and those the catalogue's
    # coverage maps to them: the engine compares needs with covered needs.
    coverage = participants_api.topic_coverage()
    consent = consenting_ids(r.id for r in rows)
    loads, _ = _pairs_state(programme_id)
    placed = placed_specialist_capacities(
        [r.id for r in rows if r.category == participants_api.Category.EMPLOYER_SPECIALIST]
    )
    return [
        MentorIn(
            id=r.id,
            category=r.category,
            competences=frozenset().union(
                *(coverage.get(code, frozenset({code})) for code in r.competence_codes)
            ),
            hours_per_month=r.hours_per_month,
            capacity=placed.get(r.id, r.capacity or 1),
            current_load=loads.get(r.id, 0),
            study_group=r.study_group_id,
            age=_age(r.birth_date, today),
            has_consent=r.id in consent,
        )
        for r in rows
    ]


def _name_key(*names: str) -> tuple[str, ...]:
    """A full name compared as the participants app compares it (case, spaces, «ё/е»)."""
    return tuple(" ".join((n or "").split()).casefold().replace("ё", "е") for n in names)


def placed_specialist_capacities(participant_ids: list[int]) -> dict[int, int]:
    """Participant id → capacity at this institution, for the employers' specialists among
    ``participant_ids`` that the region placed here (``regional.employers.api``): the mentees
    their active placements at this institution hold, 0 once every placement ended. The
    employer's approval of a placement, not the profile, decides how many mentees they take
    here. A specialist is recognised by e-mail, else by full name (as the placement recorded
    them); specialists the institution recorded itself keep their profile's capacity."""
    from regional.employers import api as employers_api

    if not participant_ids:
        return {}
    placed = employers_api.placed_mentors_here()
    if not placed:
        return {}
    by_email: dict[str, int] = {}
    by_name: dict[tuple[str, ...], int] = {}
    for mentor in placed:
        if mentor["email"]:
            email = mentor["email"].casefold()
            by_email[email] = by_email.get(email, 0) + mentor["mentees_active"]
        key = _name_key(mentor["last_name"], mentor["first_name"], mentor["middle_name"])
        by_name[key] = by_name.get(key, 0) + mentor["mentees_active"]
    result: dict[int, int] = {}
    people = participants_api.person_refs(participant_ids=participant_ids)
    for pk, person in people.items():
        email = person.email.casefold()
        if email and email in by_email:
            result[pk] = by_email[email]
        elif (key := _name_key(person.last_name, person.first_name, person.middle_name)) in by_name:
            result[pk] = by_name[key]
    return result


def preferences_of(programme_id: int) -> list[PreferenceIn]:
    return [
        PreferenceIn(from_id=f, to_id=t, kind=k, rank=r)
        for f, t, k, r in Preference.objects.filter(meeting__programme_id=programme_id).values_list(
            "from_participant_id", "to_participant_id", "kind", "rank"
        )
    ]


def rejected_pairs(programme_id: int) -> frozenset[tuple[int, int]]:
    """Pairs the coordinator rejected in earlier runs of the programme: never proposed again."""
    return frozenset(
        MatchProposal.objects.filter(
            run__programme_id=programme_id, status=ProposalStatus.REJECTED
        ).values_list("mentor_id", "mentee_id")
    )


def problem_build(
    *,
    programme_id: int,
    forms: Iterable[str],
    weights: dict[str, Any],
    fixed: Iterable[tuple[int, int]] = (),
) -> Problem:
    return Problem(
        mentees=_mentees(programme_id=programme_id),
        mentors=_mentors(programme_id=programme_id),
        forms=list(forms),
        preferences=preferences_of(programme_id),
        exclusions=rejected_pairs(programme_id),
        fixed=[(int(r), int(e)) for r, e in fixed],
        weights=Weights.from_dict(weights),
    )
