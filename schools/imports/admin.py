from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from schools.imports.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin[ImportBatch]):
    """Read-only: batches are made and committed through the API, never edited by hand."""

    list_display = ["original_name", "kind", "status", "total_rows", "error_count", "created_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [field.name for field in ImportBatch._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
