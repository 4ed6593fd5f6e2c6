"""Reads of the pairs app: pairs with their staleness, scopes by role, the mentor ranking,
meetings to remind of and a person's calendar."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    F,
    Func,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from accounts.actor import Actor
from schools.pairs import access
from schools.pairs.models import (
    STALE_AFTER_DAYS,
    DevelopmentPlan,
    GoalStatus,
    Meeting,
    MeetingStatus,
    Pair,
    PairMentee,
    PairStatus,
    PlanGoal,
    PracticeCase,
)
from schools.participants.api import participant_id_of_user, person_refs


def participant_id_of(actor: Actor) -> int | None:
    """The id of the participant whose login is ``actor``'s (mentors, mentees, parents have
    one)."""
    if actor.user_id is None or actor.is_system:
        return None
    return participant_id_of_user(user_id=actor.user_id)


def pair_is_stale(
    *,
    status: str,
    last_meeting_at: datetime.datetime | None,
    started_on: datetime.date,
    now: datetime.datetime,
) -> bool:
    """Python twin of ``pair_list``'s ``is_stale`` (the list of pairs computes it per row
    from ``last_meeting_at`` instead of selecting the annotation, whose SQL repeats the
    latest meeting's subquery twice more)."""
    if status != PairStatus.ACTIVE:
        return False
    threshold = now - datetime.timedelta(days=STALE_AFTER_DAYS)
    if last_meeting_at is None:
        return started_on < timezone.localdate(threshold)
    return last_meeting_at < threshold


def _last_held_meeting() -> Subquery:
    return Subquery(
        Meeting.objects.filter(pair=OuterRef("pk"), status=MeetingStatus.HELD)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )


