"""The generated school: realistic people, written through the apps' api.py, deterministic by
seed, and a programme that matching places (the engine's figures on it)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django_tenants.utils import schema_context

from seeding import names
from seeding.school import school_generate

CYRILLIC_NAME = re.compile(r"^[А-ЯЁ][а-яё]+(-[А-ЯЁ][а-яё]+)?$")


def test_feminine_surnames_and_patronymics() -> None:
    assert names.feminine_surname("Королёв") == "Королёва"
    assert names.feminine_surname("Ильин") == "Ильина"
    assert names.feminine_surname("Островский") == "Островская"
    assert names.feminine_surname("Толстой") == "Толстая"
    for unchanged in ("Шевченко", "Черных", "Петросян", "Ким"):
        assert names.feminine_surname(unchanged) == unchanged
    assert names.patronymic("Пётр", female=False) == "Петрович"
    assert names.patronymic("Илья", female=True) == "Ильинична"
    assert names.patronymic("Фёдор", female=True) == "Фёдоровна"
    for father in names.FATHERS_OF_PUPILS + names.FATHERS_OF_ADULTS:
        assert father in names.PATRONYMICS


@pytest.fixture
def school(tenant_a):
    return school_generate(schema_name=tenant_a.schema_name, learners=140, staff=20, seed=7)


def test_a_generated_school_looks_like_a_school(tenant_a, school) -> None:
    from schools.participants import api as participants
    from schools.participants import selectors as participant_selectors

    assert (school.learners, school.staff) == (140, 20)
    with schema_context(tenant_a.schema_name):
        people = list(participant_selectors.participant_list().select_related("study_group"))
        pupils = [p for p in people if p.category == "pupil"]
        assert len(pupils) == 140
        # classes 5–11, each with its class teacher as curator
        groups = {g.name: g for g in participant_selectors.study_group_list()}
        assert {n.rstrip("АБВГДЕЖ") for n in groups} == {str(g) for g in range(5, 12)}
        assert all(g.curator_id for g in groups.values())
        # Russian names with patronymics, feminine forms, «ё» somewhere
        assert all(CYRILLIC_NAME.match(p.last_name) for p in people)
        assert all(p.middle_name.endswith(("вич", "вна", "ич", "чна")) for p in people)
        women = [p for p in pupils if p.middle_name.endswith(("вна", "чна"))]
        assert women and all(
            p.last_name.endswith(("а", "ая", "ко", "их", "ых", "ян", "Ким")) for p in women
        )
        assert any("ё" in p.full_name for p in people)
        # every pupil is a minor with a parent or guardian; ages fit the grade
        from schools.participants.models import Guardianship

        with_guardian = set(Guardianship.objects.values_list("child_id", flat=True))
        assert all(p.pk in with_guardian for p in pupils)
        for p in pupils:
            assert p.study_group is not None and p.age is not None
            grade = int(p.study_group.name.rstrip("АБВГДЕЖ"))
            assert grade + 5 <= p.age <= grade + 8, (p.study_group.name, p.age)
        # about 10 % without a valid consent
        states = Counter(
            getattr(p, "consent_state", None) for p in people if p.category != "parent"
        )
        share = 1 - states["valid"] / sum(states.values())
        assert 0.04 <= share <= 0.2, states
        # requests as schools write them: several entries, some not in the catalogue's words
        profiles = list(participant_selectors.mentee_profile_list())
        assert len(profiles) == school.mentees > 30
        entries = [e for p in profiles for e in p.request.split("; ")]
        matched = participants.topics_match(entries)
        by_name = sum(m.how == "name" for m in matched)
        by_wording = sum(m.how in ("synonym", "part") for m in matched)
        unknown = sum(m.code is None for m in matched)
        assert by_name and by_wording and unknown, (by_name, by_wording, unknown)
        assert any(len(p.needs.all()) >= 2 for p in profiles)
        mentors = list(participant_selectors.mentor_profile_list())
        assert {m.participant.category for m in mentors} >= {"pupil", "teacher"}
        assert all(m.capacity >= 1 for m in mentors)
        assert any(m.hours_per_month for m in mentors)
        young = [p for p in people if p.is_young_specialist]
        assert len(young) == school.young_teachers >= 1


def test_the_same_seed_gives_the_same_school(tenant_a, tenant_b) -> None:
    from schools.participants import selectors as participant_selectors

    def people(schema_name: str) -> list[tuple[str, str, str, str]]:
        with schema_context(schema_name):
            return sorted(
                (p.last_name, p.first_name, p.middle_name, str(p.birth_date))
                for p in participant_selectors.participant_list()
            )

    school_generate(schema_name=tenant_a.schema_name, learners=30, staff=6, seed=3)
    school_generate(schema_name=tenant_b.schema_name, learners=30, staff=6, seed=3)
    assert people(tenant_a.schema_name) == people(tenant_b.schema_name)
    school_generate(schema_name=tenant_b.schema_name, learners=30, staff=6, seed=4)
    assert len(people(tenant_b.schema_name)) > len(people(tenant_a.schema_name))
