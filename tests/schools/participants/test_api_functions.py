"""The public functions of ``schools.participants.api`` that other apps build on."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from schools.audit.models import AuditEntry
from schools.participants import api
from schools.participants import services as participant_services
from schools.participants.models import AppendOnlyError, Consent, Participant
from tests import builders
from tests.conftest import SETUP


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)


@pytest.fixture
def in_a(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield tenant_a


def test_create_find_duplicate_and_profiles(in_a):
    person = participant_services.participant_create(
        last_name=" Иванов ",
        first_name="Пётр",
        middle_name="Сергеевич",
        birth_date=datetime.date(2010, 5, 1),
        category="pupil",
        actor=SETUP,
    )
    assert person.last_name == "Иванов"
    found = api.participant_find_duplicate(
        last_name="иванов",
        first_name="Петр",
        middle_name="сергеевич",
        birth_date=datetime.date(2010, 5, 1),
    )
    assert found == person.pk
    assert (
        api.participant_find_duplicate(
            last_name="Иванов",
            first_name="Пётр",
            middle_name="Сергеевич",
            birth_date=datetime.date(2010, 5, 2),
        )
        is None
    )
    api.mentee_profile_upsert(
        participant_id=person.pk,
        request="Хочу подтянуть математику",
        need_codes=["academic_results", "olympiads"],
        preferred_form="pupil_pupil",
        actor=SETUP,
    )
    assert api.mentee_count() == 1
    assert api.mentees_without_consent_count() == 1
    teacher = participant_services.participant_create(
        last_name="Петрова",
        first_name="Анна",
        category="teacher",
        birth_date=years_ago(40),
        actor=SETUP,
    )
    api.mentor_profile_upsert(
        participant_id=teacher.pk,
        competence_codes=["methodology"],
        capacity=3,
        selection_scores={"wish": 5, "motivation": 4},
        actor=SETUP,
    )
    assert (api.mentor_count(), api.mentors_without_consent_count()) == (1, 1)
    builders.consent(participant=teacher)
    assert api.has_valid_consent(participant_id=teacher.pk)
    assert api.mentors_without_consent_count() == 0
    entries = AuditEntry.objects.filter(model_label="participants.participant")
    assert entries.count() == 2
    assert all("birth_date" not in e.values and "last_name" not in e.values for e in entries)


@pytest.mark.parametrize(
    ("age", "signed_by", "minor_signed", "ok"),
    [
        (10, "guardian", False, True),
        (10, "self", False, False),
        (15, "guardian", False, False),
        (15, "guardian", True, True),
        (15, "self", True, False),
        (30, "self", False, True),
        (30, "guardian", False, False),
    ],
)
def test_consent_age_rules(in_a, age, signed_by, minor_signed, ok):
    person = participant_services.participant_create(
        last_name="Сидоров",
        first_name="Иван",
        category="pupil",
        birth_date=years_ago(age, 40),
        actor=SETUP,
    )
    kwargs: dict[str, Any] = {"signed_by": signed_by, "minor_signed": minor_signed}
    if signed_by == "guardian":
        kwargs["guardian"] = "Сидорова Мария"
    if ok:
        builders.consent(participant=person, **kwargs)
        assert api.has_valid_consent(participant_id=person.pk)
    else:
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            builders.consent(participant=person, **kwargs)
        assert not Consent.objects.filter(participant=person).exists()


def test_consent_is_append_only_in_the_model_and_the_database(in_a):
    person = participant_services.participant_create(
        last_name="Кузнецов",
        first_name="Олег",
        category="teacher",
        birth_date=years_ago(35),
        actor=SETUP,
    )
    consent = builders.consent(participant=person)
    with pytest.raises(AppendOnlyError):
        consent.save()
    with pytest.raises(AppendOnlyError):
        consent.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(method="electronic")
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).delete()


def test_headcount_numerators(in_a):
    pupil = participant_services.participant_create(
        last_name="Ученик", first_name="А", category="pupil", birth_date=years_ago(12), actor=SETUP
    )
    builders.consent(participant=pupil)
    api.mentee_profile_upsert(participant_id=pupil.pk, actor=SETUP)
    little = participant_services.participant_create(
        last_name="Ученик", first_name="Б", category="pupil", birth_date=years_ago(8), actor=SETUP
    )
    builders.consent(participant=little)
    api.mentee_profile_upsert(participant_id=little.pk, actor=SETUP)
    specialist = participant_services.participant_create(
        last_name="Инженер",
        first_name="В",
        category="employer_specialist",
        birth_date=years_ago(45),
        actor=SETUP,
    )
    builders.consent(participant=specialist)
    api.mentor_profile_upsert(participant_id=specialist.pk, actor=SETUP)
    young = participant_services.participant_create(
        last_name="Молодой",
        first_name="Г",
        category="teacher",
        is_young_specialist=True,
        birth_date=years_ago(23),
        actor=SETUP,
    )
    api.mentee_profile_upsert(participant_id=young.pk, actor=SETUP)  # no consent: not counted
    numbers = api.headcount_numerators()
    assert numbers.learner_mentees_10_plus == 1
    assert numbers.employer_specialist_mentors == 1
    assert numbers.mentors == 1
    assert numbers.young_specialist_mentees == 0
    assert numbers.mentees == 2


def reference_numerators(day: datetime.date, paired: set[int]) -> dict[str, int]:
    """``kpi_numerators`` by the ORM's consent state (``participants_with_valid_consent``), one
    count per figure: the rule the one-statement SQL must keep."""
    from django.db.models import Exists, OuterRef, Q

    from schools.participants.models import MenteeProfile, MentorProfile
    from schools.participants.selectors import participants_with_valid_consent

    valid = participants_with_valid_consent()
    mentees = valid.filter(Exists(MenteeProfile.objects.filter(participant=OuterRef("pk"))))
    mentors = valid.filter(Exists(MentorProfile.objects.filter(participant=OuterRef("pk"))))
    learner = Q(category__in=["pupil", "student"])
    aged_10 = Q(birth_date__lte=day.replace(year=day.year - 10)) | Q(
        birth_date__isnull=True, category="student"
    )
    counted = set(mentees.values_list("pk", flat=True))
    return {
        "learner_mentees_10_plus": mentees.filter(learner & aged_10).count(),
        "learner_mentors": mentors.filter(learner).count(),
        "young_specialist_mentees": mentees.filter(
            Q(is_young_specialist=True) | Q(category="young_specialist")
        ).count(),
        "employer_specialist_mentors": mentors.filter(category="employer_specialist").count(),
        "mentors": mentors.count(),
        "mentees": len(counted),
        "mentees_paired": len(counted & paired),
        "mentees_without_pair": len(counted - paired),
    }


def test_kpi_numerators_keep_the_consent_rule(in_a):
    """Every consent state and age edge counts (or not) in ``kpi_numerators`` exactly as in
    ``participants_with_valid_consent``: the latest required consent, a withdrawal after a
    grant, a grant that no longer fits the age, one soon to need renewal, no birth date."""

    adult = builders.person(
        last_name="Взрослый",
        category="young_specialist",
        born=years_ago(25),
        consent=False,
        mentee=True,
        mentor=True,
    )
    builders.consent(participant=adult)
    teen = builders.person(
        last_name="Подросток", category="pupil", born=years_ago(15), consent=False, mentee=True
    )
    builders.consent(participant=teen)
    child = builders.person(
        last_name="Ребёнок", category="pupil", born=years_ago(9), consent=False, mentee=True
    )  # under 10
    builders.consent(participant=child)
    soon_14 = builders.person(
        last_name="Скоро", category="pupil", born=years_ago(14, -10), consent=False, mentee=True
    )  # renewal due
    builders.consent(participant=soon_14)
    outgrown = builders.person(
        last_name="Вырос",
        category="pupil",
        born=years_ago(13, 40),
        consent=False,
        mentee=True,
        mentor=True,
    )
    builders.consent(participant=outgrown)
    # a year on (the birth date corrected): a guardian's grant alone no longer fits 14
    Participant.objects.filter(pk=outgrown.pk).update(birth_date=years_ago(14, 40))
    withdrawn = builders.person(
        last_name="Отозвал", category="student", born=years_ago(19), consent=False, mentee=True
    )
    builders.consent(participant=withdrawn)
    api.consent_withdraw(
        participant_id=withdrawn.pk,
        signed_by="self",
        signed_on=timezone.localdate(),
        method="paper_scan",
        actor=SETUP,
    )
    no_birth_student = builders.person(
        last_name="Студент", category="student", birth_date_known=False, consent=False, mentee=True
    )
    builders.consent(participant=no_birth_student)
    no_birth_pupil = builders.person(
        last_name="Школьник", category="pupil", birth_date_known=False, consent=False, mentee=True
    )
    builders.consent(participant=no_birth_pupil, signed_by="guardian")
    engineer = builders.person(
        last_name="Инженер",
        category="employer_specialist",
        born=years_ago(40),
        consent=False,
        mentor=True,
    )
    builders.consent(participant=engineer)
    builders.person(
        last_name="Безсогласия", category="student", born=years_ago(20), consent=False, mentee=True
    )  # no consent at all

    paired = {adult.pk, child.pk, withdrawn.pk, outgrown.pk}
    for day in (timezone.localdate(), years_ago(2), timezone.localdate().replace(day=1)):
        expected = reference_numerators(day, paired)
        assert api.kpi_numerators(today=day, paired_ids=paired) == expected
        assert api.kpi_numerators(today=day) == {
            **expected,
            "mentees_paired": 0,
            "mentees_without_pair": expected["mentees"],
        }
    assert reference_numerators(timezone.localdate(), paired)["mentees"] == 6
    # the bases in numbers (the stage tracker's one statement) keep the same rule
    from schools.participants import selectors

    assert selectors.base_counts() == selectors.BaseCounts(
        mentees=selectors.mentee_count(),
        mentors=selectors.mentor_count(),
        mentees_without_consent=selectors.mentees_without_consent_count(),
        mentors_without_consent=selectors.mentors_without_consent_count(),
    )
    assert selectors.base_counts().mentees_without_consent == 2  # outgrown, no consent


def test_the_writes_return_ids_and_the_reads_plain_data(in_a):
    """What other apps get back: the new rows' ids, and the reads that replaced the querysets
    (consenting people, the bases, classes by curator, a consent form) — no model."""
    from accounts.models import Role
    from schools.participants.models import Guardianship, MenteeProfile, MentorProfile, StudyGroup
    from tests.conftest import make_user

    curator = make_user(in_a.schema_name, Role.CURATOR)
    group_id = api.study_group_get_or_create(name="7Б", actor=SETUP)
    assert api.study_group_get_or_create(name=" 7б ", actor=SETUP) == group_id
    api.study_groups_ensure(names=["7Б"], curators_by_name={"7Б": curator.pk}, actor=SETUP)
    assert StudyGroup.objects.get(pk=group_id).curator_id == curator.pk
    assert api.curated_study_group_names() == {curator.pk: ["7Б"]}
    assert api.study_group_exists(study_group_id=group_id)
    assert not api.study_group_exists(study_group_id=group_id + 1000)

    pupil = api.participant_create(
        last_name="Орлов",
        first_name="Глеб",
        category="pupil",
        birth_date=years_ago(12),
        study_group_id=group_id,
        actor=SETUP,
    )
    parent = api.participant_create(
        last_name="Орлова", first_name="Вера", category="parent", actor=SETUP
    )
    teacher = api.participant_create(
        last_name="Зуева",
        first_name="Нина",
        category="teacher",
        birth_date=years_ago(40),
        actor=SETUP,
    )
    assert isinstance(pupil, int) and Participant.objects.filter(pk=pupil).exists()
    api.participant_update(participant_id=teacher, position="учитель физики", actor=SETUP)
    assert Participant.objects.get(pk=teacher).position == "учитель физики"

    link = api.guardianship_create(parent_id=parent, child_id=pupil, relation="mother", actor=SETUP)
    assert Guardianship.objects.get(pk=link).child_id == pupil
    mentee = api.mentee_profile_upsert(participant_id=pupil, actor=SETUP)
    mentor = api.mentor_profile_upsert(participant_id=teacher, capacity=2, actor=SETUP)
    assert MenteeProfile.objects.get(pk=mentee).participant_id == pupil
    assert MentorProfile.objects.get(pk=mentor).participant_id == teacher
    assert (api.mentee_base_ids(), api.mentor_base_ids()) == ({pupil}, {teacher})

    assert not api.has_consent_record(participant_id=teacher)
    granted = api.consent_record(
        participant_id=teacher,
        kind="grant",
        signed_by="self",
        signed_on=timezone.localdate(),
        method="paper_scan",
        actor=SETUP,
    )
    assert Consent.objects.get(pk=granted).participant_id == teacher
    assert api.has_consent_record(participant_id=teacher)
    assert api.consenting_participant_ids() == [teacher]
    assert api.consenting_participant_ids(participant_ids=[pupil, teacher]) == [teacher]
    assert api.consenting_participant_ids(category="pupil") == []
    withdrawn = api.consent_withdraw(
        participant_id=teacher,
        signed_by="self",
        signed_on=timezone.localdate(),
        method="paper_scan",
        actor=SETUP,
    )
    assert withdrawn != granted and api.consenting_participant_ids() == []

    form = api.consent_form_file(participant_id=pupil, purpose=api.REQUIRED_PURPOSE)
    assert form is not None and form.full_name.startswith("Орлов Глеб")
    assert form.content.startswith(b"PK")  # a DOCX is a zip
    assert api.consent_form_file(participant_id=pupil + 1000, purpose=api.REQUIRED_PURPOSE) is None


def test_the_reads_matching_and_monitoring_build_on(in_a):
    """The people matching and monitoring read (records of the bases, names, a class, ids that
    exist) come as dataclasses and ids, in a number of queries that does not grow with them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    group_id = api.study_group_get_or_create(name="8В", actor=SETUP)
    pupils = [
        api.participant_create(
            last_name=f"Ученик{i}",
            first_name="Иван",
            category="pupil",
            birth_date=years_ago(13),
            study_group_id=group_id,
            actor=SETUP,
        )
        for i in range(3)
    ]
    teacher = api.participant_create(
        last_name="Зуева",
        first_name="Нина",
        middle_name="Павловна",
        category="teacher",
        email="zueva@example.org",
        actor=SETUP,
    )
    for pupil in pupils:
        api.mentee_profile_upsert(
            participant_id=pupil,
            need_codes=["academic_results", "olympiads"],
            preferred_form="pupil_pupil",
            actor=SETUP,
        )
    api.mentor_profile_upsert(
        participant_id=teacher,
        competence_codes=["olympiads"],
        capacity=2,
        hours_per_month=4,
        actor=SETUP,
    )

    with CaptureQueriesContext(connection) as queries:
        mentees = api.mentee_records()
    assert len(queries) == 2
    assert [m.id for m in mentees] == pupils  # by name
    assert mentees[0].need_codes == frozenset({"academic_results", "olympiads"})
    assert (mentees[0].study_group_id, mentees[0].preferred_form) == (group_id, "pupil_pupil")
    assert [m.id for m in api.mentee_records(participant_ids=[pupils[1], teacher])] == [pupils[1]]
    (mentor,) = api.mentor_records()
    assert (mentor.id, mentor.capacity, mentor.hours_per_month) == (teacher, 2, 4)
    assert mentor.competence_codes == frozenset({"olympiads"})
    assert api.mentor_records(participant_ids=[]) == []

    refs = api.person_refs(participant_ids=[teacher, pupils[0], teacher + 1000])
    assert set(refs) == {teacher, pupils[0]}
    assert refs[teacher].full_name == "Зуева Нина Павловна"
    assert (refs[teacher].category, refs[teacher].email) == ("teacher", "zueva@example.org")

    assert api.existing_participant_ids(participant_ids=[teacher, teacher + 1000]) == {teacher}
    assert sorted(api.study_group_member_ids(study_group_id=group_id)) == sorted(pupils)
    assert api.study_group_size(study_group_id=group_id) == 3
    assert api.mentee_base_size() == 3


