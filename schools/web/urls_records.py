"""Page routes of the workspace: the bases, roadmap activities, a parent's consents."""

from django.urls import URLPattern, path

from schools.web import views_records as views

urlpatterns: list[URLPattern] = [
    path("bases/", views.bases, name="bases"),
    path("bases/mentors/<int:pk>/", views.mentor_row, name="bases-mentor"),
    path("bases/mentors/<int:pk>/edit/", views.mentor_edit, name="bases-mentor-edit"),
    path("bases/mentees/<int:pk>/", views.mentee_row, name="bases-mentee"),
    path("bases/mentees/<int:pk>/edit/", views.mentee_edit, name="bases-mentee-edit"),
    path("programme/activities/", views.activity_create, name="activity-create"),
    path("programme/activities/<int:pk>/edit/", views.activity_edit, name="activity-edit"),
    path(
        "programme/activities/<int:pk>/reschedule/",
        views.activity_reschedule,
        name="activity-reschedule",
    ),
    path("programme/activities/<int:pk>/done/", views.activity_done, name="activity-done"),
    path("my/consents/", views.my_consents, name="my-consents"),
    path(
        "my/consents/<int:pk>/withdraw/",
        views.my_consent_withdraw,
        name="my-consent-withdraw",
    ),
]
