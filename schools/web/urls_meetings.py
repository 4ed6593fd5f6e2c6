"""Page routes of a pair's meetings and the calendar link, the group meeting with the
preferences after it and the weights of the score, the guardianships, the rest of a pair's own
work, and the invitations (the "school" namespace)."""

from django.urls import URLPattern, path

from schools.web import (
    views_groupmeeting,
    views_guardianships,
    views_invitations,
    views_meetings,
    views_pairplan,
    views_parity,
)

urlpatterns: list[URLPattern] = [
    path("meetings/<int:pk>/edit/", views_meetings.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/held/", views_meetings.meeting_held, name="meeting-held"),
    path("meetings/<int:pk>/cancel/", views_meetings.meeting_cancel, name="meeting-cancel"),
    path("calendar-link/", views_meetings.calendar_link_issue, name="calendar-link-issue"),
    path("calendar-link/revoke/", views_meetings.calendar_link_revoke, name="calendar-link-revoke"),
]
urlpatterns += [
    path("matching/group-meetings/", views_groupmeeting.group_meetings, name="group-meetings"),
    path(
        "matching/group-meetings/<int:pk>/",
        views_groupmeeting.group_meeting,
        name="group-meeting",
    ),
    path(
        "matching/group-meetings/<int:pk>/edit/",
        views_groupmeeting.group_meeting_edit,
        name="group-meeting-edit",
    ),
    path(
        "matching/group-meetings/<int:pk>/held/",
        views_groupmeeting.group_meeting_held,
        name="group-meeting-held",
    ),
    path(
        "matching/group-meetings/<int:pk>/preferences/",
        views_groupmeeting.group_meeting_preferences,
        name="group-meeting-preferences",
    ),
]
urlpatterns += [
    path(
        "participants/<int:pk>/guardians/",
        views_guardianships.guardianships,
        name="guardianships",
    ),
    path(
        "guardianships/<int:pk>/delete/",
        views_guardianships.guardianship_delete,
        name="guardianship-delete",
    ),
]
urlpatterns += [
    path("pairs/<int:pk>/rate/", views_pairplan.pair_rate, name="pair-rate"),
    path("plans/<int:pk>/summary/", views_pairplan.plan_summary, name="plan-summary"),
    path("plan-goals/<int:pk>/delete/", views_pairplan.plan_goal_delete, name="plan-goal-delete"),
]
urlpatterns += [
    path("matching/weights/", views_groupmeeting.matching_weights, name="matching-weights"),
]
urlpatterns += [
    path("invitations/", views_invitations.invitations, name="invitations"),
]
urlpatterns += [
    path("campaigns/<int:pk>/dates/", views_parity.campaign_dates, name="campaign-dates"),
    path(
        "programme/activities/<int:pk>/delete/",
        views_parity.activity_delete,
        name="activity-delete",
    ),
]
