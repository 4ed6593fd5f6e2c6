"""Admin of the monitoring app (the institution's admin site). Answers are looked at here,
not edited: a submitted response never changes."""

from __future__ import annotations

from django.contrib import admin

from schools.monitoring.models import (
    Question,
    Questionnaire,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)


class QuestionInline(admin.TabularInline[Question, Questionnaire]):
    model = Question
    extra = 0
    fields = ["order", "code", "kind", "text", "required", "regional"]
    readonly_fields = ["regional"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin[Questionnaire]):
    list_display = ["id", "title", "purpose", "origin", "template_code", "template_version_number"]
    list_filter = ["purpose", "origin"]
    search_fields = ["title", "template_code"]
    readonly_fields = ["origin", "template_version_id", "template_code", "template_version_number"]
    inlines = [QuestionInline]


@admin.register(SurveyCampaign)
class SurveyCampaignAdmin(admin.ModelAdmin[SurveyCampaign]):
    list_display = [
        "id",
        "title",
        "questionnaire",
        "target_kind",
        "opens_on",
        "closes_on",
        "status",
    ]
    list_filter = ["status", "target_kind"]
    search_fields = ["title"]
    readonly_fields = ["questionnaire", "opened_at", "closed_at", "created_by", "created_at"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin[SurveyInvitation]):
    list_display = ["id", "campaign", "participant", "form", "email_sent_at", "reminded_at"]
    list_filter = ["form"]
    exclude = ["token_hash"]
    readonly_fields = ["campaign", "participant", "pair", "email_sent_at", "reminded_at"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin[SurveyResponse]):
    list_display = ["id", "campaign", "participant", "status", "channel", "submitted_at"]
    list_filter = ["status", "channel"]
    readonly_fields = [
        "campaign",
        "invitation",
        "participant",
        "answers",
        "status",
        "channel",
        "submitted_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False
