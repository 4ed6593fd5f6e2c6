"""Page routes of the workspace: the employers' mentor catalogue and this institution's requests."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
