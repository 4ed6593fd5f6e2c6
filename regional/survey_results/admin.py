"""Admin of the anonymous survey results (the regional admin site): read only; rows are
written by the publishing task."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from regional.survey_results.models import RegionalQuestionResult


@admin.register(RegionalQuestionResult)
class RegionalQuestionResultAdmin(admin.ModelAdmin[RegionalQuestionResult]):
    list_display = [
        "template_code",
        "academic_year",
        "question_code",
        "institution",
        "respondents",
        "mean",
        "suppressed",
        "published_at",
    ]
    list_filter = ["template_code", "academic_year", "suppressed"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
