"""Page routes of an institution's workspace (the API is under /api/v1/)."""

from django.urls import path

from schools.web import (
    urls_catalogue,
    urls_documents,
    urls_employers,
    urls_imports,
    urls_matching,
    urls_meetings,
    urls_practices,
    urls_records,
    urls_surveys,
    urls_yearend,
    views,
    views_announcements,
)

app_name = "school"

urlpatterns = [
    path("", views.home, name="home"),
    path("announcements/", views_announcements.announcements, name="announcements"),
    path("programme/", views.programme, name="programme"),
    path("programme/new/", views.programme_create, name="programme-create"),
    path("participants/", views.participants, name="participants"),
    path("participants/<int:pk>/", views.participant_detail, name="participant"),
    path("participants/<int:pk>/consents/", views.consent_create, name="consent-create"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import-commit"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import-cancel"),
    path("matching/", views.matching, name="matching"),
    path("matching/runs/", views.matching_run_create, name="matching-run-create"),
    path("matching/runs/<int:pk>/", views.matching_run, name="matching-run"),
    path("matching/runs/<int:pk>/approve/", views.matching_run_approve, name="matching-approve"),
    path("matching/runs/<int:pk>/cancel/", views.matching_run_cancel, name="matching-run-cancel"),
    path(
        "matching/proposals/<int:pk>/decide/",
        views.matching_proposal_decide,
        name="matching-decide",
    ),
    path("pairs/", views.pairs, name="pairs"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair"),
    path("pairs/<int:pk>/meetings/", views.meeting_create, name="meeting-create"),
]
# Each area of the workspace keeps its own routes (same "school" namespace).
urlpatterns += urls_surveys.urlpatterns
urlpatterns += urls_documents.urlpatterns
urlpatterns += urls_records.urlpatterns
urlpatterns += urls_employers.urlpatterns
urlpatterns += urls_practices.urlpatterns
urlpatterns += urls_yearend.urlpatterns
urlpatterns += urls_catalogue.urlpatterns
urlpatterns += urls_matching.urlpatterns
urlpatterns += urls_imports.urlpatterns
urlpatterns += urls_meetings.urlpatterns
