"""Page routes of the workspace: the bases, roadmap activities, a parent's consents."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
