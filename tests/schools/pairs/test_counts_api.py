"""The counting functions of ``schools.pairs.api`` the regional KPIs read: pairs per form, and
the exact share of mentees without a pair (with ``schools.participants.api``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from regional.kpis.metrics import institution_metrics
from schools.pairs import api, services
from schools.participants import api as participants
from tests import builders
from tests.conftest import SETUP


def test_pairs_by_form_counts_per_status(programme, in_a):
    mentors = [builders.person(last_name=f"Наставник{n}", mentor_capacity=3) for n in range(3)]
    mentees = [builders.person(last_name=f"Ученик{n}", mentee=True) for n in range(4)]
    forms = ["teacher_teacher", "teacher_teacher", "pupil_pupil"]
    pairs = [
        services.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentors[n].pk,
            mentee_participant_ids=[mentees[n].pk] + ([mentees[3].pk] if n == 2 else []),
            form=forms[n],
            actor=SETUP,
        )
        for n in range(3)
    ]
    assert api.pairs_by_form(programme_id=programme.pk) == {
        "teacher_teacher": 2,
        "pupil_pupil": 1,
    }
    services.pair_end_early(
        pair=pairs[0], reason="Переезд", ended_on=timezone.localdate(), actor=SETUP
    )
    assert api.pairs_by_form(programme_id=programme.pk) == {
        "teacher_teacher": 1,
        "pupil_pupil": 1,
    }
    assert api.pairs_by_form(programme_id=programme.pk, status=None) == {
        "teacher_teacher": 2,
        "pupil_pupil": 1,
    }
    assert api.pairs_by_form(programme_id=programme.pk, status="ended_early") == {
        "teacher_teacher": 1
    }
    assert api.pairs_by_form(programme_id=programme.pk + 1000) == {}


def test_mentees_without_a_pair_are_exact(programme, in_a):
    """Paired people who are not counted mentees (no mentee profile, or consent withdrawn) do
    not hide unpaired mentees: the count is a set difference, not a subtraction."""
    mentor = builders.person(last_name="Наставникова", mentor_capacity=5)
    counted = [builders.person(last_name=f"Ученик{n}", mentee=True) for n in range(5)]
    not_in_base = builders.person(
        last_name="Безпрофильный"
    )  # paired but never entered the mentee base
    services.pair_create(
        programme_id=programme.pk,
        mentor_participant_id=mentor.pk,
        mentee_participant_ids=[counted[0].pk, not_in_base.pk],
        form="teacher_teacher",
        actor=SETUP,
    )
    assert participants.counted_mentee_ids() >= {m.pk for m in counted}
    assert not_in_base.pk not in participants.counted_mentee_ids()
    day = datetime.date(programme.academic_year, 11, 1)
    values = institution_metrics(on=day)
    assert values["mentees"] == len(participants.counted_mentee_ids())
    assert values["mentees_paired"] == 1
    assert values["mentees_without_pair"] == values["mentees"] - 1
    assert values["pairs_form_teacher_teacher"] == 1
    assert values["pairs_form_pupil_pupil"] == 0


# --- the KPI read in a fixed number of queries ------------------------------------------------


def reference_metrics(programme: Any, day: datetime.date) -> dict[str, int]:
    """The institution's metrics by the per-count functions, one query per figure (how
    ``institution_metrics`` computed them before it read them in a handful of queries)."""
    from django.db.models import Exists, OuterRef, Q

    from schools.participants.models import (
        KPI_LEARNER_MIN_AGE,
        LEARNER_CATEGORIES,
        MenteeProfile,
        MentorProfile,
    )
    from schools.participants.selectors import participants_with_valid_consent, years_before
    from schools.programmes import api as programmes

    valid = participants_with_valid_consent()
    mentee_ = Exists(MenteeProfile.objects.filter(participant=OuterRef("pk")))
    mentor_ = Exists(MentorProfile.objects.filter(participant=OuterRef("pk")))
    learner = Q(category__in=LEARNER_CATEGORIES)
    aged_10 = Q(birth_date__lte=years_before(day, KPI_LEARNER_MIN_AGE)) | Q(
        birth_date__isnull=True, category="student"
    )
    young = Q(is_young_specialist=True) | Q(category="young_specialist")
    counted = participants.counted_mentee_ids()
    paired = api.active_mentee_ids(programme_id=programme.pk)
    values = {
        "learner_mentees_10_plus": valid.filter(mentee_).filter(learner & aged_10).count(),
        "learner_mentors": valid.filter(mentor_).filter(learner).count(),
        "young_specialist_mentees": valid.filter(mentee_).filter(young).count(),
        "employer_specialist_mentors": valid.filter(mentor_)
        .filter(category="employer_specialist")
        .count(),
        "mentors": valid.filter(mentor_).count(),
        "mentees": valid.filter(mentee_).count(),
        "mentees_paired": len(counted & paired),
        "mentees_without_pair": len(counted - paired),
        "pairs_active": api.pair_count(programme_id=programme.pk, status="active"),
        "pairs_total": api.pair_count(programme_id=programme.pk),
        "meetings_held": api.meetings_held_count(programme_id=programme.pk),
        **{
            f"pairs_form_{code}": count
            for code, count in api.pairs_by_form(programme_id=programme.pk).items()
        },
    }
    for row in programmes.stage_states(programme_id=programme.pk, today=day):
        n = row["order"]
        values[f"stage_{n}_done"] = int(row["done"])
        values[f"stage_{n}_due"] = int(row["due_by"] is not None and row["due_by"] < day)
        values[f"stage_{n}_overdue_activities"] = row["overdue_activities"]
    return values


def grow(programme: Any, size: int, tag: str) -> None:
    """``size`` mentors (teachers, students, employers' specialists) with mentees, and as many
    mentees without a pair (half of them without consent); pairs of several forms (some ended
    early), meetings held, a roadmap activity past its deadline, a stage marked done."""
    from schools.programmes.models import ProgrammeStage, RoadmapActivity

    forms = ["teacher_teacher", "pupil_pupil", "employer_student"]
    categories = ["teacher", "student", "employer_specialist"]
    for k in range(size):
        mentor = builders.person(
            last_name=f"Наставник{tag}{k}", category=categories[k % 3], mentor_capacity=3
        )
        group = [
            builders.person(last_name=f"Ученик{tag}{k}{j}", mentee=True) for j in range(1 + k % 3)
        ]
        builders.person(last_name=f"Безпары{tag}{k}", mentee=True, consent=k % 2 == 0)
        pair = services.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentor.pk,
            mentee_participant_ids=[m.pk for m in group],
            form=forms[k % 3],
            actor=SETUP,
        )
        if k % 4 == 3:
            services.pair_end_early(
                pair=pair, reason="Переезд", ended_on=timezone.localdate(), actor=SETUP
            )
        elif k % 2 == 0:
            meeting_id = api.meeting_create(
                pair_id=pair.pk,
                kind="organisational",
                starts_at=timezone.now() - datetime.timedelta(seconds=1),
                place="Кабинет 12",
                actor=SETUP,
            )
            api.meeting_record_attendance(
                meeting_id=meeting_id, participant_ids=[mentor.pk], actor=SETUP
            )
    day = datetime.date(programme.academic_year, 11, 1)
    RoadmapActivity.objects.create(
        programme=programme, stage=2, title=f"Анкеты {tag}", deadline=day - datetime.timedelta(1)
    )
    ProgrammeStage.objects.get_or_create(
        programme=programme,
        stage=1,
        defaults={"marked_state": "done", "marked_at": timezone.now()},
    )


def test_the_kpi_read_is_a_handful_of_queries_whatever_the_size(programme, in_a):
    """``institution_metrics`` gives the per-count functions' figures in the same few queries
    for 4 mentors as for 16 (the regional run's cost per institution does not grow with it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    day = datetime.date(programme.academic_year, 11, 1)
    counts = []
    for size, tag in ((4, "А"), (12, "Б")):
        grow(programme, size, tag)
        with CaptureQueriesContext(connection) as queries:
            values = institution_metrics(on=day)
        counts.append(len(queries))
        expected = reference_metrics(programme, day)
        assert {key: values.get(key, 0) for key in expected} == expected
        assert values["mentees_paired"] and values["mentees_without_pair"]
        assert values["meetings_held"] and values["pairs_total"] > values["pairs_active"]
    assert counts[0] == counts[1] <= 4, counts
