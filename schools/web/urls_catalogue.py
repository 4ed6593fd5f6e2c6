"""Page routes of the catalogue of requests and competences."""

from django.urls import URLPattern, path

from schools.web import views_catalogue as views

urlpatterns: list[URLPattern] = [
    path("bases/catalogue/", views.catalogue, name="catalogue"),
    path("bases/catalogue/<int:pk>/", views.catalogue_entry, name="catalogue-entry"),
]
