"""The programme's set-up, as the coordinator fills it in and the director approves it: the
school year and title, the forms the institution runs, goals and planned results, the
coordinator, the director and the curators, the headcount per category.

Who may do what (``schools.programmes.access``): the coordinator sets the programme up; the
director (or a deputy standing in) approves it; every staff member reads it. The rules take an
actor — a user with a ``role``, or a system job (``job`` set) acting for the institution."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actor import Actor
from schools.programmes.access import can_approve_programme as can_approve_programme
from schools.programmes.access import can_read_programme as can_read_programme
from schools.programmes.access import can_set_up_programme as can_set_up_programme
from schools.programmes.access import require
from schools.programmes.models import Programme
from schools.programmes.services import programme_create, programme_update

SETUP_FIELDS = (
    "title",
    "academic_year",
    "forms",
    "goals",
    "planned_results",
    "headcount_learners",
    "headcount_teachers",
    "headcount_young_teachers",
)


@transaction.atomic
def programme_set_up(
    *,
    actor: Actor,
    programme: Programme | None,
    title: str,
    academic_year: int,
    forms: Sequence[str],
    goals: str,
    planned_results: str,
    coordinator_id: int | None,
    director_id: int | None,
    curator_ids: Sequence[int],
    headcount_learners: int,
    headcount_teachers: int,
    headcount_young_teachers: int,
) -> Programme:
    """Save the whole set-up of the programme (a new one when ``programme`` is None, with the
    default roadmap). Every error comes back at once, by field."""
    require(can_set_up_programme(actor=actor))
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": [_("Name the programme.")]})
    values: dict[str, Any] = {
        "title": title,
        "academic_year": academic_year,
        "forms": list(forms),
        "goals": goals.strip(),
        "planned_results": planned_results.strip(),
        "headcount_learners": headcount_learners,
        "headcount_teachers": headcount_teachers,
        "headcount_young_teachers": headcount_young_teachers,
    }
    if programme is None:
        return programme_create(
            actor=actor,
            coordinator_id=coordinator_id,
            director_id=director_id,
            curator_ids=curator_ids,
            **values,
        )
    if academic_year != programme.academic_year and (
        Programme.objects.filter(academic_year=academic_year).exclude(pk=programme.pk).exists()
    ):
        raise ValidationError(
            {"academic_year": [_("A programme for this academic year already exists.")]}
        )
    return programme_update(
        actor=actor,
        programme=programme,
        coordinator_id=coordinator_id,
        director_id=director_id,
        curator_ids=curator_ids,
        **values,
    )
