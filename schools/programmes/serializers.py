"""Input and output serializers of the programmes API."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.rows import Row, Rows, current_zone, iso_datetime
from config.links import absolute_url
from schools.programmes import selectors
from schools.programmes.models import (
    RESPONSIBLE_ROLE_CHOICES,
    ActivityStatus,
    MentoringForm,
    Programme,
    ProgrammeStatus,
    RoadmapActivity,
    Stage,
    StageState,
)

HEADCOUNT_MAX = 1_000_000


# --- Programmes -------------------------------------------------------------------------------


class ProgrammeOutput(serializers.ModelSerializer[Programme]):
    curators: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = Programme
        fields = [
            "id",
            "academic_year",
            "title",
            "forms",
            "goals",
            "planned_results",
            "status",
            "coordinator",
            "curators",
            "headcount_learners",
            "headcount_teachers",
            "headcount_young_teachers",
            "created_at",
            "updated_at",
        ]


class ProgrammeRows(Rows):
    """The list of programmes: ``ProgrammeOutput``'s rows from plain values."""

    def select(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return (
            queryset.prefetch_related(None)
            .annotate(curator_ids=selectors.programme_curator_ids())
            .values(
                "id",
                "academic_year",
                "title",
                "forms",
                "goals",
                "planned_results",
                "status",
                "coordinator",
                "curator_ids",
                "headcount_learners",
                "headcount_teachers",
                "headcount_young_teachers",
                "created_at",
                "updated_at",
            )
        )

    def output(self, rows: Sequence[Row]) -> list[Row]:
        zone = current_zone()
        return [
            {
                "id": row["id"],
                "academic_year": row["academic_year"],
                "title": row["title"],
                "forms": list(row["forms"]),
                "goals": row["goals"],
                "planned_results": row["planned_results"],
                "status": row["status"],
                "coordinator": row["coordinator"],
                "curators": row["curator_ids"],
                "headcount_learners": row["headcount_learners"],
                "headcount_teachers": row["headcount_teachers"],
                "headcount_young_teachers": row["headcount_young_teachers"],
                "created_at": iso_datetime(row["created_at"], zone),
                "updated_at": iso_datetime(row["updated_at"], zone),
            }
            for row in rows
        ]


class ProgrammeInput(serializers.Serializer[Any]):
    academic_year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=300)
    forms = serializers.ListField(
        child=serializers.ChoiceField(choices=MentoringForm.choices), required=False
    )
    goals = serializers.CharField(required=False, allow_blank=True)
    planned_results = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ProgrammeStatus.choices, required=False)
    coordinator = serializers.IntegerField(required=False, allow_null=True)
    curators = serializers.ListField(child=serializers.IntegerField(), required=False)
    headcount_learners = serializers.IntegerField(
        min_value=0, max_value=HEADCOUNT_MAX, required=False
    )
    headcount_teachers = serializers.IntegerField(
        min_value=0, max_value=HEADCOUNT_MAX, required=False
    )
    headcount_young_teachers = serializers.IntegerField(
        min_value=0, max_value=HEADCOUNT_MAX, required=False
    )


class ProgrammeCreateInput(ProgrammeInput):
    with_default_roadmap = serializers.BooleanField(default=True)


def programme_service_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    """Validated programme input → keyword arguments of the programme services."""
    kwargs = dict(data)
    if "coordinator" in kwargs:
        kwargs["coordinator_id"] = kwargs.pop("coordinator")
    if "curators" in kwargs:
        kwargs["curator_ids"] = kwargs.pop("curators")
    return kwargs


# --- Stages -----------------------------------------------------------------------------------


class MissingItemOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()
    count = serializers.IntegerField(allow_null=True)


class ActivityCountsOutput(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    overdue = serializers.IntegerField()
    open = serializers.IntegerField()


class StageOutput(serializers.Serializer[Any]):
    stage = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=StageState.choices)
    missing = MissingItemOutput(many=True)
    can_be_done = serializers.BooleanField()
    activities = ActivityCountsOutput()
    marked_at = serializers.DateTimeField(allow_null=True)
    marked_by = serializers.IntegerField(source="marked_by_id", allow_null=True)


class StageMarkInput(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=[StageState.IN_PROGRESS, StageState.DONE])


# --- Roadmap ----------------------------------------------------------------------------------


class RoadmapActivityOutput(serializers.ModelSerializer[RoadmapActivity]):
    responsible_people: serializers.PrimaryKeyRelatedField[Any] = (
        serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    )
    is_overdue = serializers.SerializerMethodField()
    document_name = serializers.SerializerMethodField()
    document_url = serializers.SerializerMethodField()

    class Meta:
        model = RoadmapActivity
        fields = [
            "id",
            "programme",
            "stage",
            "position",
            "title",
            "content",
            "deadline",
            "responsible_roles",
            "responsible_people",
            "status",
            "completed_on",
            "is_overdue",
            "document_name",
            "document_url",
            "created_at",
            "updated_at",
        ]

    def get_is_overdue(self, activity: RoadmapActivity) -> bool:
        """Deadline passed and the activity neither done nor cancelled."""
        return bool(getattr(activity, "is_overdue", False))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_document_name(self, activity: RoadmapActivity) -> str | None:
        return os.path.basename(activity.document.name) if activity.document else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_document_url(self, activity: RoadmapActivity) -> str | None:
        """Where to download the document (through the API, inside the caller's scope)."""
        if not activity.document:
            return None
        path = reverse("roadmap-activity-document", args=[activity.pk])
        request = self.context.get("request")
        return absolute_url(request.get_host(), path) if request is not None else path


class RoadmapActivityInput(serializers.Serializer[Any]):
    programme = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    position = serializers.IntegerField(min_value=0, max_value=10_000, required=False)
    title = serializers.CharField(max_length=500)
    content = serializers.CharField(required=False, allow_blank=True)
    deadline = serializers.DateField()
    responsible_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=RESPONSIBLE_ROLE_CHOICES), required=False
    )
    responsible_people = serializers.ListField(child=serializers.IntegerField(), required=False)
    status = serializers.ChoiceField(choices=ActivityStatus.choices, required=False)
    completed_on = serializers.DateField(required=False, allow_null=True)
    document = serializers.FileField(required=False, allow_null=True, max_length=200)


class RoadmapActivityUpdateInput(RoadmapActivityInput):
    programme = None  # type: ignore[assignment]  # an activity never moves to another programme


# What a curator may change on an activity it is responsible for.


def activity_service_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    kwargs = dict(data)
    if "responsible_people" in kwargs:
        kwargs["responsible_people_ids"] = kwargs.pop("responsible_people")
    return kwargs
