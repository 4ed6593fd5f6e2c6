"""Re-assigning a mentee: to another active pair or group, or to a new pair with another mentor,
the plan going along; a pair left without mentees ends early with the reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.actor import actor_for
from schools.pairs import services
from schools.pairs.models import PairMentee, PairStatus
from schools.pairs.reassign import pair_mentee_reassign
from tests import builders
from tests.conftest import SETUP
from tests.schools.pairs.conftest import World


def test_a_mentee_moves_with_its_plan_and_the_empty_pair_ends(world: World, in_a: Any) -> None:
    coordinator = world.users["coordinator"]
    plan = world.pair.plans.get()
    plan.summary = "Подготовка к олимпиаде"
    plan.save()
    plan.goals.create(title="Решить 20 задач", status="in_progress", progress=50)
    plan.goals.create(title="Пробный тур", status="done", progress=100)
    new_mentor = builders.person(
        last_name="Крылова", email=builders.unique_email(), mentor_capacity=2
    )

    with pytest.raises(ValidationError) as refused:
        pair_mentee_reassign(
            actor=actor_for(coordinator),
            pair=world.pair,
            mentee_id=world.mentee.pk,
            reason="",
            to_mentor_id=None,
        )
    assert {"reason", "to_pair"} <= set(refused.value.message_dict)
    with pytest.raises(PermissionDenied):
        pair_mentee_reassign(
            actor=actor_for(world.users["mentor"]),
            pair=world.pair,
            mentee_id=world.mentee.pk,
            reason="Смена наставника",
            to_mentor_id=new_mentor.pk,
        )

    new = pair_mentee_reassign(
        actor=actor_for(coordinator),
        pair=world.pair,
        mentee_id=world.mentee.pk,
        reason="Наставник ушёл в декрет",
        to_mentor_id=new_mentor.pk,
    )
    assert new.mentor_id == new_mentor.pk and new.form == world.pair.form
    moved = new.plans.get(mentee=world.mentee)
    assert moved.summary == "Подготовка к олимпиаде"
    assert [g.title for g in moved.goals.all()] == ["Решить 20 задач"]
    world.pair.refresh_from_db()
    assert world.pair.status == PairStatus.ENDED_EARLY
    assert world.pair.end_reason == "Наставник ушёл в декрет"
    assert PairMentee.objects.get(pair=world.pair).is_active is False


def test_a_mentee_joins_another_group_within_its_mentors_capacity(world: World, in_a: Any) -> None:
    coordinator = world.users["coordinator"]
    second = builders.person(last_name="Голубев", email=builders.unique_email())
    group = services.pair_create(
        programme_id=world.programme.pk,
        mentor_participant_id=builders.person(
            last_name="Белова", email=builders.unique_email(), mentor_capacity=2
        ).pk,
        mentee_participant_ids=[second.pk],
        form="teacher_teacher",
        actor=SETUP,
    )
    target = pair_mentee_reassign(
        actor=actor_for(coordinator),
        pair=world.pair,
        mentee_id=world.mentee.pk,
        reason="Запрос ближе к компетенциям наставника",
        to_pair_id=group.pk,
    )
    assert target.pk == group.pk
    assert set(group.memberships.filter(is_active=True).values_list("mentee_id", flat=True)) == {
        second.pk,
        world.mentee.pk,
    }
    full = services.pair_create(
        programme_id=world.programme.pk,
        mentor_participant_id=builders.person(
            last_name="Чайкина", email=builders.unique_email(), mentor_capacity=1
        ).pk,
        mentee_participant_ids=[
            builders.person(last_name="Дроздов", email=builders.unique_email()).pk
        ],
        form="teacher_teacher",
        actor=SETUP,
    )
    with pytest.raises(ValidationError) as refused:
        pair_mentee_reassign(
            actor=actor_for(coordinator),
            pair=group,
            mentee_id=second.pk,
            reason="Проверка",
            to_pair_id=full.pk,
        )
    assert "capacity" in refused.value.message_dict["to_pair"][0]
    assert group.memberships.get(mentee=second).is_active  # nothing changed
