"""The stage tracker: states and what is missing, computed from the programme, the roadmap and
the participants app; marking a stage done only when nothing is missing."""

from __future__ import annotations

from django.utils import timezone
from django_tenants.utils import schema_context

from schools.programmes import api, services
from schools.programmes.models import ProgrammeStage, RoadmapActivity
from schools.programmes.stages import Findings, MissingItem, stage_reports
from tests import builders
from tests.conftest import SETUP


def stages_of(client, programme):
    response = client.get(f"/api/v1/programmes/{programme.pk}/stages/")
    assert response.status_code == 200, response.json()
    return {s["stage"]: s for s in response.json()}


def codes(stage):
    return {m["code"] for m in stage["missing"]}


def finish_activities(programme, stage):
    RoadmapActivity.objects.filter(programme=programme, stage=stage).update(
        status="done", completed_on=timezone.localdate()
    )


def approve_stage_one_orders(programme):
    """The director approves the three stage-1 orders (a system job stands in for both)."""
    from schools.documents import orders

    job = SETUP
    for kind in ("introduction", "appointment", "programme_approval"):
        order = orders.order_prepare(programme=programme, kind=kind, actor=job)
        orders.order_approve(order=order, actor=job, number=kind[:3], dated=timezone.localdate())


def test_a_fresh_programme_lists_what_each_stage_misses(tenant_a, coordinator_client):
    response = coordinator_client.post(
        "/api/v1/programmes/", {"academic_year": 2031, "title": "П"}, format="json"
    )
    programme_id = response.json()["id"]
    stages = coordinator_client.get(f"/api/v1/programmes/{programme_id}/stages/").json()
    assert [s["stage"] for s in stages] == [1, 2, 3, 4, 5, 6]
    assert all(s["state"] == "not_started" and not s["can_be_done"] for s in stages)
    first, second, third = stages[0], stages[1], stages[2]
    assert codes(first) == {
        "forms",
        "coordinator",
        "curators",
        "goals",
        "planned_results",
        "headcount",
        "orders",  # the three stage-1 orders the director approves
        "activities_not_done",
    }
    assert first["activities"]["total"] == first["activities"]["open"] == 5
    assert codes(second) == {"mentees", "activities_not_done"}
    assert codes(third) == {"mentors", "activities_not_done"}
    assert codes(stages[3]) == {"activities_not_done"}


