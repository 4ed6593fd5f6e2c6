"""Public interface of the pairs app: the only module other apps import.

Writes take ids and return ids; reads return numbers or plain dicts. The regional layer may
call ``success_stories_published`` and the counting functions: they carry no names."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypedDict

from django.db import connection
from django.db.models import Count

from accounts.actor import Actor
from schools.pairs import services
from schools.pairs.carry_over import CarryOver, pairs_carry_over
from schools.pairs.models import (
    DevelopmentPlan,
    GoalStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Pair,
    PairMentee,
    PairStatus,
    PlanGoal,
    PracticeCase,
    PracticeCaseStatus,
)


def pair_create(
    *,
    programme_id: int,
    mentor_participant_id: int,
    mentee_participant_ids: list[int],
    form: str,
    started_on: datetime.date | None = None,
    actor: Actor,
) -> int:
    """Form a pair or group (e.g. when the coordinator approves a matching run); returns its
    id. Raises ``django.core.exceptions.ValidationError`` (field → messages) and changes
    nothing when the programme is closed, someone lacks consent, a mentee is already in an
    active pair of the programme, or the mentor's capacity would be exceeded. Joins the
    caller's transaction."""
    pair = services.pair_create(
        programme_id=programme_id,
        mentor_participant_id=mentor_participant_id,
        mentee_participant_ids=mentee_participant_ids,
        form=form,
        started_on=started_on,
        actor=actor,
    )
    return pair.pk


@dataclass(frozen=True)
class GoalData:
    """A goal of a development plan (``plan_fill``)."""

    title: str
    tasks: str = ""
    status: str = GoalStatus.PLANNED
    progress: int = 0
    deadline: datetime.date | None = None


def plan_id_of(*, pair_id: int, mentee_id: int) -> int | None:
    """The development plan of ``mentee_id`` in the pair, or None."""
    return (
        DevelopmentPlan.objects.filter(pair_id=pair_id, mentee_id=mentee_id)
        .values_list("pk", flat=True)
        .first()
    )


def plan_goal_count(*, plan_id: int) -> int:
    return PlanGoal.objects.filter(plan_id=plan_id).count()


def plan_fill(*, plan_id: int, summary: str, goals: Sequence[GoalData], actor: Actor) -> None:
    """Write the plan's summary and add ``goals`` in their order (the pair must be active)."""
    plan = DevelopmentPlan.objects.select_related("pair").get(pk=plan_id)
    services.plan_update(plan=plan, summary=summary, actor=actor)
    for goal in goals:
        services.plan_goal_create(
            plan=plan,
            title=goal.title,
            tasks=goal.tasks,
            status=goal.status,
            progress=goal.progress,
            deadline=goal.deadline,
            actor=actor,
        )


def meeting_count(*, pair_id: int) -> int:
    return Meeting.objects.filter(pair_id=pair_id).count()


def meeting_planned_after(*, pair_id: int, moment: datetime.datetime) -> bool:
    """Whether the pair has a planned meeting after ``moment``."""
    return Meeting.objects.filter(
        pair_id=pair_id, status=MeetingStatus.PLANNED, starts_at__gt=moment
    ).exists()


def meeting_create(
    *,
    pair_id: int,
    kind: str,
    starts_at: datetime.datetime,
    place: str = "",
    duration_minutes: int = 60,
    actor: Actor,
) -> int:
    """Plan a meeting of the pair (see ``services.meeting_create``); its id."""
    return services.meeting_create(
        pair=Pair.objects.get(pk=pair_id),
        kind=kind,
        starts_at=starts_at,
        place=place,
        duration_minutes=duration_minutes,
        actor=actor,
    ).pk


def meeting_record_attendance(
    *, meeting_id: int, participant_ids: Sequence[int], outcomes: str = "", actor: Actor
) -> None:
    """Mark the meeting held with who attended and what came of it."""
    services.meeting_record_attendance(
        meeting=Meeting.objects.get(pk=meeting_id),
        participant_ids=participant_ids,
        outcomes=outcomes,
        actor=actor,
    )


