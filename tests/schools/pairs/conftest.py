"""Fixtures of the pairs tests: institution A with a programme, mentors and mentees with
consents (built through the participants api), and logins for every role."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from accounts.models import User
from schools.pairs import services
from schools.pairs.models import Pair
from schools.participants.models import Guardianship
from schools.programmes.models import Programme
from tests import builders
from tests.conftest import SETUP, make_user


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
        email = builders.unique_email
        mentor = builders.person(
            names="Соколова Анна Петровна",
            mentor_capacity=3,
            user_id=users["mentor"].pk,
            email=email(),
        )
        mentee = builders.person(
            names="Петров Иван Петрович", user_id=users["mentee"].pk, email=email()
        )
        parent = builders.person(
            names="Петрова Анна Петровна",
            category="parent",
            user_id=users["parent"].pk,
            email=email(),
        )
        # A link recorded while the mentee was a minor (a new one to an adult is refused).
        Guardianship.objects.create(parent=parent, child=mentee, relation="mother")
        other_mentor = builders.person(
            names="Орлов Иван Петрович",
            mentor_capacity=2,
            user_id=users["other_mentor"].pk,
            email=email(),
        )
        other_mentee = builders.person(
            names="Смирнов Иван Петрович", user_id=users["other_mentee"].pk, email=email()
        )
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
