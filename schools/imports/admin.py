from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from schools.imports.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin[ImportBatch]):
    """Every field read-only: batches are made and committed through the API, never edited by
    hand (change permission stays, so a missing id answers like any other admin page)."""

    list_display = ["original_name", "kind", "status", "total_rows", "error_count", "created_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [field.name for field in ImportBatch._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
