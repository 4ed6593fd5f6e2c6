"""Admin of questionnaire templates (regional admin site).

Drafts are edited here like in the API; publishing, retiring and new drafts go through the
services (admin actions), so publishing validates the version. A published or retired version
and its questions are read-only (the database refuses changes too)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.actor import actor_of
from regional.questionnaires import services
from regional.questionnaires.models import (
    Question,
    QuestionnaireTemplate,
    TemplateVersion,
    VersionStatus,
)


def _report(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, exc: ValidationError) -> None:
    text = "; ".join(
        f"{field}: {' '.join(str(m) for m in msgs)}" for field, msgs in exc.message_dict.items()
    )
    modeladmin.message_user(request, text, level=messages.ERROR)


class VersionInline(admin.TabularInline[TemplateVersion, QuestionnaireTemplate]):
    model = TemplateVersion
    fields = ("number", "status", "published_at", "retired_at")
    readonly_fields = ("number", "status", "published_at", "retired_at")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(QuestionnaireTemplate)
class QuestionnaireTemplateAdmin(admin.ModelAdmin[QuestionnaireTemplate]):
    list_display = ["code", "title", "purpose", "growth_phase", "updated_at"]
    list_filter = ["purpose"]
    search_fields = ["code", "title"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [VersionInline]
    actions = ["new_draft"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:  # institutions and results rely on these
            return [*self.readonly_fields, "code", "purpose", "growth_phase"]
        return self.readonly_fields

    def save_model(
        self, request: HttpRequest, obj: QuestionnaireTemplate, form: Any, change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        if not change:
            TemplateVersion.objects.create(template=obj, number=1, created_by=obj.created_by)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.versions.exclude(status=VersionStatus.DRAFT).exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Start a new draft version"))
    def new_draft(self, request: HttpRequest, queryset: QuerySet[QuestionnaireTemplate]) -> None:
        for template in queryset:
            try:
                services.version_create_draft(template=template, actor=actor_of(request))
            except ValidationError as exc:
                _report(self, request, exc)


class QuestionInline(admin.StackedInline[Question, TemplateVersion]):
    model = Question
    extra = 0
    ordering = ["order"]
    fields = [
        ("order", "code", "kind", "required"),
        "text",
        "help_text",
        ("min_value", "max_value", "min_label", "max_label"),
        "options",
        ("condition_question", "condition_value"),
    ]

    def _editable(self, obj: TemplateVersion | None) -> bool:
        return obj is None or obj.status == VersionStatus.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(TemplateVersion)
class TemplateVersionAdmin(admin.ModelAdmin[TemplateVersion]):
    list_display = ["template", "number", "status", "published_at", "retired_at"]
    list_filter = ["status", "template__purpose"]
    search_fields = ["template__code", "template__title"]
    readonly_fields = ["template", "number", "status", "published_at", "retired_at", "created_by"]
    fields = [*readonly_fields, "intro", "change_note"]
    inlines = [QuestionInline]
    actions = ["publish", "retire"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # drafts come from a template: "Start a new draft version"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TemplateVersion]) -> None:
        for version in queryset:
            try:
                services.version_delete_draft(version=version, actor=actor_of(request))
            except ValidationError as exc:
                _report(self, request, exc)

    @admin.action(description=_("Publish (after checking the questions)"))
    def publish(self, request: HttpRequest, queryset: QuerySet[TemplateVersion]) -> None:
        for version in queryset:
            try:
                services.version_publish(version=version, actor=actor_of(request))
            except ValidationError as exc:
                _report(self, request, exc)

    @admin.action(description=_("Retire"))
    def retire(self, request: HttpRequest, queryset: QuerySet[TemplateVersion]) -> None:
        for version in queryset:
            try:
                services.version_retire(version=version, actor=actor_of(request))
            except ValidationError as exc:
                _report(self, request, exc)
