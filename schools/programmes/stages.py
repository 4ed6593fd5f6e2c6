"""The stage tracker: the state of each of the six stages and what is still missing to finish it,
computed from data.

Each stage has a list of checks; a check looks at the programme (and, through other apps'
``api.py``, at the institution's data) and returns what it found missing and whether the stage
shows signs of having started. Later apps add their own checks with ``register_stage_check``
(for example matching adds "mentees without a pair" to stage 4) instead of editing this module.

State: *done* once the coordinator marked it so (allowed only while nothing is missing);
*in progress* when marked so or when anything of the stage has begun; else *not started*."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, cast

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from schools.programmes.models import (
    OPEN_ACTIVITY_STATUSES,
    ActivityStatus,
    Programme,
    ProgrammeStage,
    RoadmapActivity,
    Stage,
    StageState,
)


@dataclass(frozen=True)
class MissingItem:
    code: str
    message: str
    count: int | None = None


@dataclass
class Findings:
    """What one check found: the missing items and whether the stage has visibly begun."""

    missing: list[MissingItem] = field(default_factory=list)
    started: bool = False


# The app's own checks read the programme (and what ``_programme_reads`` read of it); another
# app's check gets the programme's id (no model leaves the app).
_OwnCheck = Callable[[Programme, "_ProgrammeReads"], Findings]
StageCheck = Callable[[int], Findings]
_OWN_CHECKS: dict[int, list[_OwnCheck]] = defaultdict(list)
_CHECKS: dict[int, list[StageCheck]] = defaultdict(list)


def _stage_check(stage: int) -> Callable[[_OwnCheck], _OwnCheck]:
    def register(check: _OwnCheck) -> _OwnCheck:
        if check not in _OWN_CHECKS[stage]:
            _OWN_CHECKS[stage].append(check)
        return check

    return register


def register_stage_check(stage: int) -> Callable[[StageCheck], StageCheck]:
    """Add a check to a stage (the extension point for later apps, e.g. matching for stage 4):
    a function of the programme's id that returns its ``Findings``."""
    if stage not in Stage.values:
        raise ValueError(f"No stage {stage}")

    def register(check: StageCheck) -> StageCheck:
        if check not in _CHECKS[stage]:
            _CHECKS[stage].append(check)
        return check

    return register


# --- Stage 1: preparing the conditions ---------------------------------------------------------


@_stage_check(Stage.PREPARATION)
def _programme_set_up(programme: Programme, reads: _ProgrammeReads) -> Findings:
    found = Findings()
    has_curators = reads.has_curators
    has_headcount = bool(programme.headcount_learners or programme.headcount_teachers)
    conditions = [
        (bool(programme.forms), "forms", _("No forms of mentoring chosen.")),
        (programme.coordinator_id is not None, "coordinator", _("No coordinator appointed.")),
        (has_curators, "curators", _("No curators appointed.")),
        (bool(programme.goals.strip()), "goals", _("The programme's goals are not stated.")),
        (
            bool(programme.planned_results.strip()),
            "planned_results",
            _("The planned results are not stated."),
        ),
        (has_headcount, "headcount", _("The institution's headcount for the year is not entered.")),
    ]
    for met, code, message in conditions:
        if met:
            found.started = True
        else:
            found.missing.append(MissingItem(code=code, message=message))
    return found


@_stage_check(Stage.PREPARATION)
def _classes_have_curators(programme: Programme, reads: _ProgrammeReads) -> Findings:
    """Every class or study group listed has its curator (the seeds: curators per class)."""
    from schools.participants import api as participants

    found = Findings()
    without = participants.study_groups_without_curator_count()
    if without:
        message = ngettext(
            "%(count)d class or study group has no curator.",
            "%(count)d classes or study groups have no curator.",
            without,
        ) % {"count": without}
        found.missing.append(
            MissingItem(code="classes_without_curator", message=message, count=without)
        )
    return found


# --- Stages 2 and 3: the mentee and mentor bases (data of the participants app) -----------------


@_stage_check(Stage.MENTEE_BASE)
def _mentee_base(programme: Programme, reads: _ProgrammeReads) -> Findings:
    from schools.participants import api as participants

    found = Findings()
    counts = participants.base_counts()
    if counts.mentees == 0:
        found.missing.append(MissingItem(code="mentees", message=_("No mentees in the base.")))
        return found
    found.started = True
    without = counts.mentees_without_consent
    if without:
        message = ngettext(
            "%(count)d mentee lacks consent to personal-data processing.",
            "%(count)d mentees lack consent to personal-data processing.",
            without,
        ) % {"count": without}
        found.missing.append(
            MissingItem(code="mentees_without_consent", message=message, count=without)
        )
    return found


