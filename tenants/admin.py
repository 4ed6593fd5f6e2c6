from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django_tenants.admin import TenantAdminMixin

from accounts.actor import actor_of
from tenants import services
from tenants.audit import public_audit_record
from tenants.models import (
    Domain,
    Institution,
    InstitutionStatus,
    Municipality,
    OnboardingApplication,
    PublicAuditAction,
    PublicAuditEntry,
)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin[Municipality]):
    search_fields = ["name"]


# django-tenants sets change_form_template as a plain attribute; django-stubs says ClassVar.
@admin.register(Institution)
class InstitutionAdmin(TenantAdminMixin, admin.ModelAdmin[Institution]):  # type: ignore[misc]
    list_display = ["short_name", "slug", "kind", "municipality", "status", "provisioned_at"]
    list_filter = ["status", "kind", "municipality"]
    search_fields = ["name", "short_name", "slug", "inn"]
    readonly_fields = [
        "schema_name",
        "status",
        "provisioning_attempts",
        "provisioning_error",
        "provisioned_at",
        "created_at",
        "updated_at",
    ]
    actions = ["suspend", "archive", "activate", "retry_provisioning"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return [*self.readonly_fields, "slug"]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Institution, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            public_audit_record(
                actor=actor_of(request),
                action=PublicAuditAction.UPDATE,
                instance=obj,
                changed_fields=form.changed_data,
                label=obj.short_name,
            )
            return
        # New institutions go through the same service as the API and the CLI.
        created = services.institution_create(
            name=obj.name,
            short_name=obj.short_name,
            kind=obj.kind,
            municipality_id=obj.municipality_id,
            slug=obj.slug,
            inn=obj.inn,
            coordinator_email=obj.coordinator_email,
            coordinator_name=obj.coordinator_name,
            actor=actor_of(request),
        )
        obj.pk = created.pk
        obj.schema_name = created.schema_name

    def _bulk(self, request: HttpRequest, queryset: QuerySet[Institution], status: str) -> None:
        for institution in queryset:
            try:
                services.institution_set_status(
                    institution=institution, status=status, actor=actor_of(request)
                )
            except ValidationError as exc:
                self.message_user(request, f"{institution}: {exc.messages[0]}", messages.ERROR)

    @admin.action(description="Suspend")
    def suspend(self, request: HttpRequest, queryset: QuerySet[Institution]) -> None:
        self._bulk(request, queryset, InstitutionStatus.SUSPENDED)

    @admin.action(description="Archive")
    def archive(self, request: HttpRequest, queryset: QuerySet[Institution]) -> None:
        self._bulk(request, queryset, InstitutionStatus.ARCHIVED)

    @admin.action(description="Activate")
    def activate(self, request: HttpRequest, queryset: QuerySet[Institution]) -> None:
        self._bulk(request, queryset, InstitutionStatus.ACTIVE)

    @admin.action(description="Retry provisioning")
    def retry_provisioning(self, request: HttpRequest, queryset: QuerySet[Institution]) -> None:
        for institution in queryset:
            try:
                services.institution_retry_provisioning(
                    institution=institution, actor=actor_of(request)
                )
            except ValidationError as exc:
                self.message_user(request, f"{institution}: {exc.messages[0]}", messages.ERROR)


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin[Domain]):
    list_display = ["domain", "tenant", "is_primary"]


@admin.register(OnboardingApplication)
class OnboardingApplicationAdmin(admin.ModelAdmin[OnboardingApplication]):
    list_display = ["short_name", "municipality", "applicant_email", "status", "created_at"]
    list_filter = ["status"]


@admin.register(PublicAuditEntry)
class PublicAuditEntryAdmin(admin.ModelAdmin[PublicAuditEntry]):
    """Read-only: the log is written by the services, never by hand."""

    list_display = ["created_at", "actor_label", "action", "model_label", "object_repr"]
    list_filter = ["action", "model_label"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
