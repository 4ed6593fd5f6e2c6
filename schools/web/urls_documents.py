"""Page routes of the workspace: documents to download."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
