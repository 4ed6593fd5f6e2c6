"""Page routes of the regional layer: questionnaire templates, survey results, practices."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
