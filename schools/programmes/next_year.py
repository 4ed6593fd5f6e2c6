"""The next academic year, started from the last one (stage 1 of a new cycle).

``programme_start_next_year`` makes the programme of the following year from a programme:
the title (its years moved on), forms, goals, planned results, coordinator, curators and
headcount copied; the roadmap copied with every deadline moved a year, as planned; the
continuing pairs and groups carried over with their development plans (unfinished goals);
the previous programme closed and left as it was — its completed pairs, their meetings,
plans and documents stay readable in it.

The bases (mentor and mentee profiles) and the consent register belong to the people, not to
a year: they are kept as they are, and a consent still valid on the day stays valid. A pair
whose mentor or mentee has no valid consent any more is not carried over; it is reported and
stays in the previous year for the coordinator to decide."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actor import Actor
from schools.audit.api import AuditAction, audit_record
from schools.programmes.access import can_start_next_year
from schools.programmes.models import (
    ActivityStatus,
    Programme,
    ProgrammeStatus,
    RoadmapActivity,
)
from schools.programmes.services import _shift_year


def _next_title(title: str, year: int) -> str:
    """«… 2026/2027 …» → «… 2027/2028 …»; «… 2026–2027 …» and a lone «2026» likewise."""
    moved = re.sub(rf"\b{year}(\s*[/–-]\s*){year + 1}\b", f"{year + 1}\\g<1>{year + 2}", title)
    if moved == title:
        moved = re.sub(rf"\b{year}\b", str(year + 1), title)
    return moved


@dataclass
class NextYear:
    programme: Programme
    activities: int = 0
    carried: list[int] = field(default_factory=list)  # the new pairs' ids
    not_carried: list[tuple[int, str]] = field(default_factory=list)  # (old pair id, reason)


@transaction.atomic
def programme_start_next_year(
    *, actor: Actor, programme: Programme, today: date | None = None
) -> NextYear:
    """Start the programme of ``programme.academic_year + 1`` from ``programme`` (see the module
    docstring). Refused when that year's programme exists already."""
    if not can_start_next_year(actor=actor):
        raise PermissionDenied
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    year = programme.academic_year + 1
    if Programme.objects.filter(academic_year=year).exists():
        raise ValidationError(
            {"academic_year": [_("A programme for this academic year already exists.")]}
        )
    new = Programme.objects.create(
        academic_year=year,
        title=_next_title(programme.title, programme.academic_year),
        forms=list(programme.forms),
        goals=programme.goals,
        planned_results=programme.planned_results,
        status=ProgrammeStatus.ACTIVE,
        coordinator=programme.coordinator,
        headcount_learners=programme.headcount_learners,
        headcount_teachers=programme.headcount_teachers,
        headcount_young_teachers=programme.headcount_young_teachers,
    )
    new.curators.set(programme.curators.all())
    result = NextYear(programme=new)
    for activity in RoadmapActivity.objects.filter(programme=programme).order_by(
        "stage", "position", "deadline", "pk"
    ):
        if activity.status == ActivityStatus.CANCELLED:
            continue
        copy = RoadmapActivity.objects.create(
            programme=new,
            stage=activity.stage,
            position=activity.position,
            title=activity.title,
            content=activity.content,
            deadline=_shift_year(activity.deadline, 1),
            responsible_roles=list(activity.responsible_roles),
        )
        copy.responsible_people.set(activity.responsible_people.all())
        result.activities += 1
    from schools.pairs import api as pairs_api

    carried = pairs_api.pairs_carry_over(
        actor=actor, from_programme_id=programme.pk, to_programme_id=new.pk, today=today
    )
    result.carried = [new_id for _old, new_id in carried.carried]
    result.not_carried = list(carried.not_carried)
    programme.status = ProgrammeStatus.CLOSED
    programme.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=new,
        changed_fields=["academic_year", "title", "forms", "roadmap", "pairs"],
    )
    audit_record(
        actor=actor, action=AuditAction.UPDATE, instance=programme, changed_fields=["status"]
    )
    return result
