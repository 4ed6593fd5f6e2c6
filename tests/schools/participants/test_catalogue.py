"""The one catalogue of requests and competences: recognising what schools write, editing
entries and what covers a request, the mapping from the two old catalogues."""

from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from schools.audit.models import AuditEntry
from schools.participants import api, services
from schools.participants.catalogue import CatalogueIndex, TopicRow, normalise, split_entries
from schools.participants.models import Topic
from tests.conftest import SETUP

migration = importlib.import_module("schools.participants.migrations.0005_one_catalogue")


@pytest.fixture
def in_a(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield tenant_a


def test_normalise_and_split() -> None:
    assert normalise("  Подготовка к  ОЛИМПИАДАМ! ") == "подготовка к олимпиадам"
    assert normalise("Учёба, «успеваемость»") == normalise("учеба успеваемость")
    assert normalise("3D-моделирование") == "3d моделирование"
    # «;» and new lines separate entries, commas stay inside a name; repeats are dropped
    assert split_entries("Методика преподавания, подготовка уроков; олимпиады\nОлимпиады;;") == [
        "Методика преподавания, подготовка уроков",
        "олимпиады",
    ]


def test_index_recognises_names_codes_wordings_and_unique_parts() -> None:
    index = CatalogueIndex(
        [
            TopicRow("olympiads", "Подготовка к олимпиадам и конкурсам", ("Олимпиады",)),
            TopicRow("career_guidance", "Профориентация, выбор профессии"),
            TopicRow("methodology", "Методика, выбор профессии"),
        ]
    )
    assert index.match("подготовка к олимпиадам и конкурсам").how == "name"
    assert index.match("ОЛИМПИАДЫ").code == "olympiads"
    assert index.match("career_guidance").how == "code"
    part = index.match("профориентация")
    assert (part.code, part.how) == ("career_guidance", "part")
    # a part that two entries share names neither
    shared = index.match("Выбор профессии")
    assert shared.code is None and {c for c, _n in shared.suggestions} >= {"career_guidance"}
    # not recognised: the closest entries are suggested, the most specific first
    close = index.match("Подготовка к олимпиадам")
    assert close.code is None and close.suggestions[0][0] == "olympiads"


def test_seeded_catalogue_recognises_what_schools_write(in_a) -> None:
    found = api.topics_match(
        [
            "Подготовка к олимпиадам",  # the example: a shorter wording of the name
            "олимпиады",
            "Подтянуть оценки",
            "Работа с классом, дисциплина, классное руководство",  # an old need's name
            "IT и цифровые технологии",  # an old competence's name
            "ОГЭ",
            "Адаптация пятиклассников",
            "Дети с ОВЗ",
            "Хочу научиться играть на укулеле",
        ]
    )
    assert [m.code for m in found] == [
        "olympiads",
        "olympiads",
        "academic_results",
        "classroom_management",
        "digital_skills",
        "exam_preparation",
        "adaptation",
        "inclusion",
        None,
    ]
    olympiad_in_chemistry = api.topics_match(["Олимпиада по химии"])[0]
    assert olympiad_in_chemistry.code is None
    assert "olympiads" in {c for c, _n in olympiad_in_chemistry.suggestions}


def test_seeded_catalogue_has_what_the_methodology_names(in_a) -> None:
    codes = set(api.topic_codes())
    for code in (
        "academic_results",
        "olympiads",
        "projects",
        "adaptation",
        "motivation",
        "career_guidance",
        "socialisation",
        "leisure",
        "digital_skills",
        "methodology",
        "classroom_management",
        "working_with_parents",
        "documentation",
        "inclusion",
    ):
        assert code in codes
    coverage = api.topic_coverage()
    # a mentor good at mathematics covers a request for better results
    assert "academic_results" in coverage["math"] and "math" in coverage["math"]
    assert "olympiads" not in coverage["math"]


def test_every_old_code_has_an_entry() -> None:
    seeded = {row[0] for row in migration.TOPICS}
    assert set(migration.OLD_NEEDS.values()) <= seeded
    assert set(migration.OLD_COMPETENCES.values()) <= seeded
    for need, others in migration.COVERAGE.items():
        assert need in seeded and set(others) <= seeded and need not in others
    # the four codes the two old catalogues shared are one entry each
    for code in ("career_guidance", "methodology", "classroom_management", "entrepreneurship"):
        assert migration.OLD_NEEDS[code] == migration.OLD_COMPETENCES[code] == code
    # every wording names one entry only
    wordings = [normalise(w) for row in migration.TOPICS for w in (row[0], row[3], *row[4])]
    repeated = {w for w in wordings if wordings.count(w) > 1}
    assert not repeated


def test_create_edit_and_retire_an_entry(in_a) -> None:
    topic = services.topic_create(
        name="  Шахматная  композиция ",
        group="leisure",
        audience="learners",
        synonyms=["Шахматные задачи", "шахматные задачи", ""],
        actor=SETUP,
    )
    assert topic.name == "Шахматная композиция" and topic.code.startswith("topic-")
    assert topic.synonyms == ["Шахматные задачи"]
    assert api.topics_match(["шахматные   задачи"])[0].code == topic.code
    assert AuditEntry.objects.filter(model_label="participants.topic", object_id=str(topic.pk))

    with pytest.raises(ValidationError) as clash:
        services.topic_create(name="Олимпиады", actor=SETUP)  # another entry's wording
    assert "name" in clash.value.message_dict
    with pytest.raises(ValidationError) as clash:
        services.topic_update(
            topic_id=topic.pk, synonyms=["Шахматы"], actor=SETUP
        )  # sport's wording
    assert "synonyms" in clash.value.message_dict
    assert Topic.objects.get(pk=topic.pk).synonyms == ["Шахматные задачи"]

    sport = Topic.objects.get(code="sport")
    services.topic_coverage_set(need_id=topic.pk, covered_by_ids=[sport.pk], actor=SETUP)
    assert topic.code in api.topic_coverage()["sport"]
    with pytest.raises(ValidationError):
        services.topic_coverage_set(need_id=topic.pk, covered_by_ids=[topic.pk], actor=SETUP)
    services.topic_set_active(topic_id=topic.pk, is_active=False, actor=SETUP)
    assert topic.code not in api.topic_codes()
    assert api.topics_match(["Шахматная композиция"])[0].code is None
    # retired entries still count for matching
    assert topic.code in api.topic_coverage()["sport"]


def test_edit_is_all_or_nothing(in_a) -> None:
    topic = Topic.objects.get(code="olympiads")
    with pytest.raises(ValidationError):
        services.topic_edit(
            topic_id=topic.pk,
            name="Олимпиады и конкурсы",
            group=topic.group,
            audience=topic.audience,
            synonyms=topic.synonyms,
            covered_by_ids=[10**9],  # no such entry
            is_active=True,
            actor=SETUP,
        )
    assert Topic.objects.get(pk=topic.pk).name == "Подготовка к олимпиадам и конкурсам"