def _groups_without_curator_by_the_orm() -> int:
    """The ORM form ``study_groups_without_curator_count`` had: the reference its statement
    must agree with."""
    from schools.participants.models import StudyGroup

    return (
        StudyGroup.objects.filter(curator__isnull=True, participants__isnull=False)
        .distinct()
        .count()
    )


def test_classes_without_curator_are_counted_as_the_orm_did(in_a, user_in):
    """Stage 1's count of the classes with people and no curator (one statement) equals the
    ORM's distinct count through classes of several people, an empty class, a class of an
    erased person, a curator appointed and then deleted, and a person leaving the class."""
    from schools.participants.models import StudyGroup

    def agree() -> int:
        count = api.study_groups_without_curator_count()
        assert count == _groups_without_curator_by_the_orm()
        return count

    before = agree()
    pupils = [builders.person(category="pupil", grade=5, class_letter="А") for _ in range(3)]
    assert agree() == before + 1  # one class, however many people
    api.study_group_get_or_create(name="6Б", actor=SETUP)  # nobody in it
    teacher = builders.person(category="teacher")
    erased = builders.person(category="pupil", grade=7, class_letter="В")
    Participant.objects.filter(pk=erased.pk).update(erased_at=timezone.now())
    assert agree() == before + 2  # the erased person's class still has them
    curator = user_in(in_a.schema_name, "curator", "curator-5a", email="c5a@alpha.ru")
    five_a = pupils[0].study_group_id
    assert five_a is not None
    StudyGroup.objects.filter(pk=five_a).update(curator=curator)
    assert agree() == before + 1
    curator.delete()  # the class's curator gone: its reference is NULL
    assert agree() == before + 2
    Participant.objects.filter(pk=erased.pk).update(study_group=None)
    assert agree() == before + 1
    Participant.objects.filter(pk=teacher.pk).update(study_group_id=five_a)
    Participant.objects.filter(pk__in=[p.pk for p in pupils]).update(study_group=None)
    assert agree() == before + 1  # 5А keeps the teacher
