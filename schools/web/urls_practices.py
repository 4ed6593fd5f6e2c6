"""Page routes of the workspace: the region's best practices, publishing our own."""

from django.urls import URLPattern, path

from schools.web import views_practices as views

urlpatterns: list[URLPattern] = [
    path("practices/", views.practices, name="practices"),
    path("practices/new/", views.practice_create, name="practice-create"),
    path("practices/<int:pk>/", views.practice, name="practice"),
    path("practices/<int:pk>/prepare/", views.practice_prepare, name="practice-prepare"),
    path("practices/<int:pk>/preview/", views.practice_preview, name="practice-preview"),
    path("practices/<int:pk>/publish/", views.practice_publish, name="practice-publish"),
]
