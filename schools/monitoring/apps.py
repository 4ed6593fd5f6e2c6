from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "schools.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring: questionnaires and survey campaigns")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Mailings their task left behind are sent again (config.jobs).
        from config import jobs
        from schools.monitoring import mailing, services

        jobs.register("monitoring", services.mailings_sweep)
        # A launch its task left behind fails with the reason (the campaign a draft again).
        jobs.register("campaign-launches", services.launches_sweep)
        # A letter whose claim lapsed (the run that claimed it died) goes out within minutes.
        jobs.register("survey-letters", mailing.lapsed_claims_send)
