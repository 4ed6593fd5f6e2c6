"""Routes of the regional audit page and the region's settings (namespace "regional")."""

from django.urls import path

from regional.web import views_audit

urlpatterns = [
    path("audit/", views_audit.audit, name="audit"),
    path("settings/", views_audit.region_settings, name="settings"),
]