def practice_case_exists(*, title: str) -> bool:
    return PracticeCase.objects.filter(title=title).exists()


def practice_case_publish_now(
    *, programme_id: int, title: str, text: str, form: str, actor: Actor
) -> int:
    """Write a success story and publish its anonymised copy at once, anonymising in this
    process (the pages ask the worker and let the coordinator check the copy first: this is
    for seeding). Its id."""
    case = services.practice_case_create(
        programme_id=programme_id, title=title, text=text, form=form, actor=actor
    )
    services.practice_case_prepare(case=case, actor=actor)
    services.practice_case_anonymise(case_id=case.pk)
    services.practice_case_publish(case=case, actor=actor)
    return case.pk


def pairs_pause_for_participant(*, participant_id: int, actor: Actor) -> list[int]:
    """The participant withdrew consent: pause their open pairs (as mentor) and their places
    (as mentee); a pair left without an unpaused mentee is paused whole. The ids of the pairs
    touched. Joins the caller's transaction; idempotent."""
    from schools.pairs.pausing import pairs_pause_for_participant as pause

    return pause(participant_id=participant_id, actor=actor)


def pairs_resume_for_participant(*, participant_id: int, actor: Actor) -> list[int]:
    """The participant's consent is given again: resume what the withdrawal paused (a pair
    resumes when its mentor and at least one mentee may be processed). The ids touched."""
    from schools.pairs.pausing import pairs_resume_for_participant as resume

    return resume(participant_id=participant_id, actor=actor)


def active_mentee_ids(*, programme_id: int) -> set[int]:
    """Participants who are mentees of an active pair of the programme (already paired)."""
    return set(
        PairMentee.objects.filter(programme_id=programme_id, is_active=True).values_list(
            "mentee_id", flat=True
        )
    )


def mentor_active_loads() -> dict[int, int]:
    """Mentor participant id → mentees in active pairs now (for capacity checks)."""
    loads: dict[int, int] = {}
    for mentor_id in PairMentee.objects.filter(is_active=True).values_list(
        "pair__mentor_id", flat=True
    ):
        loads[mentor_id] = loads.get(mentor_id, 0) + 1
    return loads


def active_pairs(*, programme_id: int) -> list[dict[str, Any]]:
    """The programme's active pairs as {"id", "mentor_id", "mentee_ids", "form"}."""
    result: dict[int, dict[str, Any]] = {}
    for pair in Pair.objects.filter(programme_id=programme_id, status=PairStatus.ACTIVE).order_by(
        "pk"
    ):
        result[pair.pk] = {
            "id": pair.pk,
            "mentor_id": pair.mentor_id,
            "mentee_ids": [],
            "form": pair.form,
        }
    for pair_id, mentee_id in PairMentee.objects.filter(pair_id__in=result).values_list(
        "pair_id", "mentee_id"
    ):
        result[pair_id]["mentee_ids"].append(mentee_id)
    return list(result.values())


@dataclass(frozen=True)
class PairMembers:
    """A pair or group and who is in it (its mentees in the people's order)."""

    id: int
    mentor_id: int
    mentee_ids: tuple[int, ...]
    form: str


def pair_exists(*, pair_id: int) -> bool:
    return Pair.objects.filter(pk=pair_id).exists()


def pair_members(*, pair_id: int) -> PairMembers | None:
    """The pair ``pair_id`` (any status) with its mentor and mentees, or None."""
    pair = Pair.objects.filter(pk=pair_id).first()
    if pair is None:
        return None
    return PairMembers(
        id=pair.pk,
        mentor_id=pair.mentor_id,
        mentee_ids=tuple(pair.mentees.values_list("pk", flat=True)),
        form=pair.form,
    )


