from django.contrib import admin

from regional.privacy.models import RegionSettings


@admin.register(RegionSettings)
class RegionSettingsAdmin(admin.ModelAdmin[RegionSettings]):
    list_display = ["__str__", "min_group_size", "updated_at"]
