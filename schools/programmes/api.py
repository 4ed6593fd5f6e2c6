"""Public interface of the programmes app. The regional layer reads numbers only."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypedDict

from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone

from accounts.actor import Actor
from schools.programmes import services
from schools.programmes.models import (
    OPEN_ACTIVITY_STATUSES,
    ActivityStatus,
    MentoringForm,
    Programme,
    ProgrammeStage,
    RoadmapActivity,
    Stage,
    StageState,
)
from schools.programmes.selectors import programme_current, programme_director_name
from schools.programmes.stages import (
    Findings,
    MissingItem,
    StageCheck,
    register_stage_check,
    stage_reports,
)

__all__ = [
    "Findings",
    "MentoringForm",
    "MissingItem",
    "ProgrammeSummary",
    "StageCheck",
    "StageNumbersRow",
    "StageStateRow",
    "current_programme_id",
    "programme_contacts",
    "programme_count",
    "programme_create",
    "programme_curator_ids",
    "programme_director_name",
    "programme_forms",
    "programme_get",
    "programme_headcount",
    "programme_id_for_year",
    "programme_kpi_numbers",
    "programme_of_year",
    "programme_public",
    "programme_update",
    "register_stage_check",
    "roadmap_public",
    "stage_numbers",
    "stage_states",
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


def programme_id_for_year(*, academic_year: int) -> int | None:
    """The id of the programme of the academic year (starting in ``academic_year``), or None."""
    return (
        Programme.objects.filter(academic_year=academic_year).values_list("pk", flat=True).first()
    )


@dataclass(frozen=True)
class ProgrammeSummary:
    """What a document says of a programme: its title, academic year (the year it starts)
    and forms of mentoring (codes of ``MentoringForm``)."""

    id: int
    title: str
    academic_year: int
    forms: tuple[str, ...]


def programme_get(*, programme_id: int) -> ProgrammeSummary | None:
    """The programme of this institution with this id, or None."""
    row = (
        Programme.objects.filter(pk=programme_id)
        .values("pk", "title", "academic_year", "forms")
        .first()
    )
    if row is None:
        return None
    return ProgrammeSummary(
        id=row["pk"],
        title=row["title"],
        academic_year=row["academic_year"],
        forms=tuple(row["forms"] or ()),
    )


def current_programme_id() -> int | None:
    """The id of the programme of the academic year running today (from 1 September)."""
    programme = programme_current()
    return programme.pk if programme else None


class StageStateRow(TypedDict):
    """One stage of a programme, numbers and codes only (no titles, no people)."""

    code: str  # "preparation", "mentee_base", "mentor_base", "matching", "work", "completion"
    order: int  # 1..6
    status: str  # "not_started" | "in_progress" | "done"
    done: bool
    activities_total: int  # roadmap activities of the stage, cancelled ones excluded
    activities_open: int  # planned or in progress
    overdue_activities: int  # open with a deadline before ``today``
    due_by: datetime.date | None  # the stage's last deadline (cancelled excluded), or None


def _stage_activities(*, programme_id: int, today: datetime.date) -> dict[int, dict[str, Any]]:
    """Stage → the roadmap's numbers of the stage (cancelled activities excluded): ``total``,
    ``open``, ``overdue`` (open, deadline before ``today``), ``due_by`` (the last deadline)."""
    rows = (
        RoadmapActivity.objects.filter(programme_id=programme_id)
        .exclude(status=ActivityStatus.CANCELLED)
        .values("stage")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(status__in=OPEN_ACTIVITY_STATUSES)),
            overdue=Count("id", filter=Q(status__in=OPEN_ACTIVITY_STATUSES, deadline__lt=today)),
            due_by=Max("deadline"),
        )
        .order_by("stage")
    )
    return {row["stage"]: row for row in rows}


def stage_states(*, programme_id: int, today: datetime.date | None = None) -> list[StageStateRow]:
    """The six stages of the programme in order, as the stage tracker shows them: the state,
    and the roadmap's numbers for the stage as of ``today`` (default: today). A stage is *due*
    on a day after ``due_by``. Raises ``Programme.DoesNotExist`` for an unknown id. Numbers and
    codes only: the regional layer reads it."""
    today = today or timezone.localdate()
    programme = Programme.objects.get(pk=programme_id)
    reports = {report.stage: report for report in stage_reports(programme=programme)}
    activities = _stage_activities(programme_id=programme_id, today=today)
    result: list[StageStateRow] = []
    for stage in Stage:
        report = reports.get(stage.value)
        status = report.state if report is not None else str(StageState.NOT_STARTED)
        row = activities.get(stage.value, {})
        result.append(
            StageStateRow(
                code=stage.name.lower(),
                order=stage.value,
                status=status,
                done=status == StageState.DONE,
                activities_total=row.get("total", 0),
                activities_open=row.get("open", 0),
                overdue_activities=row.get("overdue", 0),
                due_by=row.get("due_by"),
            )
        )
    return result


class StageNumbersRow(TypedDict):
    """What the regional KPIs read of a stage: ``stage_states`` without the tracker's checks."""

    order: int  # 1..6
    done: bool  # marked done by the coordinator
    overdue_activities: int
    due_by: datetime.date | None


