"""The records area: the mentor and mentee bases, roadmap activities, a parent's consents."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from accounts.models import Role
from tests import builders
from tests.web.areas.core import STAFF

COORDINATOR = {Role.COORDINATOR}
# The page-test data put the mentor and the mentee in no study group: a curator does not see them.
SEEN_BY_ALL_STAFF_BUT_CURATORS = STAFF - {Role.CURATOR}

TENANT_ALLOWED = {
    "bases": STAFF,
    "bases-mentor": SEEN_BY_ALL_STAFF_BUT_CURATORS,
    "bases-mentor-edit": COORDINATOR,
    "bases-mentee": SEEN_BY_ALL_STAFF_BUT_CURATORS,
    "bases-mentee-edit": COORDINATOR,
    "activity-edit": COORDINATOR,
    "activity-reschedule": COORDINATOR,  # GET: the form (the edit page without HTMX)
    "my-consents": {Role.PARENT},
    "my-consent-withdraw": {Role.PARENT},
}
TENANT_ID_OF = {
    "bases-mentor": "mentorprofile",
    "bases-mentor-edit": "mentorprofile",
    "bases-mentee": "menteeprofile",
    "bases-mentee-edit": "menteeprofile",
    "activity-edit": "roadmapactivity",
    "activity-reschedule": "roadmapactivity",
    "activity-done": "roadmapactivity",
    "my-consent-withdraw": "child",
}
# Table rows that HTMX puts back (no page frame).
FRAGMENTS = {"bases-mentor", "bases-mentee"}


def tenant_objects(schema_name: str, users: dict[str, Any], ids: dict[str, int]) -> dict[str, int]:
    """The profiles' ids, one roadmap activity, and the parent's child (with a consent the
    parent signed)."""
    from schools.participants.selectors import mentee_profile_list, mentor_profile_list
    from schools.programmes.selectors import roadmap_activity_list

    mentor = mentor_profile_list().get(participant_id=ids["participant"])
    mentee = mentee_profile_list().exclude(participant_id=ids["participant"]).first()
    assert mentee is not None
    activity = roadmap_activity_list().filter(programme_id=ids["programme"]).first()
    assert activity is not None
    today = timezone.localdate()
    child = builders.person(
        last_name="Смирнов",
        first_name="Кирилл",
        born=today.replace(year=today.year - 11) - datetime.timedelta(days=3),
        category="pupil",
        consent=False,
    )
    parent = builders.parent(child=child, first_name="Елена", user_id=users[Role.PARENT].pk)
    builders.consent(participant=child, guardian=parent.full_name)
    return {
        "mentorprofile": mentor.pk,
        "menteeprofile": mentee.pk,
        "roadmapactivity": activity.pk,
        "child": child.pk,
    }