def pair_head_count(*, pair_id: int) -> int:
    """The mentor and the mentees of the pair ``pair_id``, by one count query (the campaign
    launch's estimate)."""
    return 1 + Pair.objects.filter(pk=pair_id).values("mentees").count()


def active_pairs_head_count(*, programme_id: int | None, form: str = "", mentees: bool) -> int:
    """How many people the programme's active pairs (of ``form``, if given) hold: their
    mentees, or their mentors (each once). One count query."""
    if programme_id is None:
        return 0
    pairs = Pair.objects.filter(programme_id=programme_id, status=PairStatus.ACTIVE)
    if form:
        pairs = pairs.filter(form=form)
    if mentees:
        return PairMentee.objects.filter(pair__in=pairs).values("mentee_id").distinct().count()
    return pairs.values("mentor_id").distinct().count()


def mentee_participant_ids(*, mentor_user_id: int) -> list[int]:
    """Mentees of the pairs (any status) whose mentor's login is ``mentor_user_id``: the people
    a mentor may see."""
    return list(
        PairMentee.objects.filter(pair__mentor__user_id=mentor_user_id)
        .values_list("mentee_id", flat=True)
        .distinct()
    )


def pair_count(*, programme_id: int | None = None, status: str | None = None) -> int:
    queryset = Pair.objects.all()
    if programme_id is not None:
        queryset = queryset.filter(programme_id=programme_id)
    if status is not None:
        queryset = queryset.filter(status=status)
    return queryset.count()


def pairs_by_form(*, programme_id: int, status: str | None = PairStatus.ACTIVE) -> dict[str, int]:
    """Pairs and groups of the programme per form of mentoring (form code → count; forms
    without pairs are absent). ``status`` None counts every status. Numbers only."""
    queryset = Pair.objects.filter(programme_id=programme_id)
    if status is not None:
        queryset = queryset.filter(status=status)
    return {
        row["form"]: row["n"]
        for row in queryset.values("form").annotate(n=Count("id")).order_by("form")
    }


def meetings_held_count(*, programme_id: int | None = None) -> int:
    queryset = Meeting.objects.filter(status=MeetingStatus.HELD)
    if programme_id is not None:
        queryset = queryset.filter(pair__programme_id=programme_id)
    return queryset.count()


# ``programme_pair_numbers`` in one statement, written once: the regional run reads it in each
# of up to 2,000 schemas. The pairs per form (a pair's meetings joined: ``total`` and
# ``active`` count pairs, ``held`` meetings), then one more row with the mentees of the
# programme's active pairs (``active_mentee_ids``).
_PAIR_NUMBERS_SQL = """
SELECT pair.form, COUNT(DISTINCT pair.id),
    COUNT(DISTINCT pair.id) FILTER (WHERE pair.status = %(active)s),
    COUNT(meeting.id) FILTER (WHERE meeting.status = %(held)s),
    NULL
FROM {pair} pair
LEFT JOIN {meeting} meeting ON meeting.pair_id = pair.id
WHERE pair.programme_id = %(programme)s
GROUP BY pair.form
UNION ALL
SELECT NULL, 0, 0, 0, ARRAY(
    SELECT mentee_id FROM {pair_mentee}
    WHERE programme_id = %(programme)s AND is_active
)
"""


@cache
def _pair_numbers_sql() -> str:
    quote = connection.ops.quote_name
    return _PAIR_NUMBERS_SQL.format(
        pair=quote(Pair._meta.db_table),
        meeting=quote(Meeting._meta.db_table),
        pair_mentee=quote(PairMentee._meta.db_table),
    )


class PairNumbers(TypedDict):
    pairs_active: int
    pairs_total: int
    meetings_held: int
    by_form: dict[str, int]
    active_mentee_ids: set[int]


