from __future__ import annotations

from celery import shared_task

from config.db import tenant_connection
from config.tasks import TenantScopedTask
from regional.employers import services


@shared_task(base=TenantScopedTask, name="employers.placement_tenant_account_create")
def placement_tenant_account_create(placement_id: int) -> bool:
    """Create the placed mentor's invitation (and participant) inside the institution's
    schema, which the message names, then set their mentor capacity at the institution to
    what their active placements there hold. Safe to run twice."""
    created = services.placement_tenant_account_create(
        placement_id=placement_id, schema_name=tenant_connection().schema_name
    )
    placed_specialist_capacity_sync(placement_id=placement_id)
    return created


@shared_task(base=TenantScopedTask, name="employers.placement_tenant_capacity_sync")
def placement_tenant_capacity_sync(placement_id: int) -> bool:
    """Bring the placed specialist's mentor capacity in the institution's schema in line with
    their active placements there (e.g. after a placement ended). Idempotent."""
    return placed_specialist_capacity_sync(placement_id=placement_id)


def placed_specialist_capacity_sync(*, placement_id: int) -> bool:
    """In the institution's schema (the active one): the mentor profile of the placement's
    specialist follows their active placements at this institution. While one is active, the
    profile's capacity is what they hold together (a second placement of the same person adds
    to the first instead of replacing it). Once none is (the last placement ended or was
    cancelled), the specialist leaves the institution's mentor base — and so its matching and
    its counts (``mentors``, ``employer_specialist_mentors``) — at once; a new placement brings
    them back. Nothing changes for a specialist the institution does not have in its base.
    Returns whether the profile changed."""
    from regional.employers import api
    from regional.employers.models import Placement
    from schools.participants import api as participants

    placement = Placement.objects.select_related("institution").filter(pk=placement_id).first()
    if placement is None or placement.institution.schema_name != tenant_connection().schema_name:
        return False
    placed = next(
        (
            row
            for row in api.placed_mentors(institution_id=placement.institution_id)
            if row["employer_mentor_id"] == placement.employer_mentor_id
        ),
        None,
    )
    if placed is None:
        return False
    participant_id = participants.participant_find_duplicate(
        last_name=placed["last_name"],
        first_name=placed["first_name"],
        middle_name=placed["middle_name"],
        birth_date=None,
    )
    if participant_id is None:
        return False
    if placed["mentees_active"] < 1:
        person = participants.person_refs(participant_ids=[participant_id]).get(participant_id)
        if person is None or person.category != participants.Category.EMPLOYER_SPECIALIST:
            return False  # the institution's own mentor, whom it also recorded itself
        return participants.mentor_profile_remove(
            participant_id=participant_id, actor=services.PLACEMENT_ACTOR
        )
    current = participants.mentor_capacity(participant_id=participant_id)
    wanted = min(placed["mentees_active"], MAX_MENTOR_CAPACITY)
    if current is None or current == wanted:
        return False
    participants.mentor_profile_upsert(
        participant_id=participant_id, capacity=wanted, actor=services.PLACEMENT_ACTOR
    )
    return True


# The mentor profile's upper bound (``MentorProfile.capacity``).
MAX_MENTOR_CAPACITY = 50
