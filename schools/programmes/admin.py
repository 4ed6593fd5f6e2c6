from django.contrib import admin

from schools.programmes.models import Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin[Programme]):
    list_display = ["title", "academic_year", "status"]
    list_filter = ["status"]