def programme_pair_numbers(*, programme_id: int) -> PairNumbers:
    """The programme's pairs and groups in numbers, in one query: ``pairs_active``,
    ``pairs_total`` (any status), ``meetings_held``, ``by_form`` (active pairs and groups
    per form code; every form of a pair of the programme, 0 when none is active) and
    ``active_mentee_ids``. The same figures as ``pair_count``, ``meetings_held_count``,
    ``pairs_by_form`` and ``active_mentee_ids``."""
    params: dict[str, Any] = {
        "programme": programme_id,
        "active": PairStatus.ACTIVE.value,
        "held": MeetingStatus.HELD.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(_pair_numbers_sql(), params)
        rows = cursor.fetchall()
    # The row of mentees is the one with an array (UNION ALL promises no order).
    forms = [row for row in rows if row[4] is None]
    (mentee_ids,) = [row[4] for row in rows if row[4] is not None]
    return {
        "pairs_active": sum(active for _form, _total, active, _held, _ids in forms),
        "pairs_total": sum(total for _form, total, _active, _held, _ids in forms),
        "meetings_held": sum(held for _form, _total, _active, held, _ids in forms),
        "by_form": {form: active for form, _total, active, _held, _ids in forms},
        "active_mentee_ids": set(mentee_ids),
    }


def success_stories_published() -> list[dict[str, Any]]:
    """The institution's published success stories, anonymised: {"title", "text", "form",
    "published_at"} — no names, no ids of people."""
    return [
        {
            "title": case.published_title,
            "text": case.published_text,
            "form": case.form,
            "published_at": case.published_at.isoformat() if case.published_at else None,
        }
        for case in PracticeCase.objects.filter(status=PracticeCaseStatus.PUBLISHED).order_by(
            "-published_at", "-pk"
        )
    ]


__all__ = [
    "CarryOver",
    "GoalData",
    "GoalStatus",
    "MeetingKind",
    "MeetingStatus",
    "PairMembers",
    "PairStatus",
    "active_mentee_ids",
    "active_pairs",
    "active_pairs_head_count",
    "meeting_count",
    "meeting_create",
    "meeting_planned_after",
    "meeting_record_attendance",
    "meetings_held_count",
    "mentee_participant_ids",
    "mentor_active_loads",
    "pair_count",
    "pair_create",
    "pair_exists",
    "pair_head_count",
    "pair_members",
    "pairs_by_form",
    "pairs_carry_over",
    "pairs_pause_for_participant",
    "pairs_resume_for_participant",
    "plan_fill",
    "plan_goal_count",
    "plan_id_of",
    "practice_case_exists",
    "practice_case_publish_now",
    "programme_figures",
    "programme_pair_numbers",
    "success_stories_published",
]


def programme_figures(*, programme_id: int) -> dict[str, Any]:
    """The year's numbers of a programme for its annual report: pairs by status and by form,
    mentors, mentees, meetings held, goals reached. Numbers only."""
    from schools.pairs.models import GoalStatus, Meeting, PlanGoal

    pairs = Pair.objects.filter(programme_id=programme_id)
    statuses = dict(pairs.values_list("status").annotate(n=Count("id")).order_by())
    goals = PlanGoal.objects.filter(plan__pair__programme_id=programme_id).exclude(
        status=GoalStatus.DROPPED
    )
    return {
        "pairs": sum(statuses.values()),
        "active": statuses.get(PairStatus.ACTIVE, 0),
        "completed": statuses.get(PairStatus.COMPLETED, 0),
        "ended_early": statuses.get(PairStatus.ENDED_EARLY, 0),
        "continued": statuses.get(PairStatus.CONTINUED, 0),
        "by_form": pairs_by_form(programme_id=programme_id, status=None),
        "mentors": pairs.values("mentor_id").distinct().count(),
        "mentees": PairMentee.objects.filter(pair__programme_id=programme_id)
        .values("mentee_id")
        .distinct()
        .count(),
        "meetings_held": Meeting.objects.filter(
            pair__programme_id=programme_id, status=MeetingStatus.HELD
        ).count(),
        "goals": goals.count(),
        "goals_done": goals.filter(status=GoalStatus.DONE).count(),
    }
