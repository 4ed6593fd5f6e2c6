"""Fixtures of the monitoring tests: people of an institution with consents and logins, a
pair, and helpers that answer any questionnaire validly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from regional.questionnaires import api as templates
from schools.pairs import api as pairs_api
from schools.programmes.models import Programme
from tests import builders
from tests.conftest import SETUP, make_user

# Every person created in a tenant schema by these tests: the public-schema scan looks for them.
PEOPLE: list[tuple[str, str, str]] = [
    ("Жемчужникова", "Аглая", "Святославовна"),
    ("Белопольский", "Ярослав", "Всеволодович"),
    ("Кривошеина", "Милослава", "Игнатьевна"),
    ("Тугаринов", "Ермолай", "Фомич"),
    ("Безсонова", "Евпраксия", "Лукинична"),
]


def valid_answers(questions: Sequence[Any], *, scale: str = "max") -> dict[str, Any]:
    """A complete valid set of answers (conditions respected: hidden questions left out)."""
    given: dict[str, Any] = {}
    for q in sorted(questions, key=lambda q: q.order):
        if q.condition_question:
            value = given.get(q.condition_question)
            if isinstance(value, bool):
                value = "yes" if value else "no"
            if value != q.condition_value:
                continue
        kind = q.kind
        if kind == "scale":
            given[q.code] = q.max_value if scale == "max" else q.min_value
        elif kind == "number":
            given[q.code] = q.min_value if q.min_value is not None else 1
        elif kind == "yes_no":
            given[q.code] = True
        elif kind == "single_choice":
            given[q.code] = q.options[0]["code"]
        elif kind == "multiple_choice":
            given[q.code] = [q.options[0]["code"]]
        else:
            given[q.code] = "Всё понравилось"
    return given


@dataclass
class World:
    programme: Programme
    pair_id: int
    mentor: Any
    mentee: Any
    mentee2: Any
    parent: Any
    no_consent: Any
    users: dict[str, User]


@pytest.fixture
def world(tenant_a: Any) -> World:
    schema = tenant_a.schema_name
    users = {
        role: make_user(schema, role, f"{role}-mon", email=f"{role}-mon@alpha.ru")
        for role in ("coordinator", "curator", "director", "deputy", "mentor", "mentee", "parent")
    }
    with schema_context(schema):
        programme = Programme.objects.create(
            academic_year=2041,
            title="Программа мониторинга",
            status="active",
            forms=["teacher_teacher"],
        )
        email = builders.unique_email
        mentor = builders.person(
            names=" ".join(PEOPLE[0]),
            mentor_capacity=3,
            user_id=users["mentor"].pk,
            email=email(),
        )
        mentee = builders.person(
            names=" ".join(PEOPLE[1]), user_id=users["mentee"].pk, email=email()
        )
        mentee2 = builders.person(names=" ".join(PEOPLE[2]), email=email())
        parent = builders.person(
            names=" ".join(PEOPLE[3]),
            category="parent",
            user_id=users["parent"].pk,
            email=email(),
        )
        no_consent = builders.person(names=" ".join(PEOPLE[4]), consent=False, email=email())
        pair_id = pairs_api.pair_create(
            programme_id=programme.pk,
            mentor_participant_id=mentor.pk,
            mentee_participant_ids=[mentee.pk, mentee2.pk],
            form="teacher_teacher",
            actor=SETUP,
        )
    return World(
        programme=programme,
        pair_id=pair_id,
        mentor=mentor,
        mentee=mentee,
        mentee2=mentee2,
        parent=parent,
        no_consent=no_consent,
        users=users,
    )


def template_version_id(code: str) -> int:
    version_id = templates.published_version_id(template_code=code)
    assert version_id is not None, code
    return version_id
