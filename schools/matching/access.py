"""Who may see what of matching: the group meetings before matching and the preferences
stated at them. The one place of these rules (the API and the pages call it).

- Group meetings: the institution's staff see every one; a mentor or a mentee the meetings it
  attended; nobody else (a parent does not take part in matching).
- Preferences: staff see all of a meeting; a mentor or a mentee only those it stated."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts import roles
from accounts.actor import Actor
from schools.matching.models import GroupMeeting, Preference


def group_meetings_visible_to(
    actor: Actor, queryset: QuerySet[GroupMeeting] | None = None
) -> QuerySet[GroupMeeting]:
    queryset = GroupMeeting.objects.all() if queryset is None else queryset
    if actor.is_system or actor.has_role(roles.STAFF):
        return queryset
    if actor.has_role(roles.PAIR_MEMBERS) and actor.participant_id is not None:
        attended = GroupMeeting.objects.filter(attendees=actor.participant_id).values("pk")
        return queryset.filter(pk__in=attended)
    return queryset.none()


def preferences_visible_to(actor: Actor, meeting: GroupMeeting) -> QuerySet[Preference]:
    queryset = meeting.preferences.select_related("from_participant", "to_participant")
    if actor.is_system or actor.has_role(roles.STAFF):
        return queryset
    if actor.has_role(roles.PAIR_MEMBERS) and actor.participant_id is not None:
        return queryset.filter(from_participant_id=actor.participant_id)
    return queryset.none()


__all__ = ["group_meetings_visible_to", "preferences_visible_to"]
