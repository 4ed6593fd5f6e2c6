"""A pair's meetings (move, mark held with attendance, cancel) and the calendar link; the group
meeting with the preferences after it; a child's parents and guardians."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from accounts.models import Role
from tests import builders
from tests.conftest import SETUP
from tests.web.areas.core import STAFF

MEETING_WRITERS = {Role.COORDINATOR, Role.MENTOR}  # the page data's pair is in no curator's class

TENANT_ALLOWED = {
    "meeting-edit": MEETING_WRITERS,
    "meeting-held": MEETING_WRITERS,
    # GET: the plan's summary form, loaded when opened (a page without HTMX)
    "plan-summary": MEETING_WRITERS | {Role.MENTEE},
    "group-meetings": STAFF | {Role.MENTOR, Role.MENTEE},
    "matching-weights": STAFF,
    "invitations": {Role.COORDINATOR},
    "campaign-dates": {Role.COORDINATOR},
    # the mentor and the mentee came to it
    "group-meeting": STAFF | {Role.MENTOR, Role.MENTEE},
    # who came, ticked among the bases: its own page, the coordinator's
    "group-meeting-held": {Role.COORDINATOR},
    # their own choice (the coordinator names a person: without one, nobody's page is found)
    "group-meeting-preferences": {Role.MENTOR, Role.MENTEE},
    # the child is in no curator's class
    "guardianships": STAFF - {Role.CURATOR},
}
TENANT_ID_OF = {
    "meeting-edit": "meeting",
    "meeting-held": "meeting",
    "meeting-cancel": "meeting",
    "group-meeting": "groupmeeting",
    "group-meeting-edit": "groupmeeting",
    "group-meeting-held": "groupmeeting",
    "group-meeting-preferences": "groupmeeting",
    "guardianships": "guardianchild",
    "guardianship-delete": "guardianship",
    "pair-rate": "pair",
    "plan-summary": "developmentplan",
    "plan-goal-delete": "plangoal",
    "campaign-dates": "surveycampaign",
    "activity-delete": "roadmapactivity",
}


def tenant_objects(schema_name: str, users: dict[str, Any], ids: dict[str, Any]) -> dict[str, Any]:
    """The pair's planned meeting, a group meeting the mentor and the mentee came to, and a
    pupil with a parent."""
    from schools.matching import services as matching_services
    from schools.pairs.models import Meeting
    from schools.participants import api as participants
    from schools.programmes.models import Programme

    meeting = Meeting.objects.filter(pair_id=ids["pair"]).order_by("pk").first()
    assert meeting is not None
    mentee = participants.Participant.objects.get(user=users[Role.MENTEE])
    group = matching_services.group_meeting_create(
        programme=Programme.objects.get(pk=ids["programme"]),
        held_on=timezone.localdate(),
        place="Актовый зал",
        attendee_ids=[ids["participant"], mentee.pk],
        actor=SETUP,
    )
    today = timezone.localdate()
    child = builders.person(
        names="Орлов Денис",
        born=today.replace(year=today.year - 10) - datetime.timedelta(days=5),
        category="pupil",
        consent=False,
    )
    parent = builders.person(
        names="Орлова Вера Ильинична", category="parent", birth_date_known=False, consent=False
    )
    link = participants.guardianship_create(
        parent_id=parent.pk, child_id=child.pk, relation="mother", actor=SETUP
    )
    return {
        "meeting": meeting.pk,
        "groupmeeting": group.pk,
        "guardianchild": child.pk,
        "guardianship": link,
    }
