"""The counting functions of ``schools.pairs.api`` the regional KPIs read: pairs per form, and
the exact share of mentees without a pair (with ``schools.participants.api``)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from regional.kpis.metrics import institution_metrics
from schools.pairs import api, services
from schools.participants import api as participants


def mentee(make_person, name, *, consent=True):
    someone = make_person(name, consent=consent)
    participants.mentee_profile_upsert(participant_id=someone.pk)
    return someone


def test_pairs_by_form_counts_per_status(programme, make_person):
    mentors = [make_person(f"Наставник{n}", mentor_capacity=3) for n in range(3)]
    mentees = [mentee(make_person, f"Ученик{n}") for n in range(4)]
    forms = ["teacher_teacher", "teacher_teacher", "pupil_pupil"]
    pairs = [
        services.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentors[n].pk,
            mentee_participant_ids=[mentees[n].pk] + ([mentees[3].pk] if n == 2 else []),
            form=forms[n],
        )
        for n in range(3)
    ]
    assert api.pairs_by_form(programme_id=programme.pk) == {
        "teacher_teacher": 2,
        "pupil_pupil": 1,
    }
    services.pair_end_early(pair=pairs[0], reason="Переезд", ended_on=timezone.localdate())
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


def test_mentees_without_a_pair_are_exact(programme, make_person):
    """Paired people who are not counted mentees (no mentee profile, or consent withdrawn) do
    not hide unpaired mentees: the count is a set difference, not a subtraction."""
    mentor = make_person("Наставникова", mentor_capacity=5)
    counted = [mentee(make_person, f"Ученик{n}") for n in range(5)]
    not_in_base = make_person("Безпрофильный")  # paired but never entered the mentee base
    services.pair_create(
        programme_id=programme.pk,
        mentor_participant_id=mentor.pk,
        mentee_participant_ids=[counted[0].pk, not_in_base.pk],
        form="teacher_teacher",
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
