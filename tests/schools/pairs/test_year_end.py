"""The pair's progress line, the next academic year started from the last one, and the annual
report."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from accounts.actor import actor_for
from schools.documents.annual_report import annual_report_docx
from schools.pairs import services
from schools.pairs.models import Pair, PairStatus
from schools.pairs.progress import HELD, OVERDUE, PLANNED, TODO, progress_of
from schools.participants.models import MenteeProfile, MentorProfile
from schools.programmes.models import Programme, ProgrammeStatus, RoadmapActivity
from schools.programmes.next_year import programme_start_next_year
from schools.programmes.services import roadmap_default_create
from tests.conftest import SETUP
from tests.schools.pairs.conftest import World
from tests.schools.pairs.test_completion_documents import docx_text


def _meeting(pair: Pair, kind: str, days: int, *, held: bool) -> Any:
    meeting = services.meeting_create(
        pair=pair,
        kind=kind,
        starts_at=timezone.now() + datetime.timedelta(days=days),
        place="Кабинет 21",
        actor=SETUP,
    )
    if held:
        services.meeting_record_attendance(
            meeting=meeting, participant_ids=[pair.mentor_id], actor=SETUP
        )
    return meeting


def test_progress_line_follows_the_five_meetings(world: World, in_a: Any) -> None:
    pair = world.pair
    assert [s.state for s in progress_of(pair).steps] == [TODO] * 5
    assert "Plan the organisational" in progress_of(pair).next_step
    _meeting(pair, "organisational", -8, held=True)
    _meeting(pair, "trial", -3, held=False)  # planned, its day passed: overdue
    _meeting(pair, "planning", 2, held=False)
    progress = progress_of(pair)
    assert [s.state for s in progress.steps] == [HELD, OVERDUE, PLANNED, TODO, TODO]
    assert progress.done == 1 and progress.percent == 20
    assert progress.next_step.startswith("Mark the trial")


def test_next_year_keeps_bases_and_continuing_pairs_and_moves_the_roadmap(
    world: World, in_a: Any
) -> None:
    old = world.programme
    roadmap_default_create(actor=SETUP, programme=old)
    activities = RoadmapActivity.objects.filter(programme=old)
    deadlines = sorted(activities.values_list("deadline", flat=True))
    finished = Pair.objects.filter(programme=old).exclude(pk=world.pair.pk).get()
    services.pair_complete(pair=finished, outcome="Цели достигнуты", actor=SETUP)
    plan = world.pair.plans.get()
    plan.goals.create(title="Освоить электронный журнал", status="in_progress", progress=40)
    plan.goals.create(title="Провести открытый урок", status="done", progress=100)
    profiles = (MentorProfile.objects.count(), MenteeProfile.objects.count())

    result = programme_start_next_year(actor=actor_for(world.users["coordinator"]), programme=old)

    new = result.programme
    assert new.academic_year == old.academic_year + 1 and new.status == ProgrammeStatus.ACTIVE
    moved = sorted(RoadmapActivity.objects.filter(programme=new).values_list("deadline", flat=True))
    assert moved and moved == [d.replace(year=d.year + 1) for d in deadlines]
    assert result.activities == len(deadlines)
    # The continuing pair goes on in the new year, with its unfinished goal; the completed one
    # stays in the old year, which is closed and still readable.
    (carried,) = Pair.objects.filter(programme=new)
    assert carried.previous_id == world.pair.pk and carried.mentor_id == world.mentor.pk
    assert list(carried.mentees.values_list("pk", flat=True)) == [world.mentee.pk]
    assert [g.title for g in carried.plans.get().goals.all()] == ["Освоить электронный журнал"]
    world.pair.refresh_from_db()
    assert world.pair.status == PairStatus.CONTINUED and world.pair.ended_on is not None
    old.refresh_from_db()
    assert old.status == ProgrammeStatus.CLOSED
    assert Pair.objects.filter(programme=old, status=PairStatus.COMPLETED).count() == 1
    assert world.pair.meetings.count() == Pair.objects.get(pk=world.pair.pk).meetings.count()
    assert (MentorProfile.objects.count(), MenteeProfile.objects.count()) == profiles
    # Once only: the next year exists now.
    again = None
    try:
        programme_start_next_year(actor=actor_for(world.users["coordinator"]), programme=old)
    except Exception as error:  # the refusal is checked below
        again = error
    assert again is not None and "academic_year" in getattr(again, "message_dict", {})
    assert Programme.objects.filter(academic_year=new.academic_year).count() == 1


def test_only_the_coordinator_starts_the_next_year(world: World, in_a: Any) -> None:
    from django.core.exceptions import PermissionDenied

    for role in ("curator", "director", "mentor"):
        try:
            programme_start_next_year(actor=actor_for(world.users[role]), programme=world.programme)
        except PermissionDenied:
            continue
        raise AssertionError(f"{role} started the next year")


def test_annual_report_has_the_figures_charts_and_no_utc(world: World, in_a: Any) -> None:
    _meeting(world.pair, "organisational", -2, held=True)
    services.pair_complete(pair=world.pair, outcome="Аттестация пройдена", actor=SETUP)
    content = annual_report_docx(programme_id=world.programme.pk)
    text = docx_text(content)
    assert "Отчёт о реализации программы наставничества" in text
    assert "Наставнических пар и групп сформировано | 2" in text
    assert "из них завершено с результатом | 1" in text
    assert "Встреч проведено | 1" in text
    assert "Мониторинг: качество реализации программы" in text
    assert "UTC" not in text
    assert b"word/media/" in content  # the chart of pairs by form
