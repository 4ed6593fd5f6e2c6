"""The bulk functions of ``schools.participants.api``: the rules of their one-row twins, a few
queries whatever the number of rows, all or nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from accounts.actor import actor_for
from schools.audit.models import AuditEntry
from schools.participants import api
from schools.participants import services as participant_services
from schools.participants.models import MenteeProfile, MentorProfile, Participant, StudyGroup
from schools.participants.services import participant_erase
from tests.conftest import SETUP


@pytest.fixture
def in_a(tenant_a):
    # messages are compared by their English msgids, whatever the default language
    with schema_context(tenant_a.schema_name), translation.override("en"):
        yield tenant_a


def pupil(index: int, **extra: Any) -> api.NewParticipant:
    fields: dict[str, Any] = {
        "last_name": f"Ученик{index}",
        "first_name": "Иван",
        "category": "pupil",
        "birth_date": datetime.date(2012, 1, 1) + datetime.timedelta(days=index),
    }
    fields.update(extra)
    return api.NewParticipant(**fields)


def written() -> tuple[int, int, int, int, int]:
    return (
        Participant.objects.count(),
        StudyGroup.objects.count(),
        MenteeProfile.objects.count(),
        MentorProfile.objects.count(),
        AuditEntry.objects.count(),
    )


def queries(func) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


# --- duplicates -------------------------------------------------------------------------------


def test_find_duplicates_matches_like_the_single_lookup_in_one_query(in_a):
    birth = datetime.date(2010, 5, 1)
    petr = participant_services.participant_create(
        last_name="Иванов", first_name="Пётр", middle_name="Сергеевич", birth_date=birth,
        category="pupil",
        actor=SETUP,
    )  # fmt: skip
    no_date = participant_services.participant_create(
        last_name="Инженеров", first_name="Олег", category="employer_specialist", actor=SETUP
    )
    erased = participant_services.participant_create(
        last_name="Стёртый", first_name="Иван", birth_date=birth, category="pupil", actor=SETUP
    )
    participant_erase(participant_id=erased.pk, actor=SETUP)
    people = [
        ("  иванов ", "ПЕТР", "сергеевич", birth),  # case, spaces, ё/е
        ("Иванов", "Пётр", "Сергеевич", birth + datetime.timedelta(days=1)),  # other date
        ("Инженеров", "Олёг", "", None),  # unknown date matches unknown date
        ("Инженеров", "Олег", "", birth),
        ("***", f"#{erased.pk}", "", None),  # the erased are never duplicates
        ("Иванов", "Пётр", "", birth),  # no patronymic: another person
        ("Иванов", "Пётр", "Сергеевич", birth),
    ]
    with CaptureQueriesContext(connection) as captured:
        found = api.participant_find_duplicates(people=people)
    assert len(captured) == 1
    assert found == {0: petr.pk, 2: no_date.pk, 6: petr.pk}
    single = {
        index: api.participant_find_duplicate(
            last_name=last, first_name=first, middle_name=middle, birth_date=birth_date
        )
        for index, (last, first, middle, birth_date) in enumerate(people)
    }
    assert found == {index: pk for index, pk in single.items() if pk is not None}
    assert api.participant_find_duplicates(people=[]) == {}


def test_find_duplicates_lowest_id_wins(in_a):
    birth = datetime.date(2011, 2, 2)
    first = participant_services.participant_create(
        last_name="Двойник", first_name="Анна", birth_date=birth, category="pupil", actor=SETUP
    )
    api.participant_create(
        last_name="двойник", first_name="анна", birth_date=birth, category="pupil", actor=SETUP
    )
    assert api.participant_find_duplicates(people=[("Двойник", "Анна", "", birth)]) == {0: first.pk}


# --- participants -----------------------------------------------------------------------------


def test_create_many_writes_people_groups_and_audit(in_a, tenant_a, user_in):
    user = user_in(tenant_a.schema_name, "coordinator")
    actor = actor_for(user, schema=tenant_a.schema_name)
    existing_group = participant_services.study_group_get_or_create(name="5А", actor=SETUP)
    audit_before = AuditEntry.objects.count()
    rows = [
        pupil(0, study_group_name=" 5а ", email=" a@school.ru "),
        pupil(1, study_group_name="6Б"),
        pupil(2, study_group_name="6б"),
        pupil(3, study_group_id=existing_group.pk, middle_name="  Петрович  "),
        pupil(4, category="young_specialist", birth_date=datetime.date(2000, 1, 1)),
    ]
    ids = api.participants_create_many(rows=rows, actor=actor)
    assert len(ids) == 5 and len(set(ids)) == 5
    people = {p.pk: p for p in Participant.objects.select_related("study_group")}
    assert [people[pk].last_name for pk in ids] == [f"Ученик{i}" for i in range(5)]
    assert people[ids[0]].study_group == existing_group  # «5а» is «5А», case ignored
    assert people[ids[0]].email == "a@school.ru"
    assert people[ids[1]].study_group_id == people[ids[2]].study_group_id
    assert StudyGroup.objects.filter(name="6Б").get().pk == people[ids[1]].study_group_id
    assert people[ids[3]].middle_name == "Петрович"
    assert people[ids[4]].is_young_specialist  # the category implies the flag
    assert StudyGroup.objects.count() == 2
    entries = AuditEntry.objects.order_by("id")[audit_before:]
    assert [(e.model_label, e.action) for e in entries] == [
        ("participants.studygroup", "create"),
        *[("participants.participant", "create")] * 5,
    ]
    created = {int(e.object_id): e for e in entries if e.model_label.endswith("participant")}
    assert set(created) == set(ids)
    first = created[ids[0]]
    assert first.actor_id == user.pk
    assert "last_name" in first.changed_fields and "study_group" in first.changed_fields
    assert first.values == {
        "category": "pupil",
        "study_group": existing_group.pk,
        "is_young_specialist": False,
    }
    # the same entry as the one-row service writes
    one = participant_services.participant_create(
        last_name="Ученик0", first_name="Иван", category="pupil",
        birth_date=rows[0].birth_date, study_group_id=existing_group.pk, email="a@school.ru",
        actor=actor,
    )  # fmt: skip
    single = AuditEntry.objects.get(model_label="participants.participant", object_id=one.pk)
    assert (single.changed_fields, single.values) == (first.changed_fields, first.values)


def test_create_many_runs_the_same_few_queries_for_any_number_of_rows(in_a):
    api.participants_create_many(rows=[pupil(500)], actor=SETUP)  # the connection's first queries
    few = [pupil(i, study_group_name=f"{i % 3 + 5}А") for i in range(3)]
    many = [pupil(i, study_group_name=f"{i % 3 + 5}Б") for i in range(10, 130)]
    assert queries(lambda: api.participants_create_many(rows=few, actor=SETUP)) == queries(
        lambda: api.participants_create_many(rows=many, actor=SETUP)
    )
    assert Participant.objects.count() == 124


def test_create_many_names_every_bad_row_and_writes_nothing(in_a, tenant_a, user_in):
    account = user_in(tenant_a.schema_name, "mentee", "bulk-mentee")
    owner = participant_services.participant_create(
        last_name="Владелец", first_name="Учётки", category="pupil", user_id=account.pk, actor=SETUP
    )
    free = user_in(tenant_a.schema_name, "mentee", "bulk-free")
    before = written()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    rows = [
        pupil(0),
        pupil(1, birth_date=tomorrow),
        pupil(2, email="not-an-email", category="wizard"),
        pupil(3, study_group_name="Г" * 51),
        pupil(4, user_id=account.pk),
        pupil(5, user_id=free.pk),
        pupil(6, user_id=free.pk),  # the same account twice in the list
        pupil(7, study_group_id=999_999),
        pupil(8, last_name="   "),
        pupil(9, birth_date=datetime.date(1850, 1, 1)),
    ]
    with pytest.raises(api.RowsValidationError) as caught:
        api.participants_create_many(rows=rows, actor=SETUP)
    errors = caught.value.rows
    assert sorted(errors) == [1, 2, 3, 4, 6, 7, 8, 9]
    assert errors[1] == {"birth_date": ["The birth date is in the future."]}
    assert set(errors[2]) == {"email", "category"}
    assert set(errors[3]) == {"study_group"}
    assert errors[4] == {"user": ["This account already belongs to another participant."]}
    assert errors[6] == {"user": ["This account already belongs to another participant."]}
    assert set(errors[7]) == {"study_group"} and "999999" in errors[7]["study_group"][0]
    assert set(errors[8]) == {"last_name"}
    assert errors[9] == {"birth_date": ["The birth date is too far in the past."]}
    # as a ValidationError, each field names its row
    assert isinstance(caught.value, ValidationError)
    assert caught.value.message_dict["1.birth_date"] == ["The birth date is in the future."]
    assert "4.user" in caught.value.message_dict
    assert written() == before
    assert Participant.objects.get(user_id=account.pk) == owner


def test_the_one_row_services_share_the_rules_and_keep_their_error_shape(in_a, tenant_a, user_in):
    account = user_in(tenant_a.schema_name, "mentee", "single-mentee")
    owner = participant_services.participant_create(
        last_name="Владелец", first_name="Учётки", category="pupil", user_id=account.pk, actor=SETUP
    )
    before = written()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        api.participant_create(
            last_name="Завтра",
            first_name="Иван",
            category="pupil",
            birth_date=tomorrow,
            actor=SETUP,
        )
    assert not isinstance(caught.value, api.RowsValidationError)
    assert caught.value.message_dict == {"birth_date": ["The birth date is in the future."]}
    with pytest.raises(ValidationError) as caught:
        api.participant_create(
            last_name="Второй", first_name="Иван", category="pupil", user_id=account.pk, actor=SETUP
        )
    assert caught.value.message_dict == {
        "user": ["This account already belongs to another participant."]
    }
    with pytest.raises(ValidationError) as caught:
        api.participant_create(
            last_name="Третий",
            first_name="Иван",
            category="pupil",
            study_group_id=999_999,
            actor=SETUP,
        )
    assert set(caught.value.message_dict) == {"study_group"}
    assert written() == before
    # an update keeps its own account, and is refused another's
    other = participant_services.participant_create(
        last_name="Другой", first_name="Иван", category="teacher", actor=SETUP
    )
    api.participant_update(
        participant_id=owner.pk, user_id=account.pk, first_name="Учётка", actor=SETUP
    )
    with pytest.raises(ValidationError) as caught:
        api.participant_update(participant_id=other.pk, user_id=account.pk, actor=SETUP)
    assert caught.value.message_dict == {
        "user": ["This account already belongs to another participant."]
    }


# --- profiles ---------------------------------------------------------------------------------


def test_mentee_profiles_upsert_many_creates_updates_and_sets_needs(in_a, tenant_a, user_in):
    user = user_in(tenant_a.schema_name, "coordinator")
    actor = actor_for(user, schema=tenant_a.schema_name)
    ids = api.participants_create_many(rows=[pupil(i) for i in range(4)], actor=SETUP)
    api.mentee_profile_upsert(
        participant_id=ids[0],
        request="Старый запрос",
        need_codes=["olympiads", "academic_results"],
        actor=SETUP,
    )
    api.mentee_profile_upsert(participant_id=ids[1], need_codes=["olympiads"], actor=SETUP)
    audit_before = AuditEntry.objects.count()
    rows = [
        api.MenteeProfileData(
            participant_id=ids[0],
            request="Новый запрос",
            need_codes=["career_guidance", "olympiads"],
        ),
        api.MenteeProfileData(participant_id=ids[1], need_codes=["olympiads"]),  # no change
        api.MenteeProfileData(
            participant_id=ids[2], need_codes=["olympiads"], preferred_form="pupil_pupil"
        ),
        api.MenteeProfileData(participant_id=ids[3], raised_by="curator"),
    ]
    profile_ids = api.mentee_profiles_upsert_many(rows=rows, actor=actor)
    profiles = {p.participant_id: p for p in MenteeProfile.objects.prefetch_related("needs")}
    assert profile_ids == [profiles[pk].pk for pk in ids]
    codes = {pk: sorted(t.code for t in profiles[pk].needs.all()) for pk in ids}
    assert codes == {
        ids[0]: ["career_guidance", "olympiads"],
        ids[1]: ["olympiads"],
        ids[2]: ["olympiads"],
        ids[3]: [],
    }
    assert profiles[ids[0]].request == "Новый запрос"
    assert profiles[ids[2]].preferred_form == "pupil_pupil"
    assert profiles[ids[3]].raised_by == "curator"
    entries = {
        int(e.object_id): e for e in AuditEntry.objects.order_by("id")[audit_before:]
    }  # the unchanged profile gets no entry
    assert set(entries) == {profile_ids[0], profile_ids[2], profile_ids[3]}
    assert entries[profile_ids[0]].action == "update"
    assert entries[profile_ids[0]].changed_fields == ["needs", "request"]
    assert entries[profile_ids[2]].action == "create"
    assert entries[profile_ids[2]].changed_fields == ["needs", "participant", "preferred_form"]
    assert entries[profile_ids[2]].actor_id == user.pk


def test_mentee_profiles_upsert_many_names_bad_rows_and_writes_nothing(in_a):
    ids = api.participants_create_many(rows=[pupil(i) for i in range(4)], actor=SETUP)
    api.mentee_profile_upsert(
        participant_id=ids[0], request="Был", need_codes=["olympiads"], actor=SETUP
    )
    withdrawn = Participant.objects.get(pk=ids[3])
    withdrawn.processing_stopped_at = timezone.now()
    withdrawn.save()
    before = written()
    rows = [
        api.MenteeProfileData(participant_id=ids[0], request="Стал", need_codes=[]),
        api.MenteeProfileData(participant_id=ids[1], need_codes=["olympiads", "no_such_tag"]),
        api.MenteeProfileData(participant_id=ids[2], preferred_form="nonsense", raised_by="x"),
        api.MenteeProfileData(participant_id=ids[3]),
        api.MenteeProfileData(participant_id=999_999),
        api.MenteeProfileData(participant_id=ids[0]),
    ]
    with pytest.raises(api.RowsValidationError) as caught:
        api.mentee_profiles_upsert_many(rows=rows, actor=SETUP)
    errors = caught.value.rows
    assert sorted(errors) == [1, 2, 3, 4, 5]
    assert errors[1] == {"need_codes": ["Unknown codes: no_such_tag"]}
    assert set(errors[2]) == {"preferred_form", "raised_by"}
    assert errors[3] == {
        "participant": ["Consent was withdrawn: this person's data may not be changed."]
    }
    assert errors[4] == {"participant": ["No such participant."]}
    assert set(errors[5]) == {"participant"}  # the same person twice
    assert written() == before
    profile = MenteeProfile.objects.get(participant_id=ids[0])
    assert profile.request == "Был" and [t.code for t in profile.needs.all()] == ["olympiads"]
    # the one-row service: the same rules, the usual error shape
    with pytest.raises(ValidationError) as single:
        api.mentee_profile_upsert(participant_id=ids[1], need_codes=["no_such_tag"], actor=SETUP)
    assert single.value.message_dict == {"need_codes": ["Unknown codes: no_such_tag"]}


def test_mentor_profiles_upsert_many(in_a):
    ids = api.participants_create_many(
        rows=[
            pupil(i, category="teacher", birth_date=datetime.date(1980, 1, i + 1)) for i in range(3)
        ],
        actor=SETUP,
    )
    api.mentor_profile_upsert(
        participant_id=ids[0], competence_codes=["methodology"], capacity=2, actor=SETUP
    )
    before = written()
    bad = [
        api.MentorProfileData(participant_id=ids[0], capacity=0),
        api.MentorProfileData(participant_id=ids[1], selection_scores={"wish": 9}),
        api.MentorProfileData(participant_id=ids[2], hours_per_month=500, experience_years=3),
    ]
    with pytest.raises(api.RowsValidationError) as caught:
        api.mentor_profiles_upsert_many(rows=bad, actor=SETUP)
    errors = caught.value.rows
    assert set(errors) == {0, 1, 2}
    assert set(errors[0]) == {"capacity"}
    assert set(errors[1]) == {"selection_scores"}
    assert set(errors[2]) == {"hours_per_month"}
    assert written() == before
    assert MentorProfile.objects.get(participant_id=ids[0]).capacity == 2

    good = [
        api.MentorProfileData(
            participant_id=ids[0], competence_codes=["soft_skills"], experience="Стаж 20 лет"
        ),
        api.MentorProfileData(
            participant_id=ids[1],
            competence_codes=["methodology", "soft_skills"],
            capacity=3,
            selection_scores={"wish": 5},
        ),
        api.MentorProfileData(participant_id=ids[2]),
    ]
    profile_ids = api.mentor_profiles_upsert_many(rows=good, actor=SETUP)
    profiles = {p.pk: p for p in MentorProfile.objects.prefetch_related("competences")}
    first, second, third = (profiles[pk] for pk in profile_ids)
    assert [t.code for t in first.competences.all()] == ["soft_skills"]
    assert (first.capacity, first.experience) == (2, "Стаж 20 лет")  # None left it as it was
    assert sorted(t.code for t in second.competences.all()) == ["methodology", "soft_skills"]
    assert (second.capacity, second.selection_total) == (3, 5)
    assert (third.capacity, list(third.competences.all())) == (1, [])


def test_profile_upserts_run_the_same_queries_for_any_number_of_rows(in_a):
    ids = api.participants_create_many(rows=[pupil(i) for i in range(100)], actor=SETUP)

    def mentees(chosen):
        return lambda: api.mentee_profiles_upsert_many(
            rows=[
                api.MenteeProfileData(participant_id=pk, request="Запрос", need_codes=["olympiads"])
                for pk in chosen
            ],
            actor=SETUP,
        )

    assert queries(mentees(ids[:2])) == queries(mentees(ids[2:]))
    # updates, too (a tag removed and one added for each)
    new_needs = [
        api.MenteeProfileData(participant_id=pk, need_codes=["career_guidance"]) for pk in ids
    ]
    assert queries(
        lambda: api.mentee_profiles_upsert_many(rows=new_needs[:3], actor=SETUP)
    ) == queries(lambda: api.mentee_profiles_upsert_many(rows=new_needs[3:], actor=SETUP))
    assert set(MenteeProfile.needs.through.objects.values_list("topic__code", flat=True)) == {
        "career_guidance"
    }


def test_guardianships_many_at_once_all_or_nothing(in_a):
    ids = api.participants_create_many(
        rows=[
            pupil(1),
            pupil(2),
            api.NewParticipant(last_name="Иванова", first_name="Анна", category="parent"),
            api.NewParticipant(last_name="Иванов", first_name="Пётр", category="parent"),
        ],
        actor=SETUP,
    )
    child, sibling, mother, father = ids
    rows = [
        api.NewGuardianship(parent_id=mother, child_id=child, relation="mother"),
        api.NewGuardianship(parent_id=mother, child_id=sibling, relation="mother"),
        api.NewGuardianship(parent_id=father, child_id=child, relation="father"),
    ]
    bad = [
        *rows,
        api.NewGuardianship(parent_id=child, child_id=sibling, relation="mother"),  # not a parent
        api.NewGuardianship(parent_id=mother, child_id=child, relation="mother"),  # twice
        api.NewGuardianship(parent_id=father, child_id=sibling, relation="uncle"),
    ]
    with pytest.raises(api.RowsValidationError) as refused:
        api.guardianships_create_many(rows=bad, actor=SETUP)
    assert set(refused.value.rows) == {3, 4, 5}
    assert set(refused.value.rows[3]) == {"parent"} and set(refused.value.rows[5]) == {"relation"}
    from schools.participants.models import Guardianship

    assert not Guardianship.objects.exists()
    with CaptureQueriesContext(connection) as queries:
        created = api.guardianships_create_many(rows=rows, actor=SETUP)
    assert len(created) == 3 and len(queries) <= 6
    assert Guardianship.objects.filter(parent_id=mother).count() == 2
    assert AuditEntry.objects.filter(model_label="participants.guardianship").count() == 3
