from django.contrib import admin

from regional.practices.models import PracticeCase


@admin.register(PracticeCase)
class PracticeCaseAdmin(admin.ModelAdmin[PracticeCase]):
    list_display = ["title", "form", "municipality", "institution", "published_at"]
    list_filter = ["form", "municipality"]
    search_fields = ["title", "text"]
    readonly_fields = ["source_key", "created_at"]