@_stage_check(Stage.MENTOR_BASE)
def _mentor_base(programme: Programme, reads: _ProgrammeReads) -> Findings:
    from schools.participants import api as participants

    found = Findings()
    counts = participants.base_counts()
    if counts.mentors == 0:
        found.missing.append(MissingItem(code="mentors", message=_("No mentors in the base.")))
        return found
    found.started = True
    without = counts.mentors_without_consent
    if without:
        message = ngettext(
            "%(count)d mentor lacks consent to personal-data processing.",
            "%(count)d mentors lack consent to personal-data processing.",
            without,
        ) % {"count": without}
        found.missing.append(
            MissingItem(code="mentors_without_consent", message=message, count=without)
        )
    return found


# Stages 4-6 are tracked by their roadmap activities until the apps that hold their data
# (matching and pairs, meetings, monitoring) register checks of their own.


# --- Roadmap activities: every stage ------------------------------------------------------------


@dataclass(frozen=True)
class ActivityCounts:
    total: int = 0
    done: int = 0
    cancelled: int = 0
    in_progress: int = 0
    overdue: int = 0

    @property
    def open(self) -> int:
        return self.total - self.done - self.cancelled


@dataclass(frozen=True)
class _Mark:
    """What the coordinator marked of a stage (a ``ProgrammeStage`` row's values)."""

    marked_state: str
    marked_at: datetime
    marked_by_id: int | None


@dataclass(frozen=True)
class _ProgrammeReads:
    """What the tracker reads of the programme itself: whether it has curators, the roadmap's
    counts per stage (``activity_counts``; empty when not asked) and the stages' marks."""

    has_curators: bool
    activities: dict[int, ActivityCounts]
    marks: dict[int, _Mark]


# The tracker's reads of the programme in one statement written once (home and the roadmap run
# it on every visit, where building the three ORM queries it replaces cost more than running
# them): whether ``programme.curators.exists()``; per stage, the roadmap's counts as the ORM made
# them (all activities; overdue: open with a deadline before today) when ``count`` is true, and
# the ``ProgrammeStage`` mark; a row per stage having either (the two full-joined), else one row
# of NULLs beside the curators' flag. ``test_stages.py`` compares it with the ORM forms.
_PROGRAMME_READS_SQL = """
SELECT
    EXISTS (
        SELECT 1
        FROM {user} person
        INNER JOIN {curators} curator ON person.id = curator.{curator_user}
        WHERE curator.{curator_programme} = %(programme)s
    ),
    COALESCE(tally.stage, mark.stage) AS stage,
    tally.total, tally.done, tally.cancelled, tally.in_progress, tally.overdue,
    mark.marked_state, mark.marked_at, mark.marked_by_id
FROM (SELECT 1) programme
LEFT JOIN (
    (
        SELECT stage,
            COUNT(*) AS total,
            COUNT(*) FILTER (WHERE status = %(done)s) AS done,
            COUNT(*) FILTER (WHERE status = %(cancelled)s) AS cancelled,
            COUNT(*) FILTER (WHERE status = %(in_progress)s) AS in_progress,
            COUNT(*) FILTER (WHERE status = ANY(%(open)s) AND deadline < %(today)s) AS overdue
        FROM {activity}
        WHERE programme_id = %(programme)s AND %(count)s
        GROUP BY stage
    ) tally
    FULL JOIN (
        SELECT stage, marked_state, marked_at, marked_by_id
        FROM {stage}
        WHERE programme_id = %(programme)s
    ) mark ON mark.stage = tally.stage
) ON TRUE
ORDER BY stage
"""


@cache
def _programme_reads_sql() -> str:
    quote = connection.ops.quote_name
    curators = Programme._meta.get_field("curators")
    people = cast("type[Model]", curators.related_model)
    return _PROGRAMME_READS_SQL.format(
        user=quote(people._meta.db_table),
        curators=quote(Programme.curators.through._meta.db_table),
        curator_user=quote(curators.m2m_reverse_name()),
        curator_programme=quote(curators.m2m_column_name()),
        activity=quote(RoadmapActivity._meta.db_table),
        stage=quote(ProgrammeStage._meta.db_table),
    )


