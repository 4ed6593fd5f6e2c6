"""Page routes of the imports beyond the upload and the preview (in schools.web.urls)."""

from django.urls import URLPattern, path

from schools.web import views_imports as views

urlpatterns: list[URLPattern] = [
    path("imports/template/", views.import_template, name="import-template"),
    path("imports/<int:pk>/rejected/", views.import_rejected, name="import-rejected"),
]