def with_staleness(
    queryset: QuerySet[Pair], *, now: datetime.datetime | None = None
) -> QuerySet[Pair]:
    """Annotate ``is_stale`` over the queryset's ``last_meeting_at``: active, and no meeting
    held for ``STALE_AFTER_DAYS`` days (counting from the start when none was;
    ``pair_is_stale`` is the same rule in Python)."""
    now = now or timezone.now()
    threshold = now - datetime.timedelta(days=STALE_AFTER_DAYS)
    return queryset.annotate(
        is_stale=Case(
            When(
                Q(status=PairStatus.ACTIVE)
                & (
                    Q(last_meeting_at__lt=threshold)
                    | Q(
                        last_meeting_at__isnull=True,
                        started_on__lt=timezone.localdate(threshold),
                    )
                ),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def pair_list(*, now: datetime.datetime | None = None) -> QuerySet[Pair]:
    """Pairs with ``last_meeting_at`` (the latest held meeting) and ``is_stale``
    (``with_staleness``), their programme, mentor and memberships."""
    return with_staleness(
        Pair.objects.select_related("programme", "mentor")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=PairMentee.objects.select_related("mentee").order_by("id"),
            )
        )
        .annotate(last_meeting_at=_last_held_meeting()),
        now=now,
    )


def pair_rows() -> QuerySet[Pair]:
    """Pairs as the API lists them (``PairRows``): with ``last_meeting_at`` only. The list
    computes ``is_stale`` per row (``pair_is_stale``); the ``stale`` filter annotates it
    (``with_staleness`` over this queryset)."""
    return Pair.objects.annotate(last_meeting_at=_last_held_meeting())


class PairMenteesJSON(Func):
    """An annotation: a pair's memberships in the order of their ids, as a JSON list of
    ``[mentee id, last name, first name, middle name, rating]`` (the list of pairs reads them
    with its rows, not in a query of its own). Written out, since the ORM's ``JSONBAgg`` of a
    ``JSONObject`` costs more to build and compile than the rest of the page's query."""

    template = (
        "(SELECT COALESCE(jsonb_agg(jsonb_build_array(m.mentee_id, p.last_name, p.first_name,"
        " p.middle_name, m.rating) ORDER BY m.id), '[]'::jsonb)"
        ' FROM "pairs_pairmentee" m JOIN "participants_participant" p'
        " ON p.id = m.mentee_id WHERE m.pair_id = %(expressions)s)"
    )
    output_field = JSONField()

    def __init__(self) -> None:
        super().__init__(F("pk"))


def programme_pairs(*, programme_id: int) -> QuerySet[Pair]:
    """The programme's pairs with nothing fetched beside them: for the documents, which read
    the pairs' people themselves as plain values (``documents.document_pairs``)."""
    return Pair.objects.filter(programme_id=programme_id)


def pair_choices(
    *, programme_id: int | None = None, exclude_pk: int | None = None, limit: int = 300
) -> list[tuple[int, str]]:
    """Active pairs and groups as (id, «mentor's full name · form») for a select, by the
    mentor's surname: three columns of each row, not pairs with their members."""
    queryset = Pair.objects.filter(status=PairStatus.ACTIVE)
    if programme_id is not None:
        queryset = queryset.filter(programme_id=programme_id)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    rows = queryset.order_by("mentor__last_name", "pk").values_list(
        "pk", "mentor__last_name", "mentor__first_name", "mentor__middle_name", "form"
    )[:limit]
    forms = dict(Pair._meta.get_field("form").flatchoices)
    return [
        (pk, f"{' '.join(p for p in (last, first, middle) if p)} · {forms.get(form, form)}")
        for pk, last, first, middle, form in rows
    ]


def pairs_stale(*, programme_id: int | None = None) -> QuerySet[Pair]:
    queryset = pair_list().filter(is_stale=True)  # type: ignore[misc]  # an annotation
    if programme_id is not None:
        queryset = queryset.filter(programme_id=programme_id)
    return queryset


# Who sees which pair, plan, meeting: the rules are in ``schools.pairs.access``.


def pair_ids_of(actor: Actor) -> QuerySet[Pair] | None:
    """The pairs ``actor`` may see as a queryset of ids; None means every pair (staff)."""
    return access.pair_ids_visible_to(actor)


def pairs_visible_to(actor: Actor, queryset: QuerySet[Any], field: str = "pk") -> QuerySet[Any]:
    """``queryset`` filtered to rows whose ``field`` is a pair ``actor`` may see."""
    return access.pairs_visible_to(actor, queryset, field=field)


def may_write_meetings(actor: Actor, pair: Pair) -> bool:
    return access.may_write_meetings(actor, pair)


def plan_list() -> QuerySet[DevelopmentPlan]:
    return DevelopmentPlan.objects.select_related("pair", "mentee").prefetch_related(
        Prefetch("goals", queryset=PlanGoal.objects.order_by("position", "id"))
    )


def plans_visible_to(
    actor: Actor, queryset: QuerySet[DevelopmentPlan]
) -> QuerySet[DevelopmentPlan]:
    return access.plans_visible_to(actor, queryset)


def plans_editable_by(
    actor: Actor, queryset: QuerySet[DevelopmentPlan]
) -> QuerySet[DevelopmentPlan]:
    return access.plans_editable_by(actor, queryset)


def goal_list() -> QuerySet[PlanGoal]:
    return PlanGoal.objects.select_related("plan", "plan__pair")


def meeting_list() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("pair").prefetch_related("attendees")


def meeting_rows() -> QuerySet[Meeting]:
    """Meetings as the API answers them: the attendees' ids only (no pair row, no people), in
    the order of their ids, as ``meeting_attendee_ids`` gives them."""
    people = Meeting.attendees.rel.model._default_manager  # the people, named by their label
    return Meeting.objects.prefetch_related(
        Prefetch("attendees", queryset=people.only("pk").order_by("pk"))
    )


def meeting_attendee_ids() -> ArraySubquery:
    """An annotation: the participant ids of a meeting's attendees in ascending order (the
    list of meetings reads them with its rows, not in a query of its own)."""
    attendees = Meeting.attendees.through.objects.filter(meeting_id=OuterRef("pk"))
    return ArraySubquery(attendees.order_by("participant_id").values("participant_id"))


def practice_case_list() -> QuerySet[PracticeCase]:
    return PracticeCase.objects.all()


# A run claims a meeting before mailing its reminder; a claim older than this was never followed
# by the letter (the worker died in between) and the meeting is taken again.
REMINDER_CLAIM_MINUTES = 15


def meetings_to_remind(*, now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """Planned meetings of active pairs that start tomorrow (local time) and were not
    reminded of yet."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    lapsed = now - datetime.timedelta(minutes=REMINDER_CLAIM_MINUTES)
    return Meeting.objects.filter(
        Q(reminder_claimed_at__isnull=True) | Q(reminder_claimed_at__lt=lapsed),
        status=MeetingStatus.PLANNED,
        reminder_sent_at__isnull=True,
        pair__status=PairStatus.ACTIVE,
        starts_at__date=tomorrow,
    ).order_by("starts_at", "pk")


def meetings_of_participant(*, participant_id: int) -> QuerySet[Meeting]:
    """Every meeting of the pairs the person is the mentor or a mentee of."""
    pairs = Pair.objects.filter(
        Q(mentor_id=participant_id) | Q(memberships__mentee_id=participant_id)
    ).values("pk")
    return Meeting.objects.filter(pair_id__in=pairs).select_related("pair").order_by("starts_at")


# --- the mentor ranking (stage 6) ----------------------------------------------------------------


@dataclass(frozen=True)
class MentorRank:
    rank: int
    mentor_id: int
    mentor_name: str
    pairs: int
    completed_pairs: int
    ended_early_pairs: int
    mentees: int
    meetings_held: int
    mentee_rating_avg: float | None  # the mentees' final ratings (feedback), 1–10
    mentor_rating_avg: float | None  # the mentor's own final ratings, 1–10
    goals_done_share: float | None  # goals done of all goals in its mentees' plans, 0–1
    score: float


def _score(row: dict[str, Any]) -> float:
    """Feedback first (the mentees' ratings, 0–10), then outcomes: completed pairs, goals
    reached, meetings held; pairs that ended early count against."""
    rating: float = row["mentee_rating_avg"] or 0.0
    goals: float = row["goals_done_share"] or 0.0
    score: float = round(
        rating * 10
        + row["completed_pairs"] * 5
        + goals * 20
        + min(row["meetings_held"], 30) * 0.5
        - row["ended_early_pairs"] * 5,
        2,
    )
    return score


def mentor_ranking(*, programme_id: int | None = None) -> list[MentorRank]:
    """Mentors of the programme (or of all programmes) ranked by outcomes and feedback."""
    pairs = Pair.objects.all()
    if programme_id is not None:
        pairs = pairs.filter(programme_id=programme_id)
    rows: dict[int, dict[str, Any]] = {}
    for item in pairs.values("mentor_id").annotate(
        n=Count("pk"),
        completed=Count("pk", filter=Q(status=PairStatus.COMPLETED)),
        early=Count("pk", filter=Q(status=PairStatus.ENDED_EARLY)),
        own=Avg("mentor_rating"),
    ):
        rows[item["mentor_id"]] = {
            "pairs": item["n"],
            "completed_pairs": item["completed"],
            "ended_early_pairs": item["early"],
            "mentor_rating_avg": item["own"],
            "mentees": 0,
            "mentee_rating_avg": None,
            "meetings_held": 0,
            "goals_done_share": None,
        }
    memberships = PairMentee.objects.filter(pair__in=pairs)
    for item in memberships.values("pair__mentor_id").annotate(n=Count("pk"), avg=Avg("rating")):
        rows[item["pair__mentor_id"]].update(mentees=item["n"], mentee_rating_avg=item["avg"])
    held = Meeting.objects.filter(pair__in=pairs, status=MeetingStatus.HELD)
    for item in held.values("pair__mentor_id").annotate(n=Count("pk")):
        rows[item["pair__mentor_id"]]["meetings_held"] = item["n"]
    goals = PlanGoal.objects.filter(plan__pair__in=pairs).exclude(status=GoalStatus.DROPPED)
    for item in goals.values("plan__pair__mentor_id").annotate(
        n=Count("pk"), done=Count("pk", filter=Q(status=GoalStatus.DONE))
    ):
        rows[item["plan__pair__mentor_id"]]["goals_done_share"] = (
            item["done"] / item["n"] if item["n"] else None
        )
    names = {pk: ref.full_name for pk, ref in person_refs(participant_ids=rows).items()}
    scored = sorted(
        ((mentor_id, row, _score(row)) for mentor_id, row in rows.items()),
        key=lambda t: (-t[2], names.get(t[0], ""), t[0]),
    )
    return [
        MentorRank(
            rank=position,
            mentor_id=mentor_id,
            mentor_name=names.get(mentor_id, ""),
            pairs=row["pairs"],
            completed_pairs=row["completed_pairs"],
            ended_early_pairs=row["ended_early_pairs"],
            mentees=row["mentees"],
            meetings_held=row["meetings_held"],
            mentee_rating_avg=_round(row["mentee_rating_avg"]),
            mentor_rating_avg=_round(row["mentor_rating_avg"]),
            goals_done_share=_round(row["goals_done_share"]),
            score=score,
        )
        for position, (mentor_id, row, score) in enumerate(scored, start=1)
    ]


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)