def _programme_reads(
    programme_id: int, *, today: date | None = None, count: bool = True
) -> _ProgrammeReads:
    """``_PROGRAMME_READS_SQL`` of the programme as of ``today`` (default: today); the roadmap
    is counted only when ``count``."""
    params: dict[str, Any] = {
        "programme": programme_id,
        "count": count,
        "done": ActivityStatus.DONE.value,
        "cancelled": ActivityStatus.CANCELLED.value,
        "in_progress": ActivityStatus.IN_PROGRESS.value,
        "open": [status.value for status in OPEN_ACTIVITY_STATUSES],
        "today": today or timezone.localdate(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_programme_reads_sql(), params)
        rows = cursor.fetchall()
    activities: dict[int, ActivityCounts] = {}
    marks: dict[int, _Mark] = {}
    for _curators, stage, total, done, cancelled, in_progress, overdue, *mark in rows:
        if total is not None:
            activities[stage] = ActivityCounts(
                total=total,
                done=done,
                cancelled=cancelled,
                in_progress=in_progress,
                overdue=overdue,
            )
        if mark[0] is not None:
            marks[stage] = _Mark(marked_state=mark[0], marked_at=mark[1], marked_by_id=mark[2])
    return _ProgrammeReads(has_curators=bool(rows[0][0]), activities=activities, marks=marks)


def activity_counts(
    *, programme: Programme, today: date | None = None
) -> dict[int, ActivityCounts]:
    """Stage → the counts of the programme's roadmap activities at that stage (stages without
    any are left out), as of ``today``: overdue are open with a deadline before it."""
    return _programme_reads(programme.pk, today=today).activities


def activity_counts_of(rows: Iterable[Mapping[str, Any]]) -> dict[int, ActivityCounts]:
    """``activity_counts`` from rows the caller has read already (``stage``, ``status`` and
    ``is_overdue`` of every activity of the programme: the roadmap's ``roadmap_rows``), so the
    roadmap does not count them again in the database."""
    tally: dict[int, dict[str, int]] = {}
    for row in rows:
        counts = tally.setdefault(
            row["stage"], {"total": 0, "done": 0, "cancelled": 0, "in_progress": 0, "overdue": 0}
        )
        counts["total"] += 1
        if row["status"] in (
            ActivityStatus.DONE,
            ActivityStatus.CANCELLED,
            ActivityStatus.IN_PROGRESS,
        ):
            counts[str(row["status"])] += 1
        if row["is_overdue"]:
            counts["overdue"] += 1
    return {stage: ActivityCounts(**counts) for stage, counts in tally.items()}


def _activities_findings(counts: ActivityCounts) -> Findings:
    found = Findings(started=bool(counts.done or counts.in_progress))
    if counts.open:
        message = ngettext(
            "%(count)d roadmap activity of this stage is not done.",
            "%(count)d roadmap activities of this stage are not done.",
            counts.open,
        ) % {"count": counts.open}
        found.missing.append(
            MissingItem(code="activities_not_done", message=message, count=counts.open)
        )
    return found


# --- The tracker --------------------------------------------------------------------------------


@dataclass
class StageReport:
    stage: int
    title: str
    state: str
    missing: list[MissingItem]
    activities: ActivityCounts
    marked_at: datetime | None = None
    marked_by_id: int | None = None

    @property
    def can_be_done(self) -> bool:
        return not self.missing


def _findings(
    programme: Programme, stage: int, counts: ActivityCounts, reads: _ProgrammeReads
) -> Findings:
    total = Findings()
    found_all = [
        *(check(programme, reads) for check in _OWN_CHECKS[stage]),
        *(check(programme.pk) for check in _CHECKS[stage]),
        _activities_findings(counts),
    ]
    for found in found_all:
        total.missing.extend(found.missing)
        total.started = total.started or found.started
    return total


def stage_missing(*, programme: Programme, stage: int) -> list[MissingItem]:
    reads = _programme_reads(programme.pk)
    return _findings(programme, stage, reads.activities.get(stage, ActivityCounts()), reads).missing


def stage_reports(
    *, programme: Programme, activities: dict[int, ActivityCounts] | None = None
) -> list[StageReport]:
    """Every stage's report. The participants' counts are made once for all checks (and for
    the caller too when it opened ``participants.base_counts_shared()`` around this call);
    ``activities``: the roadmap's counts when the caller has them (``activity_counts_of``)."""
    from schools.participants import api as participants

    with participants.base_counts_shared():
        return _stage_reports(programme, activities)


def _stage_reports(
    programme: Programme, activities: dict[int, ActivityCounts] | None = None
) -> list[StageReport]:
    # the roadmap's counts, the marks and the curators in one query (the counts not again when
    # the caller has them)
    reads = _programme_reads(programme.pk, count=activities is None)
    counts = reads.activities if activities is None else activities
    reports = []
    for stage in Stage:
        stage_counts = counts.get(stage.value, ActivityCounts())
        found = _findings(programme, stage.value, stage_counts, reads)
        mark = reads.marks.get(stage.value)
        if mark is not None and mark.marked_state == StageState.DONE:
            state = StageState.DONE
        elif mark is not None or found.started:
            state = StageState.IN_PROGRESS
        else:
            state = StageState.NOT_STARTED
        reports.append(
            StageReport(
                stage=stage.value,
                title=str(stage.label),
                state=str(state),
                missing=found.missing,
                activities=stage_counts,
                marked_at=mark.marked_at if mark else None,
                marked_by_id=mark.marked_by_id if mark else None,
            )
        )
    return reports
