from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "schools.imports"
    label = "imports"
    verbose_name = _("Import and export")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Jobs left behind by their task: failed with a reason or sent again (config.jobs).
        from config import jobs
        from schools.imports import services

        jobs.register("imports", services.batches_sweep)
