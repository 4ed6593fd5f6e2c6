from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.actor import actor_of
from regional.privacy import services
from regional.privacy.models import RegionSettings


@admin.register(RegionSettings)
class RegionSettingsAdmin(admin.ModelAdmin[RegionSettings]):
    list_display = ["__str__", "min_group_size", "updated_at"]

    def save_model(
        self, request: HttpRequest, obj: RegionSettings, form: Any, change: bool
    ) -> None:
        """Through the service, as the settings page: validated and audited."""
        saved = services.region_settings_update(
            min_group_size=obj.min_group_size, actor=actor_of(request)
        )
        obj.pk = saved.pk
