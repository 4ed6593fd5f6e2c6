"""Public interface of the programmes app. The regional layer reads numbers only."""

from __future__ import annotations

from schools.programmes.models import Programme
from schools.programmes.selectors import programme_current
from schools.programmes.stages import Findings, MissingItem, StageCheck, register_stage_check

__all__ = [
    "Findings",
    "MissingItem",
    "StageCheck",
    "current_programme_id",
    "programme_count",
    "programme_headcount",
    "register_stage_check",
]


def programme_count() -> int:
    return Programme.objects.count()


def programme_headcount(*, academic_year: int) -> dict[str, int] | None:
    """The institution's headcount for the year (the KPIs' denominators), or None without a
    programme for that year: learners aged 10 and over, teachers, young teachers."""
    row = (
        Programme.objects.filter(academic_year=academic_year)
        .values("headcount_learners", "headcount_teachers", "headcount_young_teachers")
        .first()
    )
    if row is None:
        return None
    return {
        "learners": row["headcount_learners"],
        "teachers": row["headcount_teachers"],
        "young_teachers": row["headcount_young_teachers"],
    }


def current_programme_id() -> int | None:
    """The id of the programme of the academic year running today (from 1 September)."""
    programme = programme_current()
    return programme.pk if programme else None
