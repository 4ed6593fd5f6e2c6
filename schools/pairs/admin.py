"""Admin of the pairs app (the institution's admin site). Pairs are formed and closed through
the services (API) so that the rules hold; here they can be looked at and corrected."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from schools.pairs.models import (
    DevelopmentPlan,
    Meeting,
    Pair,
    PairMentee,
    PlanGoal,
    PracticeCase,
)


class PairMenteeInline(admin.TabularInline[PairMentee, Pair]):
    model = PairMentee
    extra = 0
    fields = ["mentee", "is_active", "rating"]
    readonly_fields = ["mentee", "is_active"]
    can_delete = False


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin[Pair]):
    list_display = ["id", "programme", "form", "mentor", "status", "started_on", "ended_on"]
    list_filter = ["status", "form", "programme"]
    search_fields = ["mentor__last_name", "outcome"]
    readonly_fields = ["programme", "mentor", "created_by", "created_at", "updated_at"]
    inlines = [PairMenteeInline]


class PlanGoalInline(admin.TabularInline[PlanGoal, DevelopmentPlan]):
    model = PlanGoal
    extra = 0


@admin.register(DevelopmentPlan)
class DevelopmentPlanAdmin(admin.ModelAdmin[DevelopmentPlan]):
    list_display = ["id", "pair", "mentee", "updated_at"]
    readonly_fields = ["pair", "mentee"]
    inlines = [PlanGoalInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin[Meeting]):
    list_display = ["id", "pair", "kind", "starts_at", "status", "reminder_sent_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["pair", "reminder_sent_at", "created_by", "created_at"]
    filter_horizontal = ["attendees"]


@admin.register(PracticeCase)
class PracticeCaseAdmin(admin.ModelAdmin[PracticeCase]):
    list_display = ["id", "title", "form", "status", "published_at"]
    list_filter = ["status", "form"]
    readonly_fields = ["published_title", "published_text", "published_at", "created_by"]

    def has_add_permission(self, request: Any) -> bool:
        return False  # through the API: a case is checked and audited there
