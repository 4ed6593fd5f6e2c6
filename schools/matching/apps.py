from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "schools.matching"
    label = "matching"
    verbose_name = _("Matching")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Jobs left behind by their task: failed with a reason or sent again (config.jobs).
        from config import jobs
        from schools.matching import services

        jobs.register("matching", services.runs_sweep)
