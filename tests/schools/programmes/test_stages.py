"""The stage tracker: states and what is missing, computed from the programme, the roadmap and
the participants app; marking a stage done only when nothing is missing."""

from __future__ import annotations

from django.utils import timezone
from django_tenants.utils import schema_context

from schools.programmes import api, services
from schools.programmes import stages as tracker
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


def _activity_counts_by_the_orm(programme, today):
    """The ORM form ``activity_counts`` had: the reference its statement must agree with."""
    from django.db.models import Count, Q

    from schools.programmes.models import OPEN_ACTIVITY_STATUSES, ActivityStatus

    rows = (
        RoadmapActivity.objects.filter(programme=programme)
        .values("stage")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status=ActivityStatus.DONE)),
            cancelled=Count("id", filter=Q(status=ActivityStatus.CANCELLED)),
            in_progress=Count("id", filter=Q(status=ActivityStatus.IN_PROGRESS)),
            overdue=Count("id", filter=Q(status__in=OPEN_ACTIVITY_STATUSES, deadline__lt=today)),
        )
        .order_by("stage")
    )
    return {
        row["stage"]: tracker.ActivityCounts(
            total=row["total"],
            done=row["done"],
            cancelled=row["cancelled"],
            in_progress=row["in_progress"],
            overdue=row["overdue"],
        )
        for row in rows
    }


def _marks_by_the_orm(programme):
    """The stages' marks as the tracker read them with the ORM."""
    return {
        mark.stage: (mark.marked_state, mark.marked_at, mark.marked_by_id)
        for mark in ProgrammeStage.objects.filter(programme=programme)
    }


def _reads_agree(programme, *, days):
    """The tracker's one statement gives, for each day, the ORM's roadmap counts, marks and
    curators' flag (and without the counts when not asked), and so do ``activity_counts`` and
    ``stage_reports``."""
    import dataclasses

    marks = _marks_by_the_orm(programme)
    has_curators = programme.curators.exists()
    for day in days:
        reads = tracker._programme_reads(programme.pk, today=day)
        expected = _activity_counts_by_the_orm(programme, day)
        assert reads.activities == expected, day
        assert list(reads.activities) == list(expected)  # in the stages' order too
        assert tracker.activity_counts(programme=programme, today=day) == expected
        assert {
            stage: (mark.marked_state, mark.marked_at, mark.marked_by_id)
            for stage, mark in reads.marks.items()
        } == marks
        assert reads.has_curators is has_curators
        uncounted = tracker._programme_reads(programme.pk, today=day, count=False)
        assert uncounted == dataclasses.replace(reads, activities={})
    reports = stage_reports(programme=programme)
    today = timezone.localdate()
    assert {r.stage: r.activities for r in reports if r.activities.total} == (
        _activity_counts_by_the_orm(programme, today)
    )
    assert {r.stage: (r.state, r.marked_at, r.marked_by_id) for r in reports if r.marked_at} == {
        stage: (state, at, by) for stage, (state, at, by) in marks.items()
    }
    assert ("curators" in codes({"missing": [m.__dict__ for m in reports[0].missing]})) is (
        not has_curators
    )
    return reads


def test_the_tracker_reads_the_programme_as_the_orm_did(tenant_a, staff, programme, user_in):
    """The roadmap's counts per stage, the coordinator's marks and the curators, read in one
    statement, equal the ORM forms they replace for an empty programme, a varied roadmap
    (every status, deadlines either side of the day, stages with only activities, only a mark,
    or neither), a mark whose author is gone, curators removed and added, and a second
    programme whose rows must not count."""
    from datetime import timedelta

    from schools.programmes.models import Programme

    today = timezone.localdate()
    days = [today - timedelta(days=400), today, today + timedelta(days=1), today.replace(year=2100)]
    with schema_context(tenant_a.schema_name):
        empty = Programme.objects.create(academic_year=programme.academic_year + 1, title="Пустая")
        reads = _reads_agree(empty, days=days)
        assert (reads.activities, reads.marks, reads.has_curators) == ({}, {}, False)
        assert [r.state for r in stage_reports(programme=empty)] == ["not_started"] * 6

        assert _reads_agree(programme, days=days).activities  # the default roadmap
        activities = list(RoadmapActivity.objects.filter(programme=programme).order_by("pk"))
        statuses = ["planned", "in_progress", "done", "cancelled"]
        for i, activity in enumerate(activities):
            status = statuses[i % 4]
            RoadmapActivity.objects.filter(pk=activity.pk).update(
                status=status,
                completed_on=today if status == "done" else None,
                deadline=today + timedelta(days=(i % 3) - 1),  # yesterday, today, tomorrow
            )
        RoadmapActivity.objects.filter(programme=programme, stage=5).delete()  # no activities
        RoadmapActivity.objects.filter(programme=programme, stage=6).delete()  # only a mark
        gone = user_in(tenant_a.schema_name, "curator", "curator-gone", email="gone@alpha.ru")
        ProgrammeStage.objects.create(
            programme=programme,
            stage=1,
            marked_state="done",
            marked_at=timezone.now(),
            marked_by=staff["coordinator"],
        )
        ProgrammeStage.objects.create(
            programme=programme,
            stage=2,
            marked_state="in_progress",
            marked_at=timezone.now(),
            marked_by=gone,
        )
        ProgrammeStage.objects.create(
            programme=programme,
            stage=6,
            marked_state="in_progress",
            marked_at=timezone.now(),
        )
        programme.curators.add(gone)
        # the other programme's rows, which must not be counted with this one's
        RoadmapActivity.objects.create(
            programme=empty, stage=1, title="Чужое", deadline=today - timedelta(days=1)
        )
        ProgrammeStage.objects.create(
            programme=empty, stage=5, marked_state="done", marked_at=timezone.now()
        )
        reads = _reads_agree(programme, days=days)
        assert set(reads.activities) == {1, 2, 3, 4} and set(reads.marks) == {1, 2, 6}
        assert reads.activities[1].overdue > 0 and reads.activities[1].cancelled > 0
        assert reads.marks[2].marked_by_id == gone.pk
        _reads_agree(empty, days=days)

        gone.delete()  # the mark's author: its reference is NULL, its curatorship gone
        reads = _reads_agree(programme, days=days)
        assert reads.marks[2].marked_by_id is None and reads.has_curators  # the other curator
        programme.curators.clear()
        assert not _reads_agree(programme, days=days).has_curators
        inactive = user_in(tenant_a.schema_name, "curator", "curator-off", email="off@alpha.ru")
        inactive.is_active = False
        inactive.save(update_fields=["is_active"])
        programme.curators.add(inactive)  # a curator who cannot sign in is still appointed
        assert _reads_agree(programme, days=days).has_curators
        RoadmapActivity.objects.filter(programme=programme).delete()
        ProgrammeStage.objects.filter(programme=programme).delete()
        reads = _reads_agree(programme, days=days)
        assert (reads.activities, reads.marks) == ({}, {})
