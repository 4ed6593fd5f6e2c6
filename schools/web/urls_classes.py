"""Page routes at class scale: classes, a class, its returned papers, consent links, and the
online consent a parent gives through a one-time link (no sign-in)."""

from django.urls import URLPattern, path

from schools.web import views_classes as views
from schools.web import views_consents

urlpatterns: list[URLPattern] = [
    path("bases/classes/", views.classes, name="classes"),
    path("bases/classes/curators/", views.classes_curators, name="classes-curators"),
    path("bases/classes/<int:pk>/", views.class_detail, name="class"),
    path("bases/classes/<int:pk>/consents/", views.class_consents, name="class-consents"),
    path("participants/<int:pk>/consent-link/", views.consent_link, name="consent-link"),
    path("consents/<int:pk>/scans/", views_consents.consent_scan_add, name="consent-scan-add"),
    path("consent-scans/<int:pk>/", views_consents.consent_scan, name="consent-scan"),
    path(
        "consent-alerts/<int:pk>/ack/", views_consents.consent_alert_ack, name="consent-alert-ack"
    ),
    # the path ``consent_request_link`` writes in the link it mails
    path("consent/<str:token>/", views.consent_online, name="consent-online"),
]