def stage_numbers(
    *, programme_id: int, today: datetime.date | None = None
) -> list[StageNumbersRow]:
    """The six stages of the programme in order with the same ``done``, ``overdue_activities``
    and ``due_by`` as ``stage_states`` (a stage is done only once marked so, which the
    tracker allows while nothing is missing), in two queries: the stage checks, which only
    tell "in progress" from "not started", are not run."""
    today = today or timezone.localdate()
    done = set(
        ProgrammeStage.objects.filter(
            programme_id=programme_id, marked_state=StageState.DONE
        ).values_list("stage", flat=True)
    )
    activities = _stage_activities(programme_id=programme_id, today=today)
    return [
        StageNumbersRow(
            order=stage.value,
            done=stage.value in done,
            overdue_activities=activities.get(stage.value, {}).get("overdue", 0),
            due_by=activities.get(stage.value, {}).get("due_by"),
        )
        for stage in Stage
    ]


def programme_of_year(*, academic_year: int) -> dict[str, int] | None:
    """The programme of the academic year in one query: {"id", "learners", "teachers",
    "young_teachers"} (its id and ``programme_headcount``), or None without one."""
    row = (
        Programme.objects.filter(academic_year=academic_year)
        .values("pk", "headcount_learners", "headcount_teachers", "headcount_young_teachers")
        .first()
    )
    if row is None:
        return None
    return {
        "id": row["pk"],
        "learners": row["headcount_learners"],
        "teachers": row["headcount_teachers"],
        "young_teachers": row["headcount_young_teachers"],
    }


class ProgrammeKpiNumbers(TypedDict):
    """``programme_of_year`` with the ``stage_numbers`` of its programme."""

    id: int
    learners: int
    teachers: int
    young_teachers: int
    stages: list[StageNumbersRow]


# ``programme_kpi_numbers`` in one statement, written once: the regional run reads it in each of
# up to 2,000 schemas. With the programme: the stages marked done, and per stage of the roadmap
# (cancelled activities excluded) its open activities past their deadline and its last deadline,
# as ``stage_numbers`` (``_stage_activities``) counts them.
_PROGRAMME_KPI_SQL = """
SELECT programme.id, programme.headcount_learners, programme.headcount_teachers,
    programme.headcount_young_teachers,
    ARRAY(
        SELECT stage FROM {stage}
        WHERE programme_id = programme.id AND marked_state = %(done)s
    ),
    (
        SELECT json_agg(json_build_array(activity.stage, activity.overdue, activity.due_by))
        FROM (
            SELECT stage,
                COUNT(*) FILTER (
                    WHERE status = ANY(%(open)s) AND deadline < %(today)s
                ) AS overdue,
                MAX(deadline) AS due_by
            FROM {activity}
            WHERE programme_id = programme.id AND status <> %(cancelled)s
            GROUP BY stage
        ) activity
    )
FROM {programme} programme
WHERE programme.academic_year = %(academic_year)s
ORDER BY programme.academic_year DESC
LIMIT 1
"""


@cache
def _programme_kpi_sql() -> str:
    quote = connection.ops.quote_name
    return _PROGRAMME_KPI_SQL.format(
        programme=quote(Programme._meta.db_table),
        stage=quote(ProgrammeStage._meta.db_table),
        activity=quote(RoadmapActivity._meta.db_table),
    )


