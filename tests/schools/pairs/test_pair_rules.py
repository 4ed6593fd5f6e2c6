"""Forming pairs and groups: the rules of ``pair_create`` (the matching app calls it through
``schools.pairs.api``) and their clear refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from schools.pairs import api
from schools.pairs.models import DevelopmentPlan, Pair, PairMentee
from tests import builders
from tests.conftest import SETUP


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_group_is_formed_with_a_plan_per_mentee(programme, in_a):
    mentor = builders.person(last_name="Кузнецова", mentor_capacity=3)
    mentees = [builders.person(last_name=n, category="pupil") for n in ("Белов", "Чернов")]
    pair_id = api.pair_create(
        programme_id=programme.pk,
        mentor_participant_id=mentor.pk,
        mentee_participant_ids=[m.pk for m in mentees],
        form="pupil_pupil",
        actor=SETUP,
    )
    pair = Pair.objects.get(pk=pair_id)
    assert pair.status == "active" and pair.mentor_id == mentor.pk
    assert set(pair.mentees.values_list("pk", flat=True)) == {m.pk for m in mentees}
    assert DevelopmentPlan.objects.filter(pair=pair).count() == 2
    assert api.active_mentee_ids(programme_id=programme.pk) == {m.pk for m in mentees}
    assert api.mentor_active_loads()[mentor.pk] == 2


def test_mentee_without_consent_is_refused(programme, in_a):
    mentor = builders.person(last_name="Кузнецова", mentor_capacity=3)
    mentee = builders.person(last_name="Белов", consent=False)
    with pytest.raises(ValidationError) as excinfo:
        api.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentor.pk,
            mentee_participant_ids=[mentee.pk],
            form="pupil_pupil",
            actor=SETUP,
        )
    assert "consent" in " ".join(errors_of(excinfo)["mentees"])
    assert not Pair.objects.exists()


def test_mentor_without_consent_or_outside_the_mentor_base_is_refused(programme, in_a):
    no_consent = builders.person(last_name="Кузнецова", mentor_capacity=3, consent=False)
    not_a_mentor = builders.person(last_name="Орлова")
    mentee = builders.person(last_name="Белов")
    for mentor, word in ((no_consent, "consent"), (not_a_mentor, "mentor base")):
        with pytest.raises(ValidationError) as excinfo:
            api.pair_create(
                programme_id=programme.pk,
                mentor_participant_id=mentor.pk,
                mentee_participant_ids=[mentee.pk],
                form="pupil_pupil",
                actor=SETUP,
            )
        assert word in errors_of(excinfo)["mentor"][0]
    assert not Pair.objects.exists()


def test_capacity_counts_mentees_already_in_active_pairs(programme, in_a):
    mentor = builders.person(last_name="Кузнецова", mentor_capacity=2)
    first, second, third = (builders.person(last_name=n) for n in ("Белов", "Чернов", "Зеленин"))
    api.pair_create(
        programme_id=programme.pk,
        mentor_participant_id=mentor.pk,
        mentee_participant_ids=[first.pk],
        form="pupil_pupil",
        actor=SETUP,
    )
    with pytest.raises(ValidationError) as excinfo:
        api.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentor.pk,
            mentee_participant_ids=[second.pk, third.pk],
            form="pupil_pupil",
            actor=SETUP,
        )
    assert "capacity" in errors_of(excinfo)["mentor"][0]
    assert Pair.objects.count() == 1
    api.pair_create(
        programme_id=programme.pk,
        mentor_participant_id=mentor.pk,
        mentee_participant_ids=[second.pk],
        form="pupil_pupil",
        actor=SETUP,
    )


def test_mentee_in_an_active_pair_of_the_programme_is_refused(programme, in_a):
    mentor = builders.person(last_name="Кузнецова", mentor_capacity=3)
    other = builders.person(last_name="Орлова", mentor_capacity=3)
    mentee = builders.person(last_name="Белов")
    api.pair_create(
        programme_id=programme.pk,
        mentor_participant_id=mentor.pk,
        mentee_participant_ids=[mentee.pk],
        form="pupil_pupil",
        actor=SETUP,
    )
    with pytest.raises(ValidationError) as excinfo:
        api.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=other.pk,
            mentee_participant_ids=[mentee.pk],
            form="pupil_pupil",
            actor=SETUP,
        )
    assert "already in an active pair" in errors_of(excinfo)["mentees"][0]
    assert PairMentee.objects.filter(mentee=mentee).count() == 1


def test_closed_programme_unknown_form_and_bad_lists_are_refused(programme, in_a):
    mentor = builders.person(last_name="Кузнецова", mentor_capacity=3)
    mentee = builders.person(last_name="Белов")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"form": "nonsense"}, "form"),
        ({"form": "student_pupil"}, "form"),  # not among the programme's forms
        ({"mentee_participant_ids": []}, "mentees"),
        ({"mentee_participant_ids": [mentee.pk, mentee.pk]}, "mentees"),
        ({"mentee_participant_ids": [mentor.pk]}, "mentees"),
        ({"mentee_participant_ids": [999999]}, "mentees"),
        ({"mentor_participant_id": 999999}, "mentor"),
        ({"programme_id": 999999}, "programme"),
    ]
    for override, field in cases:
        kwargs: dict[str, Any] = {
            "programme_id": programme.pk,
            "mentor_participant_id": mentor.pk,
            "mentee_participant_ids": [mentee.pk],
            "form": "pupil_pupil",
            **override,
        }
        with pytest.raises(ValidationError) as excinfo:
            api.pair_create(**kwargs, actor=SETUP)
        assert field in errors_of(excinfo), (override, errors_of(excinfo))
    programme.status = "closed"
    programme.save()
    with pytest.raises(ValidationError) as excinfo:
        api.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentor.pk,
            mentee_participant_ids=[mentee.pk],
            form="pupil_pupil",
            actor=SETUP,
        )
    assert "closed" in errors_of(excinfo)["programme"][0]
    assert not Pair.objects.exists()


def test_ended_pair_frees_the_mentee_and_the_mentor(programme, in_a):
    from schools.pairs import services

    mentor = builders.person(last_name="Кузнецова", mentor_capacity=1)
    mentee = builders.person(last_name="Белов")
    pair = services.pair_create(
        programme_id=programme.pk,
        mentor_participant_id=mentor.pk,
        mentee_participant_ids=[mentee.pk],
        form="pupil_pupil",
        actor=SETUP,
    )
    with pytest.raises(ValidationError):
        services.pair_end_early(pair=pair, reason="  ", actor=SETUP)
    services.pair_end_early(pair=pair, reason="Переезд наставляемого", actor=SETUP)
    pair.refresh_from_db()
    assert pair.status == "ended_early" and pair.ended_on is not None
    assert api.active_mentee_ids(programme_id=programme.pk) == set()
    again = api.pair_create(
        programme_id=programme.pk,
        mentor_participant_id=mentor.pk,
        mentee_participant_ids=[mentee.pk],
        form="pupil_pupil",
        actor=SETUP,
    )
    assert again != pair.pk
