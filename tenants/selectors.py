"""Reads on institutions."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Institution, Municipality, OnboardingApplication


def institution_list() -> QuerySet[Institution]:
    return Institution.objects.select_related("municipality").order_by("short_name")


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.order_by("name")


def application_list() -> QuerySet[OnboardingApplication]:
    return OnboardingApplication.objects.select_related("municipality", "institution")
