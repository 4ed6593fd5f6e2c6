"""Page routes of the regional layer (the API is under /api/v1/)."""

from django.urls import path

from regional.web import (
    urls_audit,
    urls_employers,
    urls_kpis,
    urls_questionnaires,
    views,
    views_announcements,
)

app_name = "regional"

urlpatterns = [
    path("", views.home, name="home"),
    path("institutions/new/", views.institution_create, name="institution-create"),
    path("institutions/import/", views.institution_import, name="institution-import"),
    path(
        "institutions/import/template.xlsx",
        views.institution_import_template,
        name="institution-import-template",
    ),
    path(
        "institutions/import/<int:pk>/",
        views.InstitutionImportPage.as_view(),
        name="institution-import-detail",
    ),
    path(
        "institutions/import/<int:pk>/progress/",
        views.InstitutionImportProgress.as_view(),
        name="institution-import-progress",
    ),
    path("institutions/<int:pk>/", views.InstitutionDetail.as_view(), name="institution"),
    path(
        "institutions/<int:pk>/status/",
        views.InstitutionStatusPage.as_view(),
        name="institution-status",
    ),
    path(
        "institutions/<int:pk>/lifecycle/",
        views.InstitutionLifecycle.as_view(),
        name="institution-lifecycle",
    ),
    path("applications/", views.applications, name="applications"),
    path("announcements/", views_announcements.announcements, name="announcements"),
    path("apply/", views.apply, name="apply"),
    path("apply/done/", views.apply_done, name="apply-done"),
    path("municipalities/", views.municipal_officers, name="municipal-officers"),
    path(
        "municipalities/access/<int:pk>/revoke/",
        views.MunicipalAccessRevoke.as_view(),
        name="municipal-access-revoke",
    ),
    path(
        "applications/<int:pk>/approve/",
        views.ApplicationApprove.as_view(),
        name="application-approve",
    ),
    path(
        "applications/<int:pk>/reject/",
        views.ApplicationReject.as_view(),
        name="application-reject",
    ),
]
# Each area of the regional layer keeps its own routes (same "regional" namespace).
urlpatterns += urls_kpis.urlpatterns
urlpatterns += urls_questionnaires.urlpatterns
urlpatterns += urls_employers.urlpatterns
urlpatterns += urls_audit.urlpatterns
