from django.contrib import admin
from django.http import HttpRequest

from schools.programmes.models import (
    Programme,
    ProgrammeStage,
    RoadmapActivity,
    RoadmapReminder,
)


class RoadmapActivityInline(admin.TabularInline[RoadmapActivity, Programme]):
    model = RoadmapActivity
    fields = ["stage", "position", "title", "deadline", "status", "completed_on"]
    extra = 0
    show_change_link = True


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin[Programme]):
    list_display = ["title", "academic_year", "status", "coordinator"]
    list_filter = ["status"]
    search_fields = ["title"]
    filter_horizontal = ["curators"]
    raw_id_fields = ["coordinator"]
    inlines = [RoadmapActivityInline]
    fieldsets = [
        (
            None,
            {"fields": ["academic_year", "title", "status", "forms", "goals", "planned_results"]},
        ),
        (None, {"fields": ["coordinator", "curators"]}),
        (
            None,
            {
                "fields": [
                    "headcount_learners",
                    "headcount_teachers",
                    "headcount_young_teachers",
                ]
            },
        ),
    ]


@admin.register(RoadmapActivity)
class RoadmapActivityAdmin(admin.ModelAdmin[RoadmapActivity]):
    list_display = ["title", "programme", "stage", "deadline", "status", "completed_on"]
    list_filter = ["stage", "status", "programme"]
    search_fields = ["title", "content"]
    filter_horizontal = ["responsible_people"]
    date_hierarchy = "deadline"


@admin.register(ProgrammeStage)
class ProgrammeStageAdmin(admin.ModelAdmin[ProgrammeStage]):
    list_display = ["programme", "stage", "marked_state", "marked_at", "marked_by"]
    list_filter = ["marked_state", "stage"]
    raw_id_fields = ["marked_by"]


@admin.register(RoadmapReminder)
class RoadmapReminderAdmin(admin.ModelAdmin[RoadmapReminder]):
    list_display = ["activity", "user", "kind", "sent_on"]
    list_filter = ["kind", "sent_on"]
    raw_id_fields = ["activity", "user"]

    readonly_fields = ["activity", "user", "kind", "sent_on", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:  # records of the task only
        return False