def programme_kpi_numbers(
    *, academic_year: int, today: datetime.date | None = None
) -> ProgrammeKpiNumbers | None:
    """``programme_of_year`` and the ``stage_numbers`` of that programme as of ``today``, in
    one query; None without a programme of the year."""
    today = today or timezone.localdate()
    params: dict[str, Any] = {
        "academic_year": academic_year,
        "done": StageState.DONE.value,
        "open": [status.value for status in OPEN_ACTIVITY_STATUSES],
        "today": today,
        "cancelled": ActivityStatus.CANCELLED.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(_programme_kpi_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, learners, teachers, young_teachers, done, activities = row
    # json gives the dates as ISO text
    roadmap = {
        stage: (overdue, datetime.date.fromisoformat(due_by) if due_by else None)
        for stage, overdue, due_by in activities or []
    }
    return {
        "id": pk,
        "learners": learners,
        "teachers": teachers,
        "young_teachers": young_teachers,
        "stages": [
            StageNumbersRow(
                order=stage.value,
                done=stage.value in done,
                overdue_activities=roadmap.get(stage.value, (0, None))[0],
                due_by=roadmap.get(stage.value, (0, None))[1],
            )
            for stage in Stage
        ],
    }


# --- the public programme page (schools.publication) ----------------------------------------


def programme_public(*, today: datetime.date | None = None) -> dict[str, Any] | None:
    """The programme a public page shows: this academic year's, else the latest one that is
    not a draft. {"id", "academic_year", "title", "forms" (Russian labels), "goals"}."""
    from schools.programmes.models import MentoringForm, ProgrammeStatus

    programme = programme_current(today)
    if programme is None or programme.status == ProgrammeStatus.DRAFT:
        programme = (
            Programme.objects.exclude(status=ProgrammeStatus.DRAFT)
            .order_by("-academic_year")
            .first()
        )
    if programme is None:
        return None
    labels = dict(MentoringForm.choices)
    return {
        "id": programme.pk,
        "academic_year": programme.academic_year,
        "title": programme.title,
        "forms": [str(labels.get(code, code)) for code in programme.forms],
        "goals": programme.goals,
    }


def roadmap_public(*, programme_id: int) -> list[dict[str, Any]]:
    """The roadmap's lines as the public page shows them: stage, activity, content, deadline,
    the roles responsible (labels, never people), status; cancelled lines left out."""
    from accounts.models import Role
    from schools.programmes.models import Stage

    roles = dict(Role.choices)
    stages = dict(Stage.choices)
    return [
        {
            "stage": activity.stage,
            "stage_label": str(stages.get(activity.stage, "")),
            "title": activity.title,
            "content": activity.content,
            "deadline": activity.deadline,
            "roles": [str(roles.get(r, r)) for r in activity.responsible_roles],
            "done": activity.status == ActivityStatus.DONE,
        }
        for activity in RoadmapActivity.objects.filter(programme_id=programme_id)
        .exclude(status=ActivityStatus.CANCELLED)
        .order_by("stage", "position", "deadline", "pk")
    ]


def programme_contacts(*, programme_id: int) -> list[dict[str, str]]:
    """The coordinator and the curators of the programme: {"role", "name", "email"}."""
    from django.utils.translation import gettext as _

    programme = Programme.objects.filter(pk=programme_id).select_related("coordinator").first()
    if programme is None:
        return []
    people: list[dict[str, str]] = []
    if programme.coordinator is not None and programme.coordinator.is_active:
        people.append(
            {
                "role": str(_("Coordinator")),
                "name": programme.coordinator.full_name,
                "email": programme.coordinator.email,
            }
        )
    for curator in programme.curators.filter(is_active=True).order_by("last_name", "first_name"):
        people.append(
            {"role": str(_("Curator")), "name": curator.full_name, "email": curator.email}
        )
    return people


def programme_create(
    *,
    academic_year: int,
    title: str,
    forms: Sequence[str] = (),
    goals: str = "",
    planned_results: str = "",
    actor: Actor,
) -> int:
    """Create the programme of an academic year with the default roadmap; returns its id.
    Raises ``ValidationError`` when the year already has one or a form is unknown."""
    return services.programme_create(
        academic_year=academic_year,
        title=title,
        forms=forms,
        goals=goals,
        planned_results=planned_results,
        actor=actor,
    ).pk


def programme_forms(*, programme_id: int) -> list[str]:
    """The forms of mentoring the programme runs (codes), in the programme's order."""
    forms = Programme.objects.values_list("forms", flat=True).get(pk=programme_id)
    return list(forms or [])


def programme_update(
    *,
    programme_id: int,
    actor: Actor,
    curator_ids: Sequence[int] | None = None,
    **fields: Any,
) -> None:
    """Change fields of the programme (``forms``, ``status``, the ``headcount_*``…) and,
    when given, its curators (login ids); see ``services.programme_update``."""
    services.programme_update(
        programme=Programme.objects.get(pk=programme_id),
        curator_ids=curator_ids,
        actor=actor,
        **fields,
    )


def programme_curator_ids(*, programme_id: int) -> list[int]:
    """The login ids of the programme's curators."""
    return list(
        Programme.objects.get(pk=programme_id).curators.order_by("pk").values_list("pk", flat=True)
    )
