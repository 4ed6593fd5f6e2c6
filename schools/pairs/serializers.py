"""Input and output serializers of the pairs API (separate, as everywhere)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers

from config.api.rows import Row, Rows, current_zone, iso_date, iso_datetime
from schools.pairs import selectors
from schools.pairs.models import (
    RATING_MAX,
    RATING_MIN,
    DevelopmentPlan,
    GoalStatus,
    Meeting,
    MeetingKind,
    Pair,
    PlanGoal,
    PracticeCase,
)
from schools.participants.api import full_name_of
from schools.programmes.models import MentoringForm


class PersonOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class PairMenteeOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="mentee.pk")
    full_name = serializers.CharField(source="mentee.full_name")
    rating = serializers.IntegerField(allow_null=True)


class PairOutput(serializers.ModelSerializer[Pair]):
    mentor = PersonOutput()
    # A nested field (built once per list), not a method making a serializer per pair.
    mentees = PairMenteeOutput(source="memberships", many=True, read_only=True)
    last_meeting_at = serializers.DateTimeField(read_only=True, allow_null=True, default=None)
    is_stale = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Pair
        fields = [
            "id",
            "programme",
            "form",
            "mentor",
            "mentees",
            "started_on",
            "ended_on",
            "status",
            "end_reason",
            "outcome",
            "mentor_rating",
            "last_meeting_at",
            "is_stale",
            "created_at",
        ]


class PairRows(Rows):
    """The list of pairs: ``PairOutput``'s rows from plain values, the mentees read with them
    (``selectors.PairMenteesJSON``), ``is_stale`` from ``last_meeting_at`` by the Python rule
    (``selectors.pair_is_stale``; the annotation stays for the filter and the ordering)."""

    def select(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return (
            queryset.prefetch_related(None)
            .annotate(mentee_list=selectors.PairMenteesJSON())
            .values(
                "id",
                "programme",
                "form",
                "mentor",
                "mentor__last_name",
                "mentor__first_name",
                "mentor__middle_name",
                "mentee_list",
                "started_on",
                "ended_on",
                "status",
                "end_reason",
                "outcome",
                "mentor_rating",
                "last_meeting_at",
                "created_at",
            )
        )

    def output(self, rows: Sequence[Row]) -> list[Row]:
        zone = current_zone()
        now = timezone.now()
        stale = selectors.pair_is_stale
        return [
            {
                "id": row["id"],
                "programme": row["programme"],
                "form": row["form"],
                "mentor": {
                    "id": row["mentor"],
                    "full_name": full_name_of(
                        row["mentor__last_name"],
                        row["mentor__first_name"],
                        row["mentor__middle_name"],
                    ),
                },
                "mentees": [
                    {"id": pk, "full_name": full_name_of(last, first, middle), "rating": rating}
                    for pk, last, first, middle, rating in row["mentee_list"]
                ],
                "started_on": iso_date(row["started_on"]),
                "ended_on": iso_date(row["ended_on"]),
                "status": row["status"],
                "end_reason": row["end_reason"],
                "outcome": row["outcome"],
                "mentor_rating": row["mentor_rating"],
                "last_meeting_at": iso_datetime(row["last_meeting_at"], zone),
                "is_stale": stale(
                    status=row["status"],
                    last_meeting_at=row["last_meeting_at"],
                    started_on=row["started_on"],
                    now=now,
                ),
                "created_at": iso_datetime(row["created_at"], zone),
            }
            for row in rows
        ]


class PairCreateInput(serializers.Serializer[Any]):
    programme = serializers.IntegerField()
    mentor = serializers.IntegerField(help_text="The mentor's participant id.")
    mentees = serializers.ListField(
        child=serializers.IntegerField(), allow_empty=False, help_text="Participant ids."
    )
    form = serializers.ChoiceField(choices=MentoringForm.choices)
    started_on = serializers.DateField(required=False)


class PairEndInput(serializers.Serializer[Any]):
    reason = serializers.CharField()
    ended_on = serializers.DateField(required=False)


class PairCompleteInput(serializers.Serializer[Any]):
    outcome = serializers.CharField()
    mentor_rating = serializers.IntegerField(
        required=False, allow_null=True, min_value=RATING_MIN, max_value=RATING_MAX
    )
    ended_on = serializers.DateField(required=False)


class PairRateInput(serializers.Serializer[Any]):
    rating = serializers.IntegerField(min_value=RATING_MIN, max_value=RATING_MAX)


class MentorRankOutput(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    mentor_id = serializers.IntegerField()
    mentor_name = serializers.CharField()
    pairs = serializers.IntegerField()
    completed_pairs = serializers.IntegerField()
    ended_early_pairs = serializers.IntegerField()
    mentees = serializers.IntegerField()
    meetings_held = serializers.IntegerField()
    mentee_rating_avg = serializers.FloatField(allow_null=True)
    mentor_rating_avg = serializers.FloatField(allow_null=True)
    goals_done_share = serializers.FloatField(allow_null=True)
    score = serializers.FloatField()


class PlanGoalOutput(serializers.ModelSerializer[PlanGoal]):
    class Meta:
        model = PlanGoal
        fields = [
            "id",
            "plan",
            "title",
            "tasks",
            "deadline",
            "progress",
            "status",
            "position",
            "updated_at",
        ]


class PlanGoalInput(serializers.Serializer[Any]):
    plan = serializers.IntegerField()
    title = serializers.CharField(max_length=300)
    tasks = serializers.CharField(required=False, allow_blank=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    progress = serializers.IntegerField(required=False, min_value=0, max_value=100)
    status = serializers.ChoiceField(choices=GoalStatus.choices, required=False)
    position = serializers.IntegerField(required=False, min_value=0)


class PlanGoalUpdateInput(PlanGoalInput):
    plan = None  # type: ignore[assignment]


class DevelopmentPlanOutput(serializers.ModelSerializer[DevelopmentPlan]):
    mentee = PersonOutput()
    goals = PlanGoalOutput(many=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = DevelopmentPlan
        fields = ["id", "pair", "mentee", "summary", "goals", "progress", "updated_at"]

    def get_progress(self, plan: DevelopmentPlan) -> int | None:
        """The average progress of the goals not dropped, 0–100."""
        goals = [g for g in plan.goals.all() if g.status != GoalStatus.DROPPED]
        if not goals:
            return None
        return round(sum(g.progress for g in goals) / len(goals))


class DevelopmentPlanInput(serializers.Serializer[Any]):
    summary = serializers.CharField(allow_blank=True)


class MeetingOutput(serializers.ModelSerializer[Meeting]):
    attendees: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "pair",
            "kind",
            "starts_at",
            "duration_minutes",
            "place",
            "link",
            "status",
            "attendees",
            "notes",
            "outcomes",
            "reminder_sent_at",
            "created_at",
        ]


class MeetingRows(Rows):
    """The list of meetings: ``MeetingOutput``'s rows from plain values, the attendees read
    with them (``selectors.meeting_attendee_ids``)."""

    def select(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return (
            queryset.prefetch_related(None)
            .annotate(attendee_ids=selectors.meeting_attendee_ids())
            .values(
                "id",
                "pair",
                "kind",
                "starts_at",
                "duration_minutes",
                "place",
                "link",
                "status",
                "attendee_ids",
                "notes",
                "outcomes",
                "reminder_sent_at",
                "created_at",
            )
        )

    def output(self, rows: Sequence[Row]) -> list[Row]:
        zone = current_zone()
        return [
            {
                "id": row["id"],
                "pair": row["pair"],
                "kind": row["kind"],
                "starts_at": iso_datetime(row["starts_at"], zone),
                "duration_minutes": row["duration_minutes"],
                "place": row["place"],
                "link": row["link"],
                "status": row["status"],
                "attendees": row["attendee_ids"],
                "notes": row["notes"],
                "outcomes": row["outcomes"],
                "reminder_sent_at": iso_datetime(row["reminder_sent_at"], zone),
                "created_at": iso_datetime(row["created_at"], zone),
            }
            for row in rows
        ]


class MeetingInput(serializers.Serializer[Any]):
    pair = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(required=False, min_value=5, max_value=600)
    place = serializers.CharField(required=False, allow_blank=True, max_length=300)
    link = serializers.URLField(required=False, allow_blank=True, max_length=500)
    notes = serializers.CharField(required=False, allow_blank=True)


class MeetingUpdateInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=MeetingKind.choices, required=False)
    starts_at = serializers.DateTimeField(required=False)
    duration_minutes = serializers.IntegerField(required=False, min_value=5, max_value=600)
    place = serializers.CharField(required=False, allow_blank=True, max_length=300)
    link = serializers.URLField(required=False, allow_blank=True, max_length=500)
    notes = serializers.CharField(required=False, allow_blank=True)
    outcomes = serializers.CharField(required=False, allow_blank=True)


class AttendanceInput(serializers.Serializer[Any]):
    attendees = serializers.ListField(
        child=serializers.IntegerField(), help_text="Participant ids of those who attended."
    )
    outcomes = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class HiddenItem(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="name, person, email, link, phone, inn or snils")
    text = serializers.CharField()


class PracticeCaseOutput(serializers.ModelSerializer[PracticeCase]):
    preview_hidden = HiddenItem(many=True, read_only=True)
    preview_current = serializers.SerializerMethodField(
        help_text="Whether the prepared copy is of the current draft (publishing needs it)."
    )

    class Meta:
        model = PracticeCase
        fields = [
            "id",
            "programme",
            "pair",
            "form",
            "title",
            "text",
            "status",
            "preview_status",
            "preview_title",
            "preview_text",
            "preview_hidden",
            "preview_current",
            "published_title",
            "published_text",
            "published_at",
            "created_at",
        ]

    def get_preview_current(self, obj: PracticeCase) -> bool:
        from schools.pairs.services import practice_case_digest

        return bool(obj.preview_of) and obj.preview_of == practice_case_digest(obj)


class PracticeCaseInput(serializers.Serializer[Any]):
    programme = serializers.IntegerField()
    pair = serializers.IntegerField(required=False, allow_null=True)
    form = serializers.ChoiceField(choices=MentoringForm.choices)
    title = serializers.CharField(max_length=300)
    text = serializers.CharField()


class PracticeCaseUpdateInput(serializers.Serializer[Any]):
    form = serializers.ChoiceField(choices=MentoringForm.choices, required=False)
    title = serializers.CharField(max_length=300, required=False)
    text = serializers.CharField(required=False)


class CalendarLinkStateOutput(serializers.Serializer[Any]):
    participant = serializers.IntegerField(source="participant_id")
    created_at = serializers.DateTimeField()


class CalendarLinkOutput(serializers.Serializer[Any]):
    url = serializers.CharField(help_text="The secret address of the feed; shown once.")
