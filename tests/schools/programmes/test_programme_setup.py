"""A programme's coordinator, curators and headcount; the default roadmap; api.py."""

from __future__ import annotations

import pytest
from django.db import IntegrityError
from django_tenants.utils import schema_context

from schools.programmes import api, services
from schools.programmes.default_roadmap import DEFAULT_ROADMAP
from schools.programmes.models import Programme, RoadmapActivity
from schools.programmes.selectors import current_academic_year
from tests.conftest import SETUP

URL = "/api/v1/programmes/"


def test_coordinator_sets_up_a_programme_from_the_default_roadmap(
    tenant_a, staff, coordinator_client
):
    response = coordinator_client.post(
        URL,
        {
            "academic_year": 2027,
            "title": "Программа наставничества на 2027/2028 учебный год",
            "forms": ["student_student", "teacher_student"],
            "goals": "Раскрытие потенциала личности наставляемого",
            "coordinator": staff["coordinator"].pk,
            "curators": [staff["curator"].pk],
            "headcount_learners": 640,
            "headcount_teachers": 52,
            "headcount_young_teachers": 7,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["coordinator"] == staff["coordinator"].pk
    assert body["curators"] == [staff["curator"].pk]
    assert (body["headcount_learners"], body["headcount_young_teachers"]) == (640, 7)
    with schema_context(tenant_a.schema_name):
        activities = list(RoadmapActivity.objects.filter(programme_id=body["id"]))
        assert len(activities) == len(DEFAULT_ROADMAP)
        assert {a.stage for a in activities} == {1, 2, 3, 4, 5, 6}
        first = activities[0]
        assert first.stage == 1 and first.position == 1
        assert first.title.startswith("Подготовка нормативной базы")
        assert "Назначение координатора и кураторов" in first.content
        # deadlines relative to the academic year; the coordinator is made responsible
        assert all(
            Programme.objects.get(pk=body["id"]).window[0]
            <= a.deadline
            <= Programme.objects.get(pk=body["id"]).window[1]
            for a in activities
        )
        assert min(a.deadline for a in activities).isoformat() == "2027-08-31"
        assert max(a.deadline for a in activities).isoformat() == "2028-06-30"
        assert staff["coordinator"] in first.responsible_people.all()
        reports = [a for a in activities if a.title.startswith("Отчёты по итогам")]
        assert list(reports[0].responsible_people.all()) == [staff["curator"]]


def test_a_programme_without_the_default_roadmap(tenant_a, coordinator_client):
    response = coordinator_client.post(
        URL, {"academic_year": 2028, "title": "П", "with_default_roadmap": False}, format="json"
    )
    assert response.status_code == 201
    with schema_context(tenant_a.schema_name):
        assert not RoadmapActivity.objects.filter(programme_id=response.json()["id"]).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"coordinator": "curator"}, "coordinator"),
        ({"curators": ["coordinator"]}, "curators"),
        ({"curators": ["curator", "director"]}, "curators"),
        ({"coordinator": 987654}, "coordinator"),
        ({"headcount_learners": -1}, "headcount_learners"),
        ({"headcount_teachers": 5, "headcount_young_teachers": 6}, "headcount_young_teachers"),
        ({"status": "finished"}, "status"),
    ],
)
def test_bad_programme_input_writes_nothing(tenant_a, staff, coordinator_client, payload, field):
    def user_id(value):
        return staff[value].pk if isinstance(value, str) else value

    data = {"academic_year": 2029, "title": "П"}
    for key, value in payload.items():
        if key == "coordinator":
            value = user_id(value)
        elif key == "curators":
            value = [user_id(v) for v in value]
        data[key] = value
    response = coordinator_client.post(URL, data, format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert field in errors, errors
    with schema_context(tenant_a.schema_name):
        assert not Programme.objects.filter(academic_year=2029).exists()
        assert not RoadmapActivity.objects.filter(programme__academic_year=2029).exists()


def test_patch_appoints_curators_and_moves_the_roadmap_with_the_year(
    tenant_a, staff, coordinator_client, programme
):
    with schema_context(tenant_a.schema_name):
        before = sorted(programme.activities.values_list("deadline", flat=True))
    url = f"{URL}{programme.pk}/"
    bad = coordinator_client.patch(url, {"curators": [staff["mentor"].pk]}, format="json")
    assert bad.status_code == 400 and "curators" in bad.json()["errors"]
    response = coordinator_client.patch(
        url,
        {"curators": [], "academic_year": programme.academic_year + 1, "headcount_teachers": 40},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["curators"] == [] and response.json()["headcount_teachers"] == 40
    with schema_context(tenant_a.schema_name):
        after = sorted(programme.activities.values_list("deadline", flat=True))
    assert [d.replace(year=d.year + 1) for d in before] == after


def test_database_refuses_more_young_teachers_than_teachers(in_a):
    with pytest.raises(IntegrityError):
        Programme.objects.create(
            academic_year=2040, title="П", headcount_teachers=1, headcount_young_teachers=2
        )


def test_api_numbers(in_a, staff):
    assert api.current_programme_id() is None
    assert api.programme_headcount(academic_year=current_academic_year()) is None
    programme = services.programme_create(
        actor=SETUP,
        academic_year=current_academic_year(),
        title="П",
        headcount_learners=480,
        headcount_teachers=36,
        headcount_young_teachers=4,
        with_default_roadmap=False,
    )
    services.programme_create(
        actor=SETUP, academic_year=current_academic_year() + 1, title="Следующая"
    )
    assert api.current_programme_id() == programme.pk
    assert api.programme_headcount(academic_year=current_academic_year()) == {
        "learners": 480,
        "teachers": 36,
        "young_teachers": 4,
    }
