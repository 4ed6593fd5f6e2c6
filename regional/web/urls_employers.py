"""Page routes of the regional layer: the employer's portal and the supply and demand board."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
