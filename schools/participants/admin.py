"""Admin of the participants app. Changes made here are audited like those through the API;
consent records are read-only (append-only register) and people are never deleted (a
withdrawal leads to erasure instead)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from accounts.actor import actor_of
from schools.audit.api import AuditAction, audit_record
from schools.participants.models import (
    Consent,
    Guardianship,
    MenteeProfile,
    MentorProfile,
    Participant,
    StudyGroup,
    Topic,
    TopicCoverage,
)


class MissingObjectFirstMixin(admin.ModelAdmin[Any]):
    """For admins that forbid changing or deleting: an id that does not exist (or belongs to
    another institution) gets Django's usual "does not exist" redirect, not a 403, so that a
    missing object and a forbidden one look the same as everywhere else."""

    def _missing(self, request: HttpRequest, object_id: str) -> HttpResponse | None:
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(  # type: ignore[attr-defined]
                request, self.opts, object_id
            )
        return None

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return self._missing(request, object_id) or super().delete_view(
            request, object_id, extra_context
        )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if object_id is not None:
            missing = self._missing(request, object_id)
            if missing is not None:
                return missing
        return super().changeform_view(request, object_id, form_url, extra_context)


class AuditedAdmin(MissingObjectFirstMixin):
    def save_model(
        self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if form.changed_data or not change:
            audit_record(
                actor=actor_of(request),
                action=AuditAction.UPDATE if change else AuditAction.CREATE,
                instance=obj,
                changed_fields=form.changed_data,
            )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit_record(
            actor=actor_of(request), action=AuditAction.DELETE, instance=obj, changed_fields=[]
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            audit_record(
                actor=actor_of(request), action=AuditAction.DELETE, instance=obj, changed_fields=[]
            )
        super().delete_queryset(request, queryset)


@admin.register(StudyGroup)
class StudyGroupAdmin(AuditedAdmin):
    list_display = ["name", "curator"]
    search_fields = ["name"]


@admin.register(Participant)
class ParticipantAdmin(AuditedAdmin):
    list_display = ["last_name", "first_name", "middle_name", "category", "study_group"]
    list_filter = ["category", "is_young_specialist", "study_group"]
    search_fields = ["last_name", "first_name", "middle_name"]
    readonly_fields = ["processing_stopped_at", "erase_after", "erased_at", "created_at"]
    raw_id_fields = ["user"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Guardianship)
class GuardianshipAdmin(AuditedAdmin):
    list_display = ["parent", "child", "relation"]
    raw_id_fields = ["parent", "child"]


@admin.register(Consent)
class ConsentAdmin(MissingObjectFirstMixin):
    """The register is append-only: records are made through the API, never edited here."""

    list_display = ["participant", "kind", "purpose", "signed_by", "signed_on", "method"]
    list_filter = ["kind", "purpose", "method"]
    readonly_fields = [f.name for f in Consent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MenteeProfile)
class MenteeProfileAdmin(AuditedAdmin):
    list_display = ["participant", "preferred_form", "raised_by"]
    list_filter = ["preferred_form", "raised_by", "needs"]
    raw_id_fields = ["participant"]


@admin.register(MentorProfile)
class MentorProfileAdmin(AuditedAdmin):
    list_display = ["participant", "capacity", "hours_per_month"]
    list_filter = ["competences"]
    raw_id_fields = ["participant"]


class TopicCoverageInline(admin.TabularInline[TopicCoverage, Topic]):
    model = TopicCoverage
    fk_name = "need"
    raw_id_fields = ["covered_by"]
    extra = 0


@admin.register(Topic)
class TopicAdmin(AuditedAdmin):
    list_display = ["name", "code", "group", "audience", "is_active"]
    list_filter = ["group", "audience", "is_active"]
    search_fields = ["name", "code"]
    inlines = [TopicCoverageInline]
