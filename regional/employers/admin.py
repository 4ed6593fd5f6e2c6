from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from regional.employers.models import Employer, EmployerMentor, MentorRequest, Placement


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin[Employer]):
    list_display = ["name", "inn", "sector"]
    search_fields = ["name", "inn"]
    filter_horizontal = ["members"]


@admin.register(EmployerMentor)
class EmployerMentorAdmin(admin.ModelAdmin[EmployerMentor]):
    list_display = ["__str__", "employer", "position", "status", "capacity", "capacity_used"]
    list_filter = ["status", "remote", "employer"]
    search_fields = ["last_name", "first_name", "position", "employer__name"]
    filter_horizontal = ["municipalities"]
    # capacity_used moves only with placements (conditional UPDATEs in services)
    readonly_fields = ["capacity_used", "created_at", "updated_at"]


@admin.register(MentorRequest)
class MentorRequestAdmin(admin.ModelAdmin[MentorRequest]):
    """Requests are decided through the API, which holds capacity race-safely; the admin
    only shows them."""

    list_display = ["pk", "institution", "employer_mentor", "form", "mentees_count", "status"]
    list_filter = ["status", "form"]
    search_fields = ["topic", "institution__short_name", "employer_mentor__last_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin[Placement]):
    """Placements hold capacity: they are opened, ended and cancelled through the API."""

    list_display = [
        "pk",
        "employer_mentor",
        "institution",
        "mentees_count",
        "status",
        "started_on",
        "ended_on",
        "tenant_account_created_at",
    ]
    list_filter = ["status"]
    search_fields = ["institution__short_name", "employer_mentor__last_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
