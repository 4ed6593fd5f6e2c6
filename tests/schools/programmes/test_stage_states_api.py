"""``schools.programmes.api.stage_states``: the stage tracker as numbers and codes for the
regional layer."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from schools.programmes import api
from schools.programmes.models import Programme, ProgrammeStage, RoadmapActivity

CODES = ["preparation", "mentee_base", "mentor_base", "matching", "work", "completion"]


def test_six_stages_in_order_with_numbers_only(tenant_a, programme):
    with schema_context(tenant_a.schema_name):
        rows = api.stage_states(programme_id=programme.pk)
    assert [row["code"] for row in rows] == CODES
    assert [row["order"] for row in rows] == [1, 2, 3, 4, 5, 6]
    for row in rows:
        assert set(row) == {
            "code",
            "order",
            "status",
            "done",
            "activities_total",
            "activities_open",
            "overdue_activities",
            "due_by",
        }
        assert row["status"] in {"not_started", "in_progress", "done"}
        assert row["done"] is False


def test_overdue_activities_and_due_date_follow_the_roadmap(tenant_a, programme):
    with schema_context(tenant_a.schema_name):
        stage_1 = list(RoadmapActivity.objects.filter(programme=programme, stage=1))
        assert len(stage_1) >= 2, "the default roadmap has several stage 1 activities"
        last = max(activity.deadline for activity in stage_1)
        day_after = last + datetime.timedelta(days=1)
        # One activity done, one cancelled: neither is overdue; the cancelled one is not counted.
        done, cancelled = stage_1[0], stage_1[1]
        RoadmapActivity.objects.filter(pk=done.pk).update(
            status="done", completed_on=timezone.localdate()
        )
        RoadmapActivity.objects.filter(pk=cancelled.pk).update(status="cancelled")
        rows = {
            row["order"]: row
            for row in api.stage_states(programme_id=programme.pk, today=day_after)
        }
        remaining = RoadmapActivity.objects.filter(programme=programme, stage=1).exclude(
            pk=cancelled.pk
        )
        expected_due = max(activity.deadline for activity in remaining)
    assert rows[1]["activities_total"] == len(stage_1) - 1
    assert rows[1]["activities_open"] == len(stage_1) - 2
    assert rows[1]["overdue_activities"] == len(stage_1) - 2
    assert rows[1]["due_by"] == expected_due
    assert rows[1]["status"] == "in_progress"  # an activity is done: the stage has begun
    # Before the first deadline nothing is overdue.
    with schema_context(tenant_a.schema_name):
        first = min(a.deadline for a in stage_1)
        early = {r["order"]: r for r in api.stage_states(programme_id=programme.pk, today=first)}
    assert early[1]["overdue_activities"] == 0


def test_a_stage_marked_done_is_done(tenant_a, programme):
    with schema_context(tenant_a.schema_name):
        ProgrammeStage.objects.create(
            programme=programme, stage=3, marked_state="done", marked_at=timezone.now()
        )
        rows = {row["order"]: row for row in api.stage_states(programme_id=programme.pk)}
    assert rows[3]["done"] is True and rows[3]["status"] == "done"
    assert not any(rows[n]["done"] for n in (1, 2, 4, 5, 6))


def test_programme_of_a_year_and_unknown_ids(tenant_a, programme):
    with schema_context(tenant_a.schema_name):
        assert api.programme_id_for_year(academic_year=programme.academic_year) == programme.pk
        assert api.programme_id_for_year(academic_year=1999) is None
        with pytest.raises(Programme.DoesNotExist):
            api.stage_states(programme_id=programme.pk + 1000)
