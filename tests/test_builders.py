"""The shared builders make what they promise: realistic names, a class and an age that fit, a
consent that is valid at every age (the guardian's, then the guardian's and the minor's)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django_tenants.utils import schema_context

from schools.participants import api as participants
from schools.participants.models import Consent, MenteeProfile, MentorProfile
from seeding import names as russian
from tests import builders


@pytest.fixture
def in_a(tenant_a: Any) -> Any:
    with schema_context(tenant_a.schema_name):
        yield tenant_a


def test_every_age_gets_a_valid_consent_signed_by_whom_it_must_be(in_a: Any) -> None:
    adult = builders.person()
    pupil = builders.person(category="pupil", grade=5)
    teen = builders.person(category="pupil", grade=9, class_letter="Б")
    for someone in (adult, pupil, teen):
        assert participants.has_valid_consent(participant_id=someone.pk), someone
    signers = {
        c.participant_id: (c.signed_by, c.minor_signed, bool(c.guardian_name))
        for c in Consent.objects.filter(participant__in=[adult, pupil, teen])
    }
    assert signers == {
        adult.pk: ("self", False, False),
        pupil.pk: ("guardian", False, True),
        teen.pk: ("guardian", True, True),
    }
    assert (pupil.age, teen.age) == (11, 15)
    assert pupil.study_group is not None and pupil.study_group.name == "5А"
    assert teen.study_group is not None and teen.study_group.name == "9Б"


def test_names_are_russian_with_a_patronymic_of_the_surname_s_sex(in_a: Any) -> None:
    people = [builders.person(category=c) for c in ("teacher", "teacher", "pupil", "pupil")]
    for someone in people:
        assert someone.last_name and someone.first_name and someone.middle_name
        # the first name tells the sex (a surname may not: Шевченко, Черных are both)
        female = someone.first_name in {*russian.GIRLS, *russian.WOMEN}
        assert female or someone.first_name in {*russian.BOYS, *russian.MEN}
        assert someone.middle_name.endswith(("вна", "чна", "ична") if female else ("ич",))
        if someone.last_name.endswith(("ова", "ева", "ёва", "ина", "ая")):
            assert female
    given = builders.person(names="Ёлкина Алёна", last_name="Ignored")
    assert (given.last_name, given.first_name, given.middle_name) == ("Ёлкина", "Алёна", "")
    named = builders.person(last_name="Журавлёв")
    assert named.middle_name.endswith("ич")


def test_options_the_helpers_needed(in_a: Any) -> None:
    unknown = builders.person(category="student", birth_date_known=False, consent=False)
    assert unknown.birth_date is None
    assert not Consent.objects.filter(participant=unknown).exists()
    mentor = builders.person(mentor_capacity=2, email=builders.unique_email())
    assert MentorProfile.objects.get(participant=mentor).capacity == 2
    assert mentor.email.endswith("@alpha.ru")
    mentee = builders.person(mentee_request="Олимпиада", born=datetime.date(2000, 5, 5))
    assert MenteeProfile.objects.get(participant=mentee).request == "Олимпиада"
    with pytest.raises(ValueError):
        builders.person(category="pupil", grade=4)


def test_a_consent_is_signed_by_whom_the_age_says_or_as_asked(in_a: Any) -> None:
    from django.core.exceptions import ValidationError

    teen = builders.person(category="pupil", grade=9, consent=False)
    adult = builders.person(consent=False)
    unknown = builders.person(category="pupil", birth_date_known=False, consent=False)
    granted = builders.consent(participant=teen)
    assert (granted.signed_by, granted.minor_signed, granted.guardian_relation) == (
        "guardian",
        True,
        "mother",
    )
    assert granted.guardian_name.startswith(teen.last_name[:-2])  # the family's surname
    by_id = builders.consent(participant=adult.pk, method="electronic")
    assert (by_id.signed_by, by_id.guardian_name, by_id.method) == ("self", "", "electronic")
    assert builders.consent(participant=unknown, signed_by="guardian").signed_by == "guardian"
    withdrawn = builders.consent(participant=adult, kind="withdrawal")
    assert withdrawn.kind == "withdrawal"
    assert not participants.has_valid_consent(participant_id=adult.pk)
    with pytest.raises(ValidationError):  # under 18 the person alone may not sign
        builders.consent(participant=teen, signed_by="self")


def test_a_parent_is_named_after_the_child_and_linked_to_it(in_a: Any) -> None:
    from schools.participants.models import Guardianship

    child = builders.person(last_name="Журавлёв", category="pupil", grade=6)
    mother = builders.parent(child=child)
    father = builders.parent(
        child=builders.person(last_name="Орлова", category="pupil"), relation="father"
    )
    assert (mother.last_name, mother.category, mother.birth_date) == ("Журавлёва", "parent", None)
    assert mother.middle_name.endswith(("вна", "чна"))
    assert father.last_name == "Орлов" and father.middle_name.endswith("ич")
    assert Guardianship.objects.get(parent=mother).child_id == child.pk
    assert not Consent.objects.filter(participant__in=[mother, father]).exists()
