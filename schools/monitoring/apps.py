from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "schools.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring: questionnaires and survey campaigns")
    default_auto_field = "django.db.models.BigAutoField"
