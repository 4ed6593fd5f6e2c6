"""Fixtures of the pairs tests: institution A with a programme, mentors and mentees with
consents (built through the participants api), and logins for every role."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from accounts.models import User
from schools.pairs import services
from schools.pairs.models import Pair
from schools.participants import api as participants
from schools.participants import services as participant_services
from schools.participants.models import Guardianship
from schools.programmes.models import Programme
from tests.conftest import SETUP, make_user

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Assertions read the English msgids; the platform's default language is Russian."""
    with translation.override("en"):
        yield


@pytest.fixture
def in_a(tenant_a: Any) -> Iterator[Any]:
    with schema_context(tenant_a.schema_name):
        yield tenant_a


@pytest.fixture
def programme(in_a: Any) -> Programme:
    return Programme.objects.create(
        academic_year=2040,
        title="Программа наставничества «Вместе к успеху»",
        status="active",
        forms=["pupil_pupil", "teacher_teacher", "employer_student"],
    )


def person(
    last_name: str,
    *,
    category: str = "teacher",
    consent: bool = True,
    mentor_capacity: int | None = None,
    user: User | None = None,
    email: str = "",
) -> Any:
    """An adult participant (consent signed by themselves), optionally in the mentor base."""
    created = participant_services.participant_create(
        last_name=last_name,
        first_name="Анна" if last_name.endswith("а") else "Иван",
        middle_name="Петровна" if last_name.endswith("а") else "Петрович",
        birth_date=datetime.date(1990, 1, 1),
        category=category,
        email=email or f"person{next(_numbers)}@alpha.ru",
        user_id=user.pk if user else None,
        actor=SETUP,
    )
    if consent:
        participants.consent_record(
            actor=SETUP,
            participant_id=created.pk,
            kind="grant",
            signed_by="self",
            signed_on=timezone.localdate(),
            method="paper_scan",
        )
    if mentor_capacity is not None:
        participants.mentor_profile_upsert(
            participant_id=created.pk, capacity=mentor_capacity, actor=SETUP
        )
    return created


@pytest.fixture
def make_person(in_a: Any) -> Callable[..., Any]:
    return person


@dataclass
class World:
    """A pair of A with logins: mentor and mentee of the pair, a parent of the mentee, an
    outsider mentor and mentee, and the staff."""

    programme: Programme
    pair: Pair
    mentor: Any
    mentee: Any
    users: dict[str, User]


@pytest.fixture
def world(tenant_a: Any, programme: Programme) -> World:
    schema = tenant_a.schema_name
    users = {
        role: make_user(schema, role, f"{role}-pairs", email=f"{role}@alpha.ru")
        for role in ("coordinator", "curator", "director", "deputy", "mentor", "mentee", "parent")
    }
    users["other_mentor"] = make_user(schema, "mentor", "other-mentor")
    users["other_mentee"] = make_user(schema, "mentee", "other-mentee")
    with schema_context(schema):
        mentor = person("Соколова", mentor_capacity=3, user=users["mentor"])
        mentee = person("Петров", user=users["mentee"])
        parent = person("Петрова", category="parent", user=users["parent"])
        # A link recorded while the mentee was a minor (a new one to an adult is refused).
        Guardianship.objects.create(parent=parent, child=mentee, relation="mother")
        other_mentor = person("Орлов", mentor_capacity=2, user=users["other_mentor"])
        other_mentee = person("Смирнов", user=users["other_mentee"])
        pair = services.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentor.pk,
            mentee_participant_ids=[mentee.pk],
            form="teacher_teacher",
            started_on=timezone.localdate() - datetime.timedelta(days=10),
            actor=SETUP,
        )
        services.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=other_mentor.pk,
            mentee_participant_ids=[other_mentee.pk],
            form="teacher_teacher",
            started_on=timezone.localdate() - datetime.timedelta(days=10),
            actor=SETUP,
        )
    return World(programme=programme, pair=pair, mentor=mentor, mentee=mentee, users=users)
