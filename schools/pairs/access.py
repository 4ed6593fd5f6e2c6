"""Who may see and do what with pairs and groups, their development plans and goals, their
meetings, and one's calendar link. The one place of these rules: the API's viewsets, the pages
and the services call the same functions (see ``schools.participants.access`` for the shape).

- Pairs and their meetings: the institution's staff see every pair; a mentor its own pairs; a
  mentee its own; a parent its children's.
- The coordinator forms, completes and ends pairs; the pair's mentor may also complete its
  active pair.
- Meetings are planned and recorded by the pair's mentor, the coordinator, or the curator of
  the class of someone in the pair.
- The development plan: the pair's mentor and the coordinator write its goals; the mentee
  reads them (and writes the plan's summary, in its own words, with them); its parent and the
  staff read the plan.
- The calendar link is the person's own."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from accounts import roles
from accounts.actor import Actor
from accounts.models import Role
from schools.pairs.models import (
    CalendarToken,
    DevelopmentPlan,
    Meeting,
    Pair,
    PairStatus,
    PlanGoal,
    PracticeCase,
)
from schools.participants.access import NotFound, found_by_id
from schools.participants.models import Participant

# --- pairs ------------------------------------------------------------------------------------


def pair_rule(actor: Actor) -> Q | None:
    """The pairs ``actor`` may see as a filter on ``Pair``; None means every pair."""
    if actor.is_system or actor.has_role(roles.STAFF):
        return None
    if actor.has_role({Role.MENTOR}) and actor.participant_id is not None:
        return Q(mentor_id=actor.participant_id)
    if actor.has_role({Role.MENTEE}) and actor.participant_id is not None:
        return Q(memberships__mentee_id=actor.participant_id)
    if actor.has_role(roles.PARENT):
        return Q(memberships__mentee_id__in=actor.scope)
    return Q(pk__in=[])


def pair_ids_visible_to(actor: Actor) -> QuerySet[Pair] | None:
    """The pairs ``actor`` may see as a subquery of ids; None means every pair."""
    rule = pair_rule(actor)
    return None if rule is None else Pair.objects.filter(rule).values("pk")  # type: ignore[return-value]


def pairs_visible_to(
    actor: Actor, queryset: QuerySet[Pair] | None = None, *, field: str = "pk"
) -> QuerySet[Pair]:
    """``queryset`` (pairs, or rows whose ``field`` is a pair id) cut to what ``actor`` sees."""
    queryset = Pair.objects.all() if queryset is None else queryset
    ids = pair_ids_visible_to(actor)
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


def may_manage_pairs(actor: Actor) -> bool:
    """Form pairs, end them early, re-assign mentees: the coordinator."""
    return actor.is_system or actor.is_coordinator


def is_pair_mentor(actor: Actor, pair: Pair) -> bool:
    return (
        actor.has_role({Role.MENTOR})
        and actor.participant_id is not None
        and pair.mentor_id == actor.participant_id
    )


def may_complete_pair(actor: Actor, pair: Pair) -> bool:
    """Complete an active pair with its result: the coordinator, or the pair's own mentor."""
    return pair.status == PairStatus.ACTIVE and (
        may_manage_pairs(actor) or is_pair_mentor(actor, pair)
    )


def check_pair_manage(actor: Actor) -> None:
    """Form a pair, end one early, re-assign a mentee, carry pairs over: the coordinator (or a
    system job)."""
    if not may_manage_pairs(actor):
        raise PermissionDenied


def check_pair_complete(actor: Actor, pair: Pair) -> None:
    """Complete the pair: the coordinator, or the pair's own mentor (``NotFound`` for a pair
    out of sight). Whether the pair is still active is the service's validation."""
    if not (actor.is_system or pairs_visible_to(actor).filter(pk=pair.pk).exists()):
        raise NotFound
    if not (may_manage_pairs(actor) or is_pair_mentor(actor, pair)):
        raise PermissionDenied


def check_pair_rate(actor: Actor, pair: Pair, participant_id: int) -> None:
    """A final rating is the person's own: its mentor or one of its mentees rates the pair,
    for itself only (a system job may record any)."""
    if actor.is_system:
        return
    if not pairs_visible_to(actor).filter(pk=pair.pk).exists():
        raise NotFound
    if not actor.has_role(roles.PAIR_MEMBERS) or actor.participant_id != participant_id:
        raise PermissionDenied


