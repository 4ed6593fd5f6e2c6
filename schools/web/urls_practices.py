"""Page routes of the workspace: the region's best practices, publishing our own."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
