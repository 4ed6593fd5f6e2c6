from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse

from schools.audit.models import AuditEntry


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


@admin.register(AuditEntry)
class AuditEntryAdmin(MissingObjectFirstMixin):
    """Read-only: the log is written by services only."""

    list_display = ["created_at", "actor", "action", "model_label", "object_id"]
    list_filter = ["action", "model_label"]
    search_fields = ["object_id", "model_label"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