def access_pair_by_id(
    actor: Actor,
    pair_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[Pair] | None = None,
) -> Pair:
    """The pair, or ``NotFound`` (missing or not the actor's); for a write (manage the pair)
    ``PermissionDenied`` unless the actor is the coordinator."""
    return found_by_id(
        pairs_visible_to(actor, queryset),
        pair_id,
        write_refused=for_write and not may_manage_pairs(actor),
    )


# --- meetings ---------------------------------------------------------------------------------


def meetings_visible_to(
    actor: Actor, queryset: QuerySet[Meeting] | None = None
) -> QuerySet[Meeting]:
    queryset = Meeting.objects.all() if queryset is None else queryset
    return pairs_visible_to(actor, queryset, field="pair_id")  # type: ignore[arg-type,return-value]


def may_write_meetings(actor: Actor, pair: Pair) -> bool:
    """Plan, move, record and cancel the pair's meetings: the coordinator, the pair's mentor,
    and the curator of the class or group of someone in the pair."""
    if may_manage_pairs(actor) or is_pair_mentor(actor, pair):
        return True
    if actor.has_role({Role.CURATOR}):
        # the memberships the pair was read with (``pair_list`` prefetches them)
        people = [pair.mentor_id, *(m.mentee_id for m in pair.memberships.all())]
        return Participant.objects.filter(pk__in=people, study_group_id__in=actor.scope).exists()
    return False


def check_meeting_write(actor: Actor, pair: Pair) -> None:
    if not pairs_visible_to(actor).filter(pk=pair.pk).exists():
        raise NotFound
    if not may_write_meetings(actor, pair):
        raise PermissionDenied


def access_meeting_by_id(
    actor: Actor,
    meeting_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[Meeting] | None = None,
) -> Meeting:
    queryset = Meeting.objects.select_related("pair") if queryset is None else queryset
    found = meetings_visible_to(actor, queryset).filter(pk=meeting_id).first()
    if found is None:
        raise NotFound
    if for_write and not may_write_meetings(actor, found.pair):
        raise PermissionDenied
    return found


# --- development plans and goals --------------------------------------------------------------


def plans_visible_to(
    actor: Actor, queryset: QuerySet[DevelopmentPlan] | None = None
) -> QuerySet[DevelopmentPlan]:
    """Staff every plan; the mentor the plans of its pairs; a mentee its own; a parent its
    children's."""
    queryset = DevelopmentPlan.objects.all() if queryset is None else queryset
    if actor.is_system or actor.has_role(roles.STAFF):
        return queryset
    if actor.participant_id is not None and actor.has_role({Role.MENTOR}):
        return queryset.filter(pair__mentor_id=actor.participant_id)
    if actor.participant_id is not None and actor.has_role({Role.MENTEE}):
        return queryset.filter(mentee_id=actor.participant_id)
    if actor.has_role(roles.PARENT):
        return queryset.filter(mentee_id__in=actor.scope)
    return queryset.none()


def plans_editable_by(
    actor: Actor, queryset: QuerySet[DevelopmentPlan] | None = None
) -> QuerySet[DevelopmentPlan]:
    """The plans ``actor`` may write (summary and goals): the coordinator every plan, the
    mentor the plans of its pairs. The mentee reads its plan. (A pair that is no longer active
    takes no new goals: the services' validation says so next to the field.)"""
    queryset = DevelopmentPlan.objects.all() if queryset is None else queryset
    if actor.is_system or actor.is_coordinator:
        return queryset
    if actor.participant_id is not None and actor.has_role({Role.MENTOR}):
        return queryset.filter(pair__mentor_id=actor.participant_id)
    return queryset.none()


def plan_summaries_editable_by(
    actor: Actor, queryset: QuerySet[DevelopmentPlan] | None = None
) -> QuerySet[DevelopmentPlan]:
    """The plans whose summary (the plan's own words) ``actor`` may write: those whose goals it
    may write, and the mentee's own plan."""
    queryset = DevelopmentPlan.objects.all() if queryset is None else queryset
    if actor.participant_id is not None and actor.has_role({Role.MENTEE}):
        return queryset.filter(mentee_id=actor.participant_id)
    return plans_editable_by(actor, queryset)


def check_plan_summary_write(actor: Actor, plan: DevelopmentPlan) -> None:
    if not plans_visible_to(actor).filter(pk=plan.pk).exists():
        raise NotFound
    if not plan_summaries_editable_by(actor).filter(pk=plan.pk).exists():
        raise PermissionDenied


def may_edit_plan(actor: Actor, plan: DevelopmentPlan) -> bool:
    return plans_editable_by(actor).filter(pk=plan.pk).exists()


