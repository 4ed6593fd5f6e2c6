"""Page routes of the regional layer: the KPI dashboard."""

from django.urls import URLPattern, path

from regional.web import views

urlpatterns: list[URLPattern] = [
    path("kpis/", views.kpis, name="kpis"),
]
