"""Page routes of the workspace: the employers' mentor catalogue and this institution's requests."""

from django.urls import URLPattern, path

from schools.web import views_employers as views

urlpatterns: list[URLPattern] = [
    path("employer-mentors/", views.catalogue, name="employer-mentors"),
    path(
        "employer-mentors/<int:pk>/request/",
        views.mentor_request,
        name="employer-mentor-request",
    ),
    path(
        "employer-mentors/requests/<int:pk>/cancel/",
        views.request_cancel,
        name="employer-request-cancel",
    ),
]