def check_plan_write(actor: Actor, plan: DevelopmentPlan) -> None:
    """``NotFound`` for a plan out of sight, ``PermissionDenied`` for one seen, not editable."""
    if not plans_visible_to(actor).filter(pk=plan.pk).exists():
        raise NotFound
    if not may_edit_plan(actor, plan):
        raise PermissionDenied


def access_plan_by_id(
    actor: Actor,
    plan_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[DevelopmentPlan] | None = None,
) -> DevelopmentPlan:
    found = plans_visible_to(actor, queryset).filter(pk=plan_id).first()
    if found is None:
        raise NotFound
    if for_write and not may_edit_plan(actor, found):
        raise PermissionDenied
    return found


def goals_visible_to(
    actor: Actor, queryset: QuerySet[PlanGoal] | None = None
) -> QuerySet[PlanGoal]:
    queryset = PlanGoal.objects.all() if queryset is None else queryset
    return queryset.filter(plan__in=plans_visible_to(actor).values("pk"))


def access_goal_by_id(
    actor: Actor,
    goal_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[PlanGoal] | None = None,
) -> PlanGoal:
    queryset = (
        PlanGoal.objects.select_related("plan", "plan__pair") if queryset is None else queryset
    )
    found = goals_visible_to(actor, queryset).filter(pk=goal_id).first()
    if found is None:
        raise NotFound
    if for_write and not may_edit_plan(actor, found.plan):
        raise PermissionDenied
    return found


# --- success stories (practice cases) -------------------------------------------------------------


def may_write_practice_cases(actor: Actor) -> bool:
    """Write the drafts of success stories: the coordinator and the curators."""
    return actor.is_system or actor.has_role(roles.COORDINATION_AND_CURATORS)


def check_practice_case_write(actor: Actor) -> None:
    if not may_write_practice_cases(actor):
        raise PermissionDenied


def check_practice_case_publish(actor: Actor) -> None:
    """Prepare the anonymised copy and publish it for the region: the coordinator."""
    if not may_manage_pairs(actor):
        raise PermissionDenied


def practice_cases_visible_to(
    actor: Actor, queryset: QuerySet[PracticeCase] | None = None
) -> QuerySet[PracticeCase]:
    """The institution's own success stories: its staff read every one."""
    queryset = PracticeCase.objects.all() if queryset is None else queryset
    return queryset if actor.is_system or actor.has_role(roles.STAFF) else queryset.none()


def access_practice_case_by_id(
    actor: Actor,
    case_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[PracticeCase] | None = None,
) -> PracticeCase:
    """The case, or ``NotFound``; for a write (edit the draft) ``PermissionDenied`` unless
    ``may_write_practice_cases`` (publishing is ``check_practice_case_publish``)."""
    found = practice_cases_visible_to(actor, queryset).filter(pk=case_id).first()
    if found is None:
        raise NotFound
    if for_write:
        check_practice_case_write(actor)
    return found


# --- the calendar link --------------------------------------------------------------------------


def calendar_tokens_visible_to(
    actor: Actor, queryset: QuerySet[CalendarToken] | None = None
) -> QuerySet[CalendarToken]:
    """One's own calendar link only (staff included: a link is personal)."""
    queryset = CalendarToken.objects.all() if queryset is None else queryset
    if actor.user_id is None or actor.is_system:
        return queryset.none()
    return queryset.filter(participant__user_id=actor.user_id)


def check_calendar_link(actor: Actor, participant_id: int) -> None:
    """A calendar link is made and switched off by its own person only (a system job may)."""
    if actor.is_system:
        return
    own = (
        actor.user_id is not None
        and Participant.objects.filter(pk=participant_id, user_id=actor.user_id).exists()
    )
    if not own:
        raise PermissionDenied


__all__ = [
    "NotFound",
    "access_goal_by_id",
    "access_meeting_by_id",
    "access_pair_by_id",
    "access_plan_by_id",
    "access_practice_case_by_id",
    "calendar_tokens_visible_to",
    "check_calendar_link",
    "check_meeting_write",
    "check_pair_complete",
    "check_pair_manage",
    "check_pair_rate",
    "check_plan_summary_write",
    "check_plan_write",
    "check_practice_case_publish",
    "check_practice_case_write",
    "goals_visible_to",
    "is_pair_mentor",
    "may_complete_pair",
    "may_edit_plan",
    "may_manage_pairs",
    "may_write_meetings",
    "may_write_practice_cases",
    "meetings_visible_to",
    "pair_ids_visible_to",
    "pair_rule",
    "pairs_visible_to",
    "plan_summaries_editable_by",
    "plans_editable_by",
    "plans_visible_to",
    "practice_cases_visible_to",
]
