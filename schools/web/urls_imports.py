"""Page routes of the start of the year (included by schools.web.urls): the imports beyond the
upload and the preview, and the classes and the programme's set-up (their own modules)."""

from django.urls import URLPattern, path

from schools.web import urls_classes, urls_setup
from schools.web import views_imports as views

urlpatterns: list[URLPattern] = [
    path("imports/template/", views.import_template, name="import-template"),
    path("imports/<int:pk>/rejected/", views.import_rejected, name="import-rejected"),
]
urlpatterns += urls_classes.urlpatterns
urlpatterns += urls_setup.urlpatterns
