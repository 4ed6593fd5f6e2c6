"""Page routes of the workspace: questionnaire campaigns, results, answering."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
