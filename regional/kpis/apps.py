from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "regional.kpis"
    label = "kpis"
    verbose_name = _("Regional indicators")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Institutions of a run their task left behind: failed with a reason or sent again.
        from config import jobs
        from regional.kpis import services

        jobs.register("kpis", services.items_sweep)
