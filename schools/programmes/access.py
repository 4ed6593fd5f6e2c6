"""Who may read and change the programme: its set-up, its approval, the next year. The one
place of these rules (the services, the API and the pages call it).

- Every staff member (the coordinator, the curators, the director and the deputies) reads the
  programme; the coordinator sets it up and prepares its orders; the director approves it (and
  signs the orders); the coordinator starts the next year from it.
- A system job (seeding, a migration of data) may do everything it is asked to."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts import roles
from accounts.actor import Actor
from schools.participants.access import NotFound
from schools.programmes.models import RoadmapActivity

# What a curator may change of an activity it is responsible for: marking it done (or not).
CURATOR_ACTIVITY_FIELDS = frozenset({"status", "completed_on"})


def require(allowed: bool) -> None:
    """Raise ``PermissionDenied`` (a 403) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied


def can_read_programme(*, actor: Actor) -> bool:
    return actor.is_system or actor.has_role(roles.STAFF)


def can_set_up_programme(*, actor: Actor) -> bool:
    """The coordinator fills in the set-up (and prepares the orders)."""
    return actor.is_system or actor.is_coordinator


def can_approve_programme(*, actor: Actor) -> bool:
    """The director approves the programme, its orders and the pairs."""
    return actor.is_system or actor.has_role(roles.DIRECTOR)


def check_set_up(*, actor: Actor) -> None:
    """The programme, its roadmap and its stages are set up by the coordinator."""
    require(can_set_up_programme(actor=actor))


def is_responsible_curator(*, actor: Actor, activity: RoadmapActivity) -> bool:
    if actor.user_id is None or not actor.has_role(roles.CURATORS):
        return False
    return activity.responsible_people.filter(pk=actor.user_id).exists()


def may_mark_activity(*, actor: Actor, activity: RoadmapActivity) -> bool:
    """Mark an activity done: the coordinator, or a curator responsible for it."""
    return can_set_up_programme(actor=actor) or is_responsible_curator(
        actor=actor, activity=activity
    )


def check_activity_update(
    *, actor: Actor, activity: RoadmapActivity, fields: Iterable[str]
) -> None:
    """The coordinator changes anything of an activity; a curator responsible for it only its
    status (``CURATOR_ACTIVITY_FIELDS``); nobody else anything."""
    if can_set_up_programme(actor=actor):
        return
    if not is_responsible_curator(actor=actor, activity=activity):
        raise PermissionDenied(_("You are not responsible for this activity."))
    if set(fields) - CURATOR_ACTIVITY_FIELDS:
        raise PermissionDenied(_("A curator may change only the status of an activity."))


def can_start_next_year(*, actor: Actor) -> bool:
    """Only the coordinator starts a new programme year (a system job may too)."""
    return actor.is_system or actor.is_coordinator


# --- the roadmap's activities -----------------------------------------------------------------


def roadmap_activities_visible_to(
    actor: Actor, queryset: QuerySet[RoadmapActivity] | None = None
) -> QuerySet[RoadmapActivity]:
    """The roadmap is read by whoever reads the programme (the staff)."""
    queryset = RoadmapActivity.objects.all() if queryset is None else queryset
    return queryset if can_read_programme(actor=actor) else queryset.none()


def access_activity_by_id(
    actor: Actor,
    activity_id: int,
    *,
    for_write: bool = False,
    queryset: QuerySet[RoadmapActivity] | None = None,
) -> RoadmapActivity:
    """The activity, or ``NotFound``; for a write ``PermissionDenied`` unless
    ``may_mark_activity`` (the coordinator any, a curator those it is responsible for; what
    each may change is ``check_activity_update``, and the pages' roles)."""
    found = roadmap_activities_visible_to(actor, queryset).filter(pk=activity_id).first()
    if found is None:
        raise NotFound
    if for_write and not may_mark_activity(actor=actor, activity=found):
        raise PermissionDenied
    return found


__all__ = [
    "CURATOR_ACTIVITY_FIELDS",
    "access_activity_by_id",
    "can_approve_programme",
    "can_read_programme",
    "can_set_up_programme",
    "can_start_next_year",
    "check_activity_update",
    "check_set_up",
    "is_responsible_curator",
    "may_mark_activity",
    "require",
    "roadmap_activities_visible_to",
]
