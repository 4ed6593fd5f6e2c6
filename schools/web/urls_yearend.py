"""Page routes of the second half of the year: campaigns' reach and printed invitations,
monitoring in two parts, stage 6 documents, the next year, and the public programme page."""

from django.urls import URLPattern, path

from schools.web import views_pairwork, views_public, views_yearend

urlpatterns: list[URLPattern] = [
    path("campaigns/<int:pk>/reach/", views_yearend.campaign_reach, name="campaign-reach"),
    path("campaigns/<int:pk>/print/", views_yearend.campaign_print, name="campaign-print"),
    # The short link of a printed slip (no sign-in; looked up in the host's schema only).
    path("s/<str:code>/", views_yearend.survey_short, name="survey-short"),
    path("monitoring/", views_yearend.monitoring_report, name="monitoring-report"),
    path("documents/annual-report/", views_yearend.annual_report, name="document-annual-report"),
    path(
        "documents/employer-letters/",
        views_yearend.employer_letters,
        name="document-employer-letters",
    ),
    path(
        "pairs/<int:pk>/personalised-programme/",
        views_yearend.personalised_programme,
        name="pair-personalised-programme",
    ),
    path("programme/next-year/", views_yearend.next_year, name="programme-next-year"),
    path("settings/time-zone/", views_yearend.time_zone, name="time-zone"),
    path("pairs/<int:pk>/complete/", views_pairwork.pair_complete, name="pair-complete"),
    path("pairs/<int:pk>/end-early/", views_pairwork.pair_end_early, name="pair-end-early"),
    path("pairs/<int:pk>/reassign/", views_pairwork.pair_reassign, name="pair-reassign"),
    # The public programme page: no login, on the institution's host.
    path("public/", views_public.public_page, name="public"),
    path("public/embed/", views_public.public_embed, name="public-embed"),
    path("public/documents/<int:pk>/", views_public.public_document, name="public-document"),
    path("programme/public/", views_public.public_settings, name="public-settings"),
    path(
        "programme/public/documents/",
        views_public.public_document_add,
        name="public-document-add",
    ),
    path(
        "programme/public/documents/<int:pk>/delete/",
        views_public.public_document_delete,
        name="public-document-delete",
    ),
]