def test_stage_1_is_done_once_the_programme_is_set_up(
    tenant_a, staff, coordinator_client, programme
):
    stage_1 = stages_of(coordinator_client, programme)[1]
    assert stage_1["state"] == "in_progress"  # forms, coordinator, curators are there
    assert codes(stage_1) == {
        "goals",
        "planned_results",
        "headcount",
        "orders",
        "activities_not_done",
    }
    url = f"/api/v1/programmes/{programme.pk}/stages/1/"
    refused = coordinator_client.post(url, {"state": "done"}, format="json")
    assert refused.status_code == 400
    assert len(refused.json()["errors"]["missing"]) == 5
    with schema_context(tenant_a.schema_name):
        assert not ProgrammeStage.objects.filter(programme=programme).exists()
    coordinator_client.patch(
        f"/api/v1/programmes/{programme.pk}/",
        {
            "goals": "Раскрытие потенциала",
            "planned_results": "70 % обучающихся вовлечены",
            "headcount_learners": 500,
            "headcount_teachers": 40,
        },
        format="json",
    )
    with schema_context(tenant_a.schema_name):
        finish_activities(programme, 1)
        approve_stage_one_orders(programme)
    stage_1 = stages_of(coordinator_client, programme)[1]
    assert stage_1["missing"] == [] and stage_1["can_be_done"]
    assert stage_1["state"] == "in_progress"
    done = coordinator_client.post(url, {"state": "done"}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["state"] == "done" and done.json()["marked_by"] == staff["coordinator"].pk
    assert stages_of(coordinator_client, programme)[1]["state"] == "done"
    back = coordinator_client.post(url, {"state": "in_progress"}, format="json")
    assert back.json()["state"] == "in_progress"


def test_stage_2_counts_mentees_without_consent(tenant_a, coordinator_client, programme):
    with schema_context(tenant_a.schema_name):
        builders.person(category="pupil", mentee_request="Олимпиада")
        builders.person(category="pupil", mentee_request="Олимпиада", consent=False)
        builders.person(category="pupil", mentee_request="Олимпиада", consent=False)
        builders.person(category="pupil", mentor_capacity=2, consent=False)  # a mentor is no mentee
        finish_activities(programme, 2)
    stage_2 = stages_of(coordinator_client, programme)[2]
    assert stage_2["state"] == "in_progress"
    assert stage_2["missing"] == [
        {
            "code": "mentees_without_consent",
            "message": stage_2["missing"][0]["message"],
            "count": 2,
        }
    ]
    assert "2" in stage_2["missing"][0]["message"]
    url = f"/api/v1/programmes/{programme.pk}/stages/2/"
    refused = coordinator_client.post(url, {"state": "done"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["missing"] == [stage_2["missing"][0]["message"]]


def test_stage_3_counts_mentors_and_their_consents(tenant_a, coordinator_client, programme):
    with schema_context(tenant_a.schema_name):
        assert codes(
            {"missing": [m.__dict__ for m in stage_reports(programme=programme)[2].missing]}
        ) == {"mentors", "activities_not_done"}
        mentor = builders.person(category="teacher", mentor_capacity=2, consent=False)
        finish_activities(programme, 3)
    stage_3 = stages_of(coordinator_client, programme)[3]
    assert codes(stage_3) == {"mentors_without_consent"}
    with schema_context(tenant_a.schema_name):
        builders.consent(participant=mentor, method="electronic")
    stage_3 = stages_of(coordinator_client, programme)[3]
    assert stage_3["missing"] == [] and stage_3["state"] == "in_progress"
    done = coordinator_client.post(
        f"/api/v1/programmes/{programme.pk}/stages/3/", {"state": "done"}, format="json"
    )
    assert done.status_code == 200


def test_stages_4_to_6_follow_their_activities(tenant_a, coordinator_client, programme):
    with schema_context(tenant_a.schema_name):
        activity = programme.activities.filter(stage=5).first()
        services.roadmap_activity_update(actor=SETUP, activity=activity, status="in_progress")
        RoadmapActivity.objects.filter(programme=programme, stage=6).update(status="cancelled")
    stages = stages_of(coordinator_client, programme)
    assert stages[4]["state"] == "not_started"
    assert stages[5]["state"] == "in_progress"
    assert stages[5]["activities"]["in_progress"] == 1
    assert stages[6]["missing"] == [] and stages[6]["state"] == "not_started"


def test_bad_stage_marks(coordinator_client, programme):
    base = f"/api/v1/programmes/{programme.pk}/stages"
    assert coordinator_client.post(f"{base}/7/", {"state": "done"}).status_code == 400
    bad_state = coordinator_client.post(f"{base}/1/", {"state": "not_started"})
    assert bad_state.status_code == 400 and "state" in bad_state.json()["errors"]


def test_later_apps_extend_a_stage_through_the_api_module(tenant_a, coordinator_client, programme):
    from schools.programmes import stages as tracker

    def mentees_without_pair(_programme):
        return Findings(
            missing=[MissingItem(code="mentees_without_pair", message="3 без пары", count=3)],
            started=True,
        )

    api.register_stage_check(4)(mentees_without_pair)
    try:
        stage_4 = stages_of(coordinator_client, programme)[4]
        assert "mentees_without_pair" in codes(stage_4) and stage_4["state"] == "in_progress"
    finally:
        tracker._CHECKS[4].remove(mentees_without_pair)
